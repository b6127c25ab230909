"""Leasing a pending row (a job, an outbox message) to one process at a time.

A lease is a short deadline with an owner (the boot id of the process holding it), not a lock:
the owner renews its leases on a heartbeat while it works; a process that dies stops renewing,
and its rows are claimed again once the deadline passes, or at once when a restart on the same
host finds it dead (`warroom.processes`). `take_lease` wins for exactly one claimer because it
is a conditional update.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Table, or_, update

__all__ = ["LEASE", "lease_free", "release_leases", "renew_leases", "take_lease"]

LEASE = timedelta(seconds=30)
"""How long a row stays leased without a heartbeat; the heartbeat renews it every few seconds."""


def lease_free(table: Table, now: datetime) -> ColumnElement[bool]:
    return or_(table.c.lease_until.is_(None), table.c.lease_until <= now)


def take_lease(
    conn: Connection, table: Table, row_id: int, now: datetime, lease: timedelta, owner: str
) -> Row[Any] | None:
    """The row, leased to `owner` until `now + lease` with its attempt counted; None if another has it."""
    return conn.execute(
        update(table)
        .where(table.c.id == row_id, table.c.state == "pending", lease_free(table, now))
        .values(lease_until=now + lease, lease_owner=owner, attempts=table.c.attempts + 1)
        .returning(*table.c)
    ).first()


def renew_leases(conn: Connection, table: Table, owner: str, until: datetime) -> int:
    """The heartbeat: every lease `owner` still holds now runs until `until`."""
    return conn.execute(
        update(table)
        .where(table.c.lease_owner == owner, table.c.state == "pending", table.c.lease_until.is_not(None))
        .values(lease_until=until)
    ).rowcount


def release_leases(conn: Connection, table: Table, owners: Collection[str]) -> int:
    """Free the rows leased to processes known to be dead, for the next claimer to take now."""
    if not owners:
        return 0
    return conn.execute(
        update(table)
        .where(table.c.lease_owner.in_(list(owners)), table.c.state == "pending")
        .values(lease_until=None, lease_owner=None)
    ).rowcount
