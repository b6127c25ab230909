"""Leasing a pending row (a job, an outbox message) to one worker at a time.

A lease is a deadline, not a lock: a worker that crashes holding one simply lets it expire, and
the row is claimed again; `take_lease` wins for exactly one claimer because it is a conditional
update.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Table, or_, update

__all__ = ["lease_free", "take_lease"]


def lease_free(table: Table, now: datetime) -> ColumnElement[bool]:
    return or_(table.c.lease_until.is_(None), table.c.lease_until <= now)


def take_lease(conn: Connection, table: Table, row_id: int, now: datetime, lease: timedelta) -> Row[Any] | None:
    """The row, leased until `now + lease` with its attempt counted; None if another worker has it."""
    return conn.execute(
        update(table)
        .where(table.c.id == row_id, table.c.state == "pending", lease_free(table, now))
        .values(lease_until=now + lease, attempts=table.c.attempts + 1)
        .returning(*table.c)
    ).first()
