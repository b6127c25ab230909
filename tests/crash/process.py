"""`warroom serve --one-process` in a child process that a test kills with SIGKILL and starts again.

Importing warroom costs ~7 s of CPU on these 2-core machines, so a fresh interpreter per restart
would make the suite take minutes. Children are forked instead from a server process that
imported warroom once (multiprocessing's forkserver): each child runs the `warroom serve`
command itself, with its own environment, database connections, threads and listening socket,
and SIGKILL ends it exactly as `kill -9` ends the real thing.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from pathlib import Path

import httpx

__all__ = ["WarroomProcess"]

PRELOAD = ["api.cli", "api.app", "api.composition", "warroom.migrations", "langgraph.checkpoint.postgres"]
_context: ForkServerContext | None = None


def _forkserver() -> ForkServerContext:
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    return _context


def _serve(env: dict[str, str], port: int, log: str) -> None:
    """The child: its output to `log`, its settings from `env` alone, then `warroom serve`."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    for name in [n for n in os.environ if n.startswith("WARROOM_")]:
        del os.environ[name]
    os.environ.update(env)
    from api.cli import serve

    # One process: a crash point must end the process that holds the graphs, and the test restarts
    # it; the worker process and its supervisor are tested in tests/api/test_serve_supervisor.py.
    serve(host="127.0.0.1", port=port, worker=True, one_process=True)


class WarroomProcess:
    """One warroom installation (database, data folder, port) run by a series of processes."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env = env
        self.port = port
        self.log = log
        self.url = f"http://127.0.0.1:{port}"
        self.process: BaseProcess | None = None
        self.started_at = 0.0
        self.lives = 0

    def start(self, crash_at: str | None = None) -> None:
        """A new process; `crash_at` arms one crash point in it (`WARROOM_CRASH_AT`)."""
        assert not self.alive, "the previous process is still running"
        env = dict(self.env)
        if crash_at:
            env["WARROOM_CRASH_AT"] = crash_at
        with self.log.open("a") as log:
            log.write(f"\n===== life {self.lives + 1}: crash point {crash_at or '-'} =====\n")
        self.process = _forkserver().Process(target=_serve, args=(env, self.port, str(self.log)), daemon=True)
        self.started_at = time.monotonic()
        self.process.start()
        self.lives += 1

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()

    @property
    def killed(self) -> bool:
        """The last process ended by SIGKILL (a crash point, or `kill`)."""
        return self.process is not None and self.process.exitcode == -signal.SIGKILL

    def since_start(self) -> float:
        return time.monotonic() - self.started_at

    def wait_ready(self, timeout: float = 30.0) -> bool:
        """True once `/healthz` answers; False if the process died first (a crash point it
        reached while starting up)."""
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if not self.alive:
                    return False
                try:
                    if client.get(f"{self.url}/healthz").status_code == 200:
                        return True
                except httpx.HTTPError:
                    pass
                time.sleep(0.02)
        raise TimeoutError(f"warroom did not answer on {self.url} within {timeout} s; see {self.log}")

    def wait_dead(self, timeout: float) -> bool:
        assert self.process is not None
        self.process.join(timeout)
        return not self.process.is_alive()

    def kill(self) -> None:
        """`kill -9` from outside, and reap it."""
        if self.process is not None and self.process.pid is not None and self.process.is_alive():
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.join(10)

    def kill_from_another_thread(self) -> None:
        """`kill -9` and wait until the process has stopped running, without reaping it: only the
        thread that started it may (two threads reading its exit status race for it)."""
        pid = self.process.pid if self.process is not None else None
        if pid is None:
            return
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _running(pid):
            time.sleep(0.005)


def _running(pid: int) -> bool:
    """False once `pid` is gone or a zombie (dead, not yet reaped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status
