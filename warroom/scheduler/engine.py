"""The loop that runs due jobs and drains the outbox.

Handlers are registered at start-up (each flow and graph runner registers its own kinds when
the composition root builds it), so this core module knows no agent, flow or graph. Tests drive it with `run_pending()` and a FakeClock instead of sleeping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

import sentry_sdk
from sqlalchemy import Engine

from warroom.clock import Clock
from warroom.outbox.worker import OutboxWorker, backoff_seconds
from warroom.scheduler.store import Job, claim_due, finish, retry_later

__all__ = ["Handler", "Scheduler"]

log = logging.getLogger(__name__)

Handler = Callable[[Job], None]
MAX_JOB_ATTEMPTS = 8


class Scheduler:
    def __init__(self, engine: Engine, clock: Clock, outbox: OutboxWorker) -> None:
        self._engine = engine
        self._clock = clock
        self.outbox = outbox
        self._handlers: dict[str, Handler] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    def wake(self) -> None:
        """Called after scheduling work that is due now, so it runs without waiting for the poll."""
        self._wake.set()

    def run_pending(self, max_rounds: int = 50) -> int:
        """Run jobs and outbox rows until nothing is due at the current clock time."""
        total = 0
        for _ in range(max_rounds):
            done = self._run_jobs() + self.outbox.run_due()
            total += done
            if done == 0:
                break
        return total

    def _run_jobs(self) -> int:
        now = self._clock.now()
        with self._engine.begin() as conn:
            jobs = claim_due(conn, now)
        for job in jobs:
            self._run(job)
        return len(jobs)

    def _run(self, job: Job) -> None:
        handler = self._handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler registered for job kind {job.kind!r}")
            handler(job)
        except Exception as exc:  # recorded on the job and reported
            log.exception("job %s failed", job.key)
            sentry_sdk.capture_exception(exc)
            at = self._clock.now() + timedelta(seconds=backoff_seconds(job.attempts))
            with self._engine.begin() as conn:
                retry_later(conn, job.id, at, f"{type(exc).__name__}: {exc}", give_up=job.attempts >= MAX_JOB_ATTEMPTS)
            return
        with self._engine.begin() as conn:
            finish(conn, job.id, self._clock.now())

    def start(self, poll_seconds: float = 1.0) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, args=(poll_seconds,), name="warroom-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self, poll_seconds: float) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_pending()
            except Exception as exc:  # the loop must survive a bad round
                log.exception("scheduler round failed")
                sentry_sdk.capture_exception(exc)
            self._wake.wait(poll_seconds)
