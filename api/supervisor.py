"""`warroom serve`'s second process: the scheduler, graphs and outbox worker (`warroom worker`)
run in a child the API process starts, restarts when it dies, and stops when it stops.

Why a process and not a thread: triage and drafting hold the GIL for up to hundreds of
milliseconds, and in the API's interpreter they did so exactly when an alert storm arrived
(`bench/README.md`). In their own process they use the machine's second core instead.

The child's stdin is a pipe from this process, and its only stop signal: `stop` closes it once
the API has stopped, and when the API process ends any other way (`kill -9` included) the pipe
closes too, so no orphan keeps sending. The child ignores SIGINT and SIGTERM, which a terminal
or a service manager sends to the whole group: otherwise it would end first and be restarted
while the API shuts down.
Nothing is lost when the worker dies: its work is rows (jobs, outbox), and the restarted worker
takes over the dead one's leases at once (`warroom.processes`).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence

__all__ = ["WORKER_NICENESS", "WorkerSupervisor", "lower_priority", "worker_command"]

log = logging.getLogger(__name__)

FIRST_BACKOFF = 0.5
MAX_BACKOFF = 30.0
STEADY_SECONDS = 60.0
"""A worker that ran this long before dying is restarted after the first, short pause again."""
WORKER_NICENESS = 10
"""Added to the worker's nice value: on a machine short of cores the API process, which answers
webhooks while their senders wait, gets the CPU first, and triage takes what is left."""


def lower_priority() -> None:
    """Called by the supervised worker itself (not by `Popen(preexec_fn=...)`, unsafe in the
    API's threaded process). Lowering is one-way: the API keeps its own priority."""
    os.nice(WORKER_NICENESS)


def worker_command() -> list[str]:
    return [sys.executable, "-m", "api.cli", "worker", "--supervised"]


class WorkerSupervisor:
    """Starts `command`, and starts it again (after a growing pause if it keeps dying) until
    `stop`. `restarts` counts the restarts, for the tests and the log."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        self.command = list(command)
        self.env = dict(env if env is not None else os.environ)
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._started = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._supervise, name="warroom-worker-supervisor", daemon=True)
        self._thread.start()
        self._started.wait(10)

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self.command, env=self.env, stdin=subprocess.PIPE)

    def _supervise(self) -> None:
        backoff = FIRST_BACKOFF
        while not self._stopping.is_set():
            began = time.monotonic()
            try:
                with self._lock:  # `stop` sees either no new process or this one
                    if self._stopping.is_set():
                        return
                    self._process = self._spawn()
            except OSError:
                log.exception("could not start the worker process")
                self._started.set()
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            self._started.set()
            code = self._process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - began >= STEADY_SECONDS:
                backoff = FIRST_BACKOFF
            log.error(
                "the worker process exited with %s (pid %d); restarting it in %.1f s", code, self._process.pid, backoff
            )
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, MAX_BACKOFF)
            self.restarts += 1

    def stop(self, timeout: float = 15.0) -> int | None:
        """Ask the worker to finish (its stdin closes), kill it after `timeout`; its exit code."""
        self._stopping.set()
        with self._lock:
            process = self._process
        code = None
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()
            try:
                code = process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                code = process.wait()
        if self._thread is not None:
            self._thread.join(timeout)
        return code
