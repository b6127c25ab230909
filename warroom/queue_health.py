"""Is the machinery moving? The scheduler's lag and the outbox's backlog, for `/metrics` and
`/readyz`: a stalled scheduler or a stuck outbox means no update is posted and no page goes out,
while the process itself still answers `/healthz`."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import Connection, func, select

from warroom.db import table_of
from warroom.leases import lease_free
from warroom.outbox.tables import OutboxRow
from warroom.scheduler.tables import JobRow

__all__ = ["STALLED_AFTER_SECONDS", "QueueHealth", "queue_health"]

STALLED_AFTER_SECONDS = 120.0
"""Work due this long ago and still not taken means nothing is running it (the poll is 1 s)."""


class QueueHealth(BaseModel):
    jobs_pending: int
    jobs_failed: int
    scheduler_lag_seconds: float
    """How long the oldest due job has waited (0 when none is due)."""
    outbox_pending: int
    outbox_failed: int
    outbox_oldest_due_seconds: float
    """How long the oldest due send has waited to be attempted (0 when none is due)."""

    @property
    def problems(self) -> list[str]:
        found = []
        if self.scheduler_lag_seconds > STALLED_AFTER_SECONDS:
            found.append(f"scheduler stalled: a job has been due for {self.scheduler_lag_seconds:.0f} s")
        if self.outbox_oldest_due_seconds > STALLED_AFTER_SECONDS:
            found.append(f"outbox stuck: a send has been due for {self.outbox_oldest_due_seconds:.0f} s")
        return found


def _waited(now: datetime, since: datetime | None) -> float:
    if since is None:
        return 0.0
    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    return max(0.0, (now - since).total_seconds())


def queue_health(conn: Connection, now: datetime) -> QueueHealth:
    jobs, outbox = table_of(JobRow), table_of(OutboxRow)
    job_states = dict(conn.execute(select(jobs.c.state, func.count()).group_by(jobs.c.state)).all())
    send_states = dict(conn.execute(select(outbox.c.state, func.count()).group_by(outbox.c.state)).all())
    oldest_job = conn.execute(
        select(func.min(jobs.c.due_at)).where(jobs.c.state == "pending", jobs.c.due_at <= now, lease_free(jobs, now))
    ).scalar_one()
    oldest_send = conn.execute(
        select(func.min(outbox.c.next_attempt_at)).where(
            outbox.c.state == "pending", outbox.c.next_attempt_at <= now, lease_free(outbox, now)
        )
    ).scalar_one()
    return QueueHealth(
        jobs_pending=job_states.get("pending", 0),
        jobs_failed=job_states.get("failed", 0),
        scheduler_lag_seconds=_waited(now, oldest_job),
        outbox_pending=send_states.get("pending", 0),
        outbox_failed=send_states.get("failed", 0),
        outbox_oldest_due_seconds=_waited(now, oldest_send),
    )
