"""Crash points: named places where the crash suite (`tests/crash/`) has this process killed.

`WARROOM_CRASH_AT=<point>[#n]` ends the process with SIGKILL, exactly as `kill -9` would, the
n-th time (default: the first) it reaches `<point>`, so a test stops it at a chosen step instead
of at a random moment. Test-only: unset, as it always is in production, `reach` reads one
environment variable and returns. The names are listed in `tests/crash/README.md`.
"""

from __future__ import annotations

import os
import signal
import threading

__all__ = ["armed", "reach"]

VARIABLE = "WARROOM_CRASH_AT"
_arrivals: dict[str, int] = {}
_lock = threading.Lock()


def armed() -> bool:
    return bool(os.environ.get(VARIABLE))


def reach(point: str) -> None:
    target = os.environ.get(VARIABLE)
    if not target:
        return
    name, _, nth = target.partition("#")
    if name != point:
        return
    with _lock:
        _arrivals[point] = _arrivals.get(point, 0) + 1
        due = _arrivals[point] == int(nth or 1)
    if due:
        os.kill(os.getpid(), signal.SIGKILL)
