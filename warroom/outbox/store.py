"""Enqueue and claim outbox rows.

Promises: `enqueue` with a key already present changes nothing and returns False; a claimed
row is leased, so two workers never send it at once; a row is marked sent only after its
sender returned, and a crashed worker's lease is released so the row is retried, not lost.
A row whose send cannot be repeated safely is marked attempted, committed, before the send: a
retry then knows an earlier attempt may have arrived (`OutboxItem.attempted_at`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from warroom.db import table_of
from warroom.keys import outbox_lane
from warroom.kinds import OutboxKind
from warroom.leases import LEASE, lease_free, take_lease
from warroom.outbox.models import OutboxRecord
from warroom.outbox.tables import OutboxRow
from warroom.upsert import insert_ignore

__all__ = [
    "OutboxItem",
    "any_due",
    "claim_due",
    "count_unsent",
    "enqueue",
    "get_row",
    "lane_of",
    "list_rows",
    "mark_attempted",
    "mark_cancelled",
    "mark_failed",
    "mark_sent",
    "mark_unknown",
    "reschedule",
    "retry",
    "sent_result",
]

MAX_ATTEMPTS = 12
ORDERED_FAMILIES = {
    OutboxKind.STATUS_POST.family,
    OutboxKind.WAR_ROOM_POST.family,
    OutboxKind.POSTMORTEM_PUBLISH.family,
}


class OutboxItem:
    __slots__ = ("attempted_at", "attempts", "created_at", "id", "idempotency_key", "incident_id", "kind", "payload")

    def __init__(self, row: Any) -> None:
        self.id: int = row.id
        self.kind: str = row.kind
        self.idempotency_key: str = row.idempotency_key
        self.incident_id: int | None = row.incident_id
        self.payload: dict[str, Any] = row.payload
        self.attempts: int = row.attempts
        self.created_at: datetime = row.created_at
        self.attempted_at: datetime | None = row.attempted_at
        """Set when an earlier attempt began and its outcome never got recorded (the process died)."""

    @property
    def mark(self) -> str:
        """The key at a fixed length (32 hex characters), for receivers that carry our mark on
        what we send them (a Message-ID, status-page metadata, Slack message metadata)."""
        return hashlib.sha256(self.idempotency_key.encode()).hexdigest()[:32]


def enqueue(
    conn: Connection,
    *,
    key: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    incident_id: int | None = None,
    not_before: datetime | None = None,
) -> bool:
    table = table_of(OutboxRow)
    values = dict(
        idempotency_key=key,
        kind=kind,
        incident_id=incident_id,
        payload=payload,
        state="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=not_before or now,
        lane=lane_of(kind, incident_id),
    )
    return insert_ignore(conn, table, values, ["idempotency_key"]) is not None


def lane_of(kind: str, incident_id: int | None) -> str | None:
    """A status page and a war room must see an incident's posts in order (the first post opens
    the page incident or the channel), and a postmortem page its versions (the first creates it);
    customer messages to different people need no order."""
    family = kind.split(".", 1)[0]
    return outbox_lane(incident_id, family) if incident_id is not None and family in ORDERED_FAMILIES else None


def _due(conn: Connection, now: datetime, limit: int) -> list[int]:
    """Ids of due rows with no earlier row pending in their lane, soonest first."""
    table = table_of(OutboxRow)
    earlier = aliased(table)
    waits_in_lane = exists().where(
        earlier.c.lane == table.c.lane, earlier.c.state == "pending", earlier.c.id < table.c.id
    )
    return list(
        conn.execute(
            select(table.c.id)
            .where(
                table.c.state == "pending",
                table.c.next_attempt_at <= now,
                lease_free(table, now),
                or_(table.c.lane.is_(None), ~waits_in_lane),
            )
            .order_by(table.c.next_attempt_at, table.c.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )


def any_due(conn: Connection, now: datetime) -> bool:
    """Whether `claim_due` would find a row, read without a write lock (see the scheduler's)."""
    return bool(_due(conn, now, 1))


def claim_due(
    conn: Connection, now: datetime, owner: str, *, limit: int = 20, lease: timedelta = LEASE
) -> list[OutboxItem]:
    table = table_of(OutboxRow)
    claimed: list[OutboxItem] = []
    for row_id in _due(conn, now, limit):
        won = take_lease(conn, table, row_id, now, lease, owner)
        if won is not None:
            claimed.append(OutboxItem(won))
    return claimed


def mark_attempted(conn: Connection, item_id: int, now: datetime) -> None:
    """Commit this before a send that cannot be repeated safely."""
    table = table_of(OutboxRow)
    conn.execute(update(table).where(table.c.id == item_id).values(attempted_at=now))


def mark_sent(conn: Connection, item_id: int, now: datetime, result: dict[str, Any] | None = None) -> None:
    table = table_of(OutboxRow)
    conn.execute(
        update(table)
        .where(table.c.id == item_id)
        .values(
            state="sent",
            sent_at=now,
            lease_until=None,
            lease_owner=None,
            attempted_at=None,
            result=result,
            last_error=None,
        )
    )


def reschedule(conn: Connection, item_id: int, at: datetime, error: str, *, may_have_arrived: bool = False) -> None:
    """Try again at `at`. Unless the failed attempt `may_have_arrived` (then the next one checks
    first), it is known not to have gone out."""
    table = table_of(OutboxRow)
    values: dict[str, Any] = dict(next_attempt_at=at, lease_until=None, lease_owner=None, last_error=error[:2000])
    if not may_have_arrived:
        values["attempted_at"] = None
    conn.execute(update(table).where(table.c.id == item_id).values(**values))


def mark_failed(conn: Connection, item_id: int, error: str) -> None:
    """Give up on a row (a permanent 4xx or too many attempts): the dead letter, kept for a human."""
    table = table_of(OutboxRow)
    conn.execute(
        update(table)
        .where(table.c.id == item_id)
        .values(state="failed", lease_until=None, lease_owner=None, attempted_at=None, last_error=error[:2000])
    )


def mark_cancelled(conn: Connection, item_id: int, reason: str) -> None:
    """Never to be sent: what it says stopped being true before it went (see `Guard`)."""
    table = table_of(OutboxRow)
    conn.execute(
        update(table)
        .where(table.c.id == item_id)
        .values(state="cancelled", lease_until=None, lease_owner=None, last_error=reason[:2000])
    )


def mark_unknown(conn: Connection, item_id: int, error: str) -> None:
    """An attempt may or may not have arrived and the receiver cannot be asked: never re-sent
    blindly, left for a human to check and retry or drop."""
    table = table_of(OutboxRow)
    conn.execute(
        update(table)
        .where(table.c.id == item_id)
        .values(state="unknown", lease_until=None, lease_owner=None, last_error=error[:2000])
    )


def retry(conn: Connection, item_id: int, now: datetime) -> bool:
    """A human's decision to send a dead or unknown row (again): due now, with fresh attempts.
    False when there is no such row, or it is pending or sent."""
    table = table_of(OutboxRow)
    return (
        conn.execute(
            update(table)
            .where(table.c.id == item_id, table.c.state.in_(["failed", "unknown"]))
            .values(
                state="pending", attempts=0, next_attempt_at=now, attempted_at=None, lease_until=None, lease_owner=None
            )
        ).rowcount
        == 1
    )


def queued(conn: Connection, key: str) -> bool:
    """Whether a row with this key was ever queued, whatever became of it."""
    table = table_of(OutboxRow)
    return conn.execute(select(table.c.id).where(table.c.idempotency_key == key)).first() is not None


def sent_result(conn: Connection, key: str) -> dict[str, Any] | None:
    """What the receiver answered for the row with this key once it was sent (a ticket's id)."""
    table = table_of(OutboxRow)
    return conn.execute(select(table.c.result).where(table.c.idempotency_key == key, table.c.state == "sent")).scalar()


def get_row(conn: Connection, item_id: int) -> OutboxRecord | None:
    table = table_of(OutboxRow)
    row = conn.execute(select(table).where(table.c.id == item_id)).first()
    return OutboxRecord.model_validate(row._mapping) if row else None


def list_rows(
    conn: Connection, *, states: list[str] | None = None, incident_id: int | None = None, limit: int = 200
) -> list[OutboxRecord]:
    table = table_of(OutboxRow)
    query = select(table).order_by(table.c.id.desc()).limit(limit)
    if states:
        query = query.where(table.c.state.in_(states))
    if incident_id is not None:
        query = query.where(table.c.incident_id == incident_id)
    return [OutboxRecord.model_validate(row._mapping) for row in conn.execute(query)]


def count_unsent(conn: Connection, *, key_prefix: str, other_than: int) -> int:
    """Rows of one effect group (keys sharing `key_prefix`, e.g. one draft's recipients) not yet
    sent, leaving out the row being sent now: a group is done only when this comes back 0."""
    table = table_of(OutboxRow)
    query = select(func.count()).where(
        table.c.idempotency_key.startswith(key_prefix, autoescape=True),
        table.c.state != "sent",
        table.c.id != other_than,
    )
    return int(conn.execute(query).scalar_one())
