"""What needs a human: work that gave up (the dead letters) and sends of unknown outcome.

Shown by `/healthz`, the web UI and the API; each item is retried by a human
(`warroom jobs retry ID`, `warroom outbox retry ID`, or the buttons beside it).
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import Connection, func, select

from warroom.db import table_of
from warroom.outbox.tables import OutboxRow
from warroom.scheduler.tables import JobRow

__all__ = ["Attention", "attention"]


class Attention(BaseModel):
    failed_jobs: int
    failed_sends: int
    unknown_sends: int
    stuck_incidents: list[int]
    """Incidents with a job that gave up: their graph or a flow of theirs stopped."""

    @property
    def clear(self) -> bool:
        return not (self.failed_jobs or self.failed_sends or self.unknown_sends)


def attention(conn: Connection) -> Attention:
    jobs, outbox = table_of(JobRow), table_of(OutboxRow)
    failed_jobs = conn.execute(select(func.count()).select_from(jobs).where(jobs.c.state == "failed")).scalar_one()
    sends = dict(
        conn.execute(
            select(outbox.c.state, func.count())
            .where(outbox.c.state.in_(["failed", "unknown"]))
            .group_by(outbox.c.state)
        ).all()
    )
    stuck = conn.execute(
        select(jobs.c.incident_id)
        .where(jobs.c.state == "failed", jobs.c.incident_id.is_not(None))
        .distinct()
        .order_by(jobs.c.incident_id)
    ).scalars()
    return Attention(
        failed_jobs=failed_jobs,
        failed_sends=sends.get("failed", 0),
        unknown_sends=sends.get("unknown", 0),
        stuck_incidents=list(stuck),
    )
