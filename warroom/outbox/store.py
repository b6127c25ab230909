"""Enqueue and claim outbox rows.

Promises: `enqueue` with a key already present changes nothing and returns False; a claimed
row is leased, so two workers never send it at once; a row is marked sent only after its
sender returned, and a crashed worker's lease expires so the row is retried, not lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from warroom.db import table_of
from warroom.keys import outbox_lane
from warroom.kinds import OutboxKind
from warroom.leases import lease_free, take_lease
from warroom.outbox.tables import OutboxRow
from warroom.upsert import insert_ignore

__all__ = [
    "OutboxItem",
    "claim_due",
    "count_unsent",
    "enqueue",
    "lane_of",
    "mark_failed",
    "mark_sent",
    "reschedule",
]

MAX_ATTEMPTS = 12
ORDERED_FAMILIES = {OutboxKind.STATUS_POST.family, OutboxKind.WAR_ROOM_POST.family, OutboxKind.POSTMORTEM_PUBLISH.family}


class OutboxItem:
    __slots__ = ("attempts", "id", "idempotency_key", "incident_id", "kind", "payload")

    def __init__(self, row: Any) -> None:
        self.id: int = row.id
        self.kind: str = row.kind
        self.idempotency_key: str = row.idempotency_key
        self.incident_id: int | None = row.incident_id
        self.payload: dict[str, Any] = row.payload
        self.attempts: int = row.attempts


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


def claim_due(
    conn: Connection, now: datetime, *, limit: int = 20, lease: timedelta = timedelta(minutes=2)
) -> list[OutboxItem]:
    table = table_of(OutboxRow)
    earlier = aliased(table)
    waits_in_lane = exists().where(
        earlier.c.lane == table.c.lane, earlier.c.state == "pending", earlier.c.id < table.c.id
    )
    rows = (
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
    claimed: list[OutboxItem] = []
    for row_id in rows:
        won = take_lease(conn, table, row_id, now, lease)
        if won is not None:
            claimed.append(OutboxItem(won))
    return claimed


def mark_sent(conn: Connection, item_id: int, now: datetime, result: dict[str, Any] | None = None) -> None:
    table = table_of(OutboxRow)
    conn.execute(
        update(table)
        .where(table.c.id == item_id)
        .values(state="sent", sent_at=now, lease_until=None, result=result, last_error=None)
    )


def reschedule(conn: Connection, item_id: int, at: datetime, error: str) -> None:
    table = table_of(OutboxRow)
    conn.execute(
        update(table).where(table.c.id == item_id).values(next_attempt_at=at, lease_until=None, last_error=error[:2000])
    )


def mark_failed(conn: Connection, item_id: int, error: str) -> None:
    """Give up on a row (a permanent 4xx or too many attempts); it stays visible, never deleted."""
    table = table_of(OutboxRow)
    conn.execute(
        update(table).where(table.c.id == item_id).values(state="failed", lease_until=None, last_error=error[:2000])
    )


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
