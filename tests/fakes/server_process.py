"""Real servers the tests start (Alertmanager, Prometheus): find the binary, run it, wait, stop it."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

__all__ = ["find_binary", "server_process", "wait_for"]


def find_binary(names: Sequence[str], package: str) -> str:
    """The first of `names` that exists, or an error that says how to install it (never a skip)."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        f"{package} is not installed: run `make system-deps` (or `apt-get install {package}`); "
        f"looked for {', '.join(names)}"
    )


def wait_for(
    condition: Callable[[], Any], *, what: str, details: Callable[[], str] = str, timeout: float = 20.0
) -> Any:
    """Poll `condition` until it returns something truthy; after `timeout` seconds fail, saying
    `what` was awaited and the `details` (e.g. the server's log) as they are by then."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{details()}")
        time.sleep(0.05)


@contextmanager
def server_process(argv: Sequence[str], log_path: Path, ready_url: str, name: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run `argv` with its output in `log_path` until `ready_url` answers 200; on exit stop that
    process (and only it), killing it if it has not stopped within 10 seconds."""

    def log() -> str:
        return log_path.read_text(errors="replace")

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{log()}")
        try:
            return httpx.get(ready_url, timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    with log_path.open("wb") as output:
        process = subprocess.Popen(list(argv), stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for(ready, what=f"{name} to be ready", details=log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
