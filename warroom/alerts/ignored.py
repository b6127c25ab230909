"""Deliveries we answered 202 but turned into no alert, kept with the reason.

A source that changes its payload, or an event type nobody mapped yet, would otherwise vanish
without a trace; this table is where "why did warroom not open an incident?" gets answered.
Only a safe subset of headers is kept (never `Authorization` or signatures), and the body is
cut at `MAX_BODY_BYTES` so a flood of ignored events cannot fill the disk.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    select,
)

from warroom.db import Base, JSONType, UTCDateTime

__all__ = [
    "IGNORED_DELIVERIES",
    "KEPT_HEADERS",
    "MAX_BODY_BYTES",
    "IgnoredDelivery",
    "record_ignored",
    "recent_ignored",
]

MAX_BODY_BYTES = 64 * 1024
KEPT_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "user-agent",
        "request-id",
        "x-request-id",
        "sentry-hook-resource",
        "sentry-hook-timestamp",
        "x-webhook-id",
        "x-webhook-subscription",
    }
)

IGNORED_DELIVERIES = Table(
    "ignored_deliveries",
    Base.metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("source", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("headers", JSONType, nullable=False),
    Column("body", Text, nullable=False),
    Column("body_size", Integer, nullable=False),
    Index("ix_ignored_deliveries_source_received", "source", "received_at"),
)


class IgnoredDelivery(BaseModel):
    id: int
    source: str
    reason: str
    received_at: datetime
    headers: dict[str, str]
    body: str
    body_size: int = Field(description="bytes received; `body` holds at most MAX_BODY_BYTES of them")


def record_ignored(
    engine: Engine,
    *,
    source: str,
    reason: str,
    received_at: datetime,
    headers: Mapping[str, str],
    body: bytes,
) -> int:
    """Store one ignored delivery in its own short transaction; returns its id."""
    kept = {name: value for name, value in headers.items() if name.lower() in KEPT_HEADERS}
    text = body[:MAX_BODY_BYTES].decode("utf-8", errors="replace")
    with engine.begin() as conn:
        return conn.execute(
            IGNORED_DELIVERIES.insert()
            .values(
                source=source[:32], reason=reason, received_at=received_at, headers=kept, body=text, body_size=len(body)
            )
            .returning(IGNORED_DELIVERIES.c.id)
        ).scalar_one()


def recent_ignored(conn: Connection, *, source: str | None = None, limit: int = 100) -> list[IgnoredDelivery]:
    """Newest first, optionally for one source."""
    query = select(IGNORED_DELIVERIES).order_by(IGNORED_DELIVERIES.c.id.desc()).limit(limit)
    if source is not None:
        query = query.where(IGNORED_DELIVERIES.c.source == source)
    return [IgnoredDelivery.model_validate(row._mapping) for row in conn.execute(query)]
