"""Schedule, claim and finish jobs. A job's lane is busy while any job in it is leased."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, or_, select, text, update
from sqlalchemy.orm import aliased

from warroom.db import table_of
from warroom.leases import LEASE, lease_free, take_lease
from warroom.scheduler.models import JobRecord
from warroom.scheduler.tables import JobRow
from warroom.upsert import insert_ignore

__all__ = [
    "Job",
    "JobRecord",
    "any_due",
    "cancel",
    "claim_due",
    "finish",
    "get_job",
    "list_jobs",
    "retry",
    "retry_later",
    "schedule",
]


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
    """Returns False when a job with this key already exists (scheduled, running or done). A job
    whose payload names an `incident_id` is filed under that incident (its page shows it)."""
    payload = payload or {}
    incident_id = payload.get("incident_id")
    values = dict(
        key=key,
        kind=kind,
        lane=lane,
        payload=payload,
        state="pending",
        due_at=due_at,
        attempts=0,
        incident_id=int(incident_id) if incident_id is not None else None,
    )
    return insert_ignore(conn, table_of(JobRow), values, ["key"]) is not None


def cancel(conn: Connection, key_prefix: str) -> None:
    table = table_of(JobRow)
    conn.execute(
        update(table).where(table.c.key.startswith(key_prefix), table.c.state == "pending").values(state="cancelled")
    )


def bring_forward(conn: Connection, key: str, due_at: datetime) -> bool:
    """Make the pending job `key` due by `due_at` (a human asked for it now); False when it is not
    pending any more (already running or done), so the caller can say so."""
    table = table_of(JobRow)
    moved = conn.execute(
        update(table).where(table.c.key == key, table.c.state == "pending").values(due_at=due_at)
    ).rowcount
    return bool(moved)


def _due(conn: Connection, now: datetime, limit: int) -> list[tuple[int, str | None]]:
    """(id, lane) of due jobs whose lane is free, soonest first."""
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
    rows = conn.execute(
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
    return [(job_id, lane) for job_id, lane in rows]


def any_due(conn: Connection, now: datetime) -> bool:
    """Whether `claim_due` would find a job, read without a write lock: a poll that finds none
    then never takes SQLite's write lock, which the API's ingest would otherwise wait behind."""
    return bool(_due(conn, now, 1))


def claim_due(conn: Connection, now: datetime, owner: str, *, limit: int = 20, lease: timedelta = LEASE) -> list[Job]:
    """Lease due jobs, at most one per lane and none of a lane already leased. A lane is read
    before it is claimed, so claimers take turns: SQLite's `BEGIN IMMEDIATE` does that, and on
    PostgreSQL a transaction-scoped advisory lock does (otherwise two workers, both reading the
    lane as free, would each lease a different job of one incident)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('warroom.jobs.claim_due'))"))
    table = table_of(JobRow)
    claimed: list[Job] = []
    lanes: set[str] = set()
    for job_id, lane in _due(conn, now, limit):
        if lane is not None and lane in lanes:
            continue
        row = take_lease(conn, table, job_id, now, lease, owner)
        if row is None:
            continue
        if lane is not None:
            lanes.add(lane)
        claimed.append(Job(row.id, row.key, row.kind, row.lane, row.payload, row.due_at, row.attempts))
    return claimed


def finish(conn: Connection, job_id: int, now: datetime) -> None:
    table = table_of(JobRow)
    conn.execute(
        update(table).where(table.c.id == job_id).values(state="done", done_at=now, lease_until=None, lease_owner=None)
    )


def retry_later(conn: Connection, job_id: int, at: datetime, error: str, *, give_up: bool = False) -> None:
    table = table_of(JobRow)
    values: dict[str, Any] = dict(lease_until=None, lease_owner=None, last_error=error[:2000], due_at=at)
    if give_up:
        values["state"] = "failed"
    conn.execute(update(table).where(table.c.id == job_id).values(**values))


def get_job(conn: Connection, job_id: int) -> JobRecord | None:
    table = table_of(JobRow)
    row = conn.execute(select(table).where(table.c.id == job_id)).first()
    return JobRecord.model_validate(row._mapping) if row else None


def pending_by_prefix(conn: Connection, key_prefix: str) -> list[tuple[str, datetime]]:
    """(key, due_at) of the pending jobs whose key starts with `key_prefix`, soonest first."""
    table = table_of(JobRow)
    query = (
        select(table.c.key, table.c.due_at)
        .where(table.c.key.startswith(key_prefix, autoescape=True), table.c.state == "pending")
        .order_by(table.c.due_at)
    )
    return [(row.key, row.due_at) for row in conn.execute(query)]


def list_jobs(
    conn: Connection, *, states: list[str] | None = None, incident_id: int | None = None, limit: int = 200
) -> list[JobRecord]:
    table = table_of(JobRow)
    query = select(table).order_by(table.c.id.desc()).limit(limit)
    if states:
        query = query.where(table.c.state.in_(states))
    if incident_id is not None:
        query = query.where(table.c.incident_id == incident_id)
    return [JobRecord.model_validate(row._mapping) for row in conn.execute(query)]


def retry(conn: Connection, job_id: int, now: datetime) -> bool:
    """A human's retry of a job that gave up (or was cancelled): due now, with fresh attempts.
    False when there is no such job, or it is pending or done."""
    table = table_of(JobRow)
    return (
        conn.execute(
            update(table)
            .where(table.c.id == job_id, table.c.state.in_(["failed", "cancelled"]))
            .values(state="pending", attempts=0, due_at=now, lease_until=None, lease_owner=None)
        ).rowcount
        == 1
    )
