"""The worker's raw-payload retention: every hour, the raw payloads of alerts received more than
`raw_payload_retention_days` ago are pruned (`warroom.alerts.retention`), keeping the alerts.

Each batch is its own short transaction, and the run pauses between batches as long as the batch
held the write lock, so an ingest waiting on SQLite's lock gets it within one batch. A run stops
after about a second of work and continues a moment later as a new job, so the scheduler thread
is never held for long: a year of payloads pruned at once (a first upgrade) is many small runs.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import Connection

from flows.context import Context
from warroom import keys
from warroom.alerts.retention import prune_raw_payloads
from warroom.kinds import JobKind
from warroom.scheduler.engine import Scheduler
from warroom.scheduler.store import Job, schedule

__all__ = ["BATCH", "PruneRun", "RetentionFlow", "prune", "schedule_prune"]

log = logging.getLogger(__name__)

BATCH = 1000
"""Alerts per transaction: ~10-30 ms of write lock on SQLite."""
RUN_SECONDS = 1.0
"""Work per job run before the scheduler thread is handed back."""
EVERY = timedelta(hours=1)
SOON = timedelta(seconds=2)


class PruneRun(BaseModel):
    pruned: int
    batches: int
    more: bool
    """Stopped at the run's budget with payloads still due: the next run follows at once."""


def _next_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + EVERY


def schedule_prune(conn: Connection, now: datetime, *, soon: bool = False) -> bool:
    """The next run: at the next whole hour (keyed by it, so every process and restart asks for
    the same one), or `soon` to continue a run that stopped at its budget."""
    due = now + SOON if soon else _next_hour(now)
    return schedule(conn, key=keys.raw_payload_prune(due), kind=JobKind.RETENTION_PRUNE, due_at=due, payload={})


def prune(ctx: Context, *, batch: int = BATCH, budget_seconds: float = RUN_SECONDS) -> PruneRun:
    """Prune batch after batch until none is left or the budget is spent. Nothing when retention
    is 0 (kept forever)."""
    days = ctx.settings.raw_payload_retention_days
    if not days:
        return PruneRun(pruned=0, batches=0, more=False)
    now = ctx.clock.now()
    cutoff = now - timedelta(days=days)
    started = time.monotonic()
    pruned = batches = 0
    while True:
        began = time.monotonic()
        with ctx.engine.begin() as conn:
            count = prune_raw_payloads(conn, received_before=cutoff, now=now, limit=batch)
        pruned += count
        batches += count > 0
        if count < batch:
            return PruneRun(pruned=pruned, batches=batches, more=False)
        if time.monotonic() - started >= budget_seconds:
            return PruneRun(pruned=pruned, batches=batches, more=True)
        time.sleep(time.monotonic() - began)  # as long as the batch held the lock: waiting writers get in


class RetentionFlow:
    def __init__(self, context: Context) -> None:
        self.context = context

    def register(self, scheduler: Scheduler) -> None:
        scheduler.register(JobKind.RETENTION_PRUNE, self.handle_prune)
        scheduler.at_start(self.seed)

    def seed(self) -> None:
        """The first run, when a worker starts (keyed by the hour: one however many start)."""
        if self.context.settings.raw_payload_retention_days:
            with self.context.engine.begin() as conn:
                schedule_prune(conn, self.context.clock.now())

    def handle_prune(self, job: Job) -> None:
        ctx = self.context
        run = prune(ctx)
        if run.pruned:
            log.info(
                "pruned the raw payloads of %d alerts older than %d days in %d batches",
                run.pruned,
                ctx.settings.raw_payload_retention_days,
                run.batches,
            )
        if ctx.settings.raw_payload_retention_days:
            with ctx.engine.begin() as conn:
                schedule_prune(conn, ctx.clock.now(), soon=run.more)
