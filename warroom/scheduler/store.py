"""Schedule, claim and finish jobs. A job's lane is busy while any job in it is leased."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, or_, select, text, update
from sqlalchemy.orm import aliased

from warroom.db import table_of
from warroom.leases import lease_free, take_lease
from warroom.scheduler.tables import JobRow
from warroom.upsert import insert_ignore

__all__ = ["Job", "cancel", "claim_due", "finish", "retry_later", "schedule"]


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    key: str
    kind: str
    lane: str | None
    payload: dict[str, Any]
    due_at: datetime
    attempts: int


def schedule(
    conn: Connection,
    *,
    key: str,
    kind: str,
    due_at: datetime,
    payload: dict[str, Any] | None = None,
    lane: str | None = None,
) -> bool:
    """Returns False when a job with this key already exists (scheduled, running or done)."""
    values = dict(key=key, kind=kind, lane=lane, payload=payload or {}, state="pending", due_at=due_at, attempts=0)
    return insert_ignore(conn, table_of(JobRow), values, ["key"]) is not None


def cancel(conn: Connection, key_prefix: str) -> None:
    table = table_of(JobRow)
    conn.execute(
        update(table).where(table.c.key.startswith(key_prefix), table.c.state == "pending").values(state="cancelled")
    )


def claim_due(
    conn: Connection, now: datetime, *, limit: int = 20, lease: timedelta = timedelta(minutes=5)
) -> list[Job]:
    """Lease due jobs, at most one per lane and none of a lane already leased. A lane is read
    before it is claimed, so claimers take turns: SQLite's `BEGIN IMMEDIATE` does that, and on
    PostgreSQL a transaction-scoped advisory lock does (otherwise two workers, both reading the
    lane as free, would each lease a different job of one incident)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('warroom.jobs.claim_due'))"))
    table = table_of(JobRow)
    other = aliased(table_of(JobRow))
    lane_busy = exists().where(
        and_(
            other.c.lane == table.c.lane,
            other.c.id != table.c.id,
            other.c.state == "pending",
            other.c.lease_until > now,
        )
    )
    candidates = conn.execute(
        select(table.c.id, table.c.lane)
        .where(
            table.c.state == "pending",
            table.c.due_at <= now,
            lease_free(table, now),
            or_(table.c.lane.is_(None), ~lane_busy),
        )
        .order_by(table.c.due_at, table.c.id)
        .limit(limit)
    ).all()
    claimed: list[Job] = []
    lanes: set[str] = set()
    for job_id, lane in candidates:
        if lane is not None and lane in lanes:
            continue
        row = take_lease(conn, table, job_id, now, lease)
        if row is None:
            continue
        if lane is not None:
            lanes.add(lane)
        claimed.append(Job(row.id, row.key, row.kind, row.lane, row.payload, row.due_at, row.attempts))
    return claimed


def finish(conn: Connection, job_id: int, now: datetime) -> None:
    table = table_of(JobRow)
    conn.execute(update(table).where(table.c.id == job_id).values(state="done", done_at=now, lease_until=None))


def retry_later(conn: Connection, job_id: int, at: datetime, error: str, *, give_up: bool = False) -> None:
    table = table_of(JobRow)
    values: dict[str, Any] = dict(lease_until=None, last_error=error[:2000], due_at=at)
    if give_up:
        values["state"] = "failed"
    conn.execute(update(table).where(table.c.id == job_id).values(**values))
