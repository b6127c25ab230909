"""The loop that runs due jobs and drains the outbox.

Handlers are registered at start-up (each flow and graph runner registers its own kinds when
the composition root builds it), so this core module knows no agent, flow or graph. Tests drive
it with `run_pending()` and a FakeClock instead of sleeping.

Started as a service (`start`), it first takes over the work of this host's processes that died
(their leases are released, `warroom.processes`), then keeps its own leases alive with a
heartbeat, so a `kill -9` and restart resumes work within seconds, never minutes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

import sentry_sdk
from sqlalchemy import Engine

from warroom import crashpoints
from warroom.clock import Clock
from warroom.db import table_of
from warroom.leases import LEASE, release_leases, renew_leases
from warroom.outbox.tables import OutboxRow
from warroom.outbox.worker import OutboxWorker, backoff_seconds
from warroom.processes import ProcessLocks
from warroom.scheduler.store import Job, any_due, claim_due, finish, retry_later
from warroom.scheduler.tables import JobRow

__all__ = ["Handler", "Scheduler"]

log = logging.getLogger(__name__)

Handler = Callable[[Job], None]
MAX_JOB_ATTEMPTS = 8
HEARTBEAT_SECONDS = 5.0
LEASED_TABLES = (table_of(JobRow), table_of(OutboxRow))


class Scheduler:
    """`outbox.owner` names this process in leases; `locks` (absent in tests driven by hand)
    lets it find this host's dead processes when it starts; `elsewhere` wakes the schedulers of
    other processes (the worker beside an API process), which would otherwise see the work at
    their next poll."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        outbox: OutboxWorker,
        locks: ProcessLocks | None = None,
        elsewhere: Callable[[], object] | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self.outbox = outbox
        self.owner = outbox.owner
        self._locks = locks
        self._elsewhere = elsewhere
        self._handlers: dict[str, Handler] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._seeds: list[Callable[[], object]] = []

    def register(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    def at_start(self, seed: Callable[[], object]) -> None:
        """`seed` runs when the loop starts (a recurring job schedules its first run there, keyed,
        so a second process or a restart adds nothing); tests driving `run_pending` seed by hand."""
        self._seeds.append(seed)

    def wake(self) -> None:
        """Called after scheduling work that is due now, so it runs without waiting for the poll."""
        self._wake.set()
        if self._elsewhere is not None:
            self._elsewhere()

    def wake_here(self) -> None:
        """Wake this process's loop only: a nudge from another process."""
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
        with self._engine.connect() as conn:  # idle polls must not take the write lock
            if not any_due(conn, now):
                return 0
        with self._engine.begin() as conn:
            jobs = claim_due(conn, now, self.owner)
        for job in jobs:
            self._run(job)
        return len(jobs)

    def _run(self, job: Job) -> None:
        handler = self._handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler registered for job kind {job.kind!r}")
            crashpoints.reach(f"job.{job.kind}.run")
            handler(job)
            crashpoints.reach(f"job.{job.kind}.done")
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
        if self._locks is not None:
            self._locks.enter()
            self.release(self._locks.dead())
        for seed in self._seeds:
            try:
                seed()
            except Exception as exc:  # a seed that fails must not keep the loop from starting
                log.exception("scheduler start-up seed failed")
                sentry_sdk.capture_exception(exc)
        self._threads = [
            threading.Thread(target=self._loop, args=(poll_seconds,), name="warroom-scheduler", daemon=True),
            threading.Thread(target=self._heartbeat, name="warroom-heartbeat", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def release(self, dead: list[str]) -> None:
        """Release the leases of processes known to be dead, so their work runs now."""
        if not dead:
            return
        with self._engine.begin() as conn:
            released = sum(release_leases(conn, table, dead) for table in LEASED_TABLES)
        if released:
            log.info("took over %d leased rows of %d dead process(es)", released, len(dead))

    def renew(self) -> None:
        until = self._clock.now() + LEASE
        with self._engine.begin() as conn:
            for table in LEASED_TABLES:
                renew_leases(conn, table, self.owner, until)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        started = bool(self._threads)  # an API process beside a worker never started its own
        if self._locks is not None and started and not any(t.is_alive() for t in self._threads):
            self.release([self.owner])
            self._locks.leave()
        self._threads = []

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                self.renew()
            except Exception as exc:  # a missed beat only shortens a lease
                log.exception("lease heartbeat failed")
                sentry_sdk.capture_exception(exc)

    def _loop(self, poll_seconds: float) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_pending()
            except Exception as exc:  # the loop must survive a bad round
                log.exception("scheduler round failed")
                sentry_sdk.capture_exception(exc)
            self._wake.wait(poll_seconds)
