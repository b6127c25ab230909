"""Email subscribers of the built-in status page: double opt-in (a row is pending until its
confirmation link is opened), one row per address, deleted outright on unsubscribe.

Addresses are personal data: nothing here logs them, and callers must not either."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select, update

from warroom.db import table_of
from warroom.status_page.tables import SubscriberRow
from warroom.upsert import insert_ignore

__all__ = ["Subscriber", "confirm", "confirmed", "get", "subscribe", "unsubscribe"]

SUBSCRIBERS = table_of(SubscriberRow)


@dataclass(frozen=True, slots=True)
class Subscriber:
    id: int
    email: str
    nonce: str
    confirmed: bool


def _of(row: object) -> Subscriber:
    return Subscriber(row.id, row.email, row.nonce, row.confirmed_at is not None)  # type: ignore[attr-defined]


def subscribe(conn: Connection, email: str, now: datetime) -> Subscriber:
    """The subscriber for `email` (normalised by the caller), pending if new; an existing one,
    pending or confirmed, is returned as it is."""
    insert_ignore(conn, SUBSCRIBERS, dict(email=email, nonce=secrets.token_hex(16), created_at=now), ["email"])
    return _of(conn.execute(select(SUBSCRIBERS).where(SUBSCRIBERS.c.email == email)).one())


def get(conn: Connection, subscriber_id: int, nonce: str) -> Subscriber | None:
    """The subscriber a link names, if it still exists under the same subscription."""
    row = conn.execute(
        select(SUBSCRIBERS).where(SUBSCRIBERS.c.id == subscriber_id, SUBSCRIBERS.c.nonce == nonce)
    ).one_or_none()
    return None if row is None else _of(row)


def confirm(conn: Connection, subscriber_id: int, nonce: str, now: datetime) -> bool:
    """Confirmed now (or already); False when the subscription no longer exists."""
    found = get(conn, subscriber_id, nonce)
    if found is None:
        return False
    if not found.confirmed:
        conn.execute(update(SUBSCRIBERS).where(SUBSCRIBERS.c.id == subscriber_id).values(confirmed_at=now))
    return True


def unsubscribe(conn: Connection, subscriber_id: int, nonce: str) -> bool:
    """The address is forgotten; False when it was already."""
    gone = conn.execute(delete(SUBSCRIBERS).where(SUBSCRIBERS.c.id == subscriber_id, SUBSCRIBERS.c.nonce == nonce))
    return bool(gone.rowcount)


def confirmed(conn: Connection) -> list[Subscriber]:
    return [
        _of(r)
        for r in conn.execute(
            select(SUBSCRIBERS).where(SUBSCRIBERS.c.confirmed_at.is_not(None)).order_by(SUBSCRIBERS.c.id)
        )
    ]
