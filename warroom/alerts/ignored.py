"""Authentic deliveries that became no alert, kept with the reason: ignored ones (well-formed
events that are not alerts, answered 202) and quarantined ones (bodies that could not be read or
normalised, answered 202 or 4xx as their source's retry rules want).

A source that changes its payload, or an event type nobody mapped yet, would otherwise vanish
without a trace; this table is where "why did warroom not open an incident?" gets answered.
Only a safe subset of headers is kept (never `Authorization` or signatures). An ignored body is
cut at `MAX_BODY_BYTES` so a flood of ignored events cannot fill the disk; a quarantined one is
kept whole (it is within the request size limit), since it may be an alert we failed to read.
Bytes that are not UTF-8, and NUL (no database column takes it), are kept as `\\xNN` escapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
    select,
)

from warroom.alerts.models import MAX_SOURCE
from warroom.db import Base, JSONType, UTCDateTime
from warroom.untrusted import clean_text

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
    Column("source", String(MAX_SOURCE), nullable=False),
    Column("reason", Text, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("headers", JSONType, nullable=False),
    Column("body", Text, nullable=False),
    Column("body_size", Integer, nullable=False),
    Column("quarantined", Boolean, nullable=False, server_default=false()),
    Index("ix_ignored_deliveries_source_received", "source", "received_at"),
)


class IgnoredDelivery(BaseModel):
    id: int
    source: str
    reason: str
    received_at: datetime
    headers: dict[str, str]
    body: str
    body_size: int = Field(description="bytes received; an ignored `body` holds at most MAX_BODY_BYTES of them")
    quarantined: bool = Field(description="could not be read or normalised (else: read, and not an alert)")


def record_ignored(
    engine: Engine,
    *,
    source: str,
    reason: str,
    received_at: datetime,
    headers: Mapping[str, str],
    body: bytes,
    quarantined: bool = False,
) -> int:
    """Store one delivery in its own short transaction; returns its id."""
    kept = {name: clean_text(value) for name, value in headers.items() if name.lower() in KEPT_HEADERS}
    text = (body if quarantined else body[:MAX_BODY_BYTES]).decode("utf-8", "backslashreplace")
    with engine.begin() as conn:
        return conn.execute(
            IGNORED_DELIVERIES.insert()
            .values(
                source=source[:MAX_SOURCE],
                reason=clean_text(reason),
                received_at=received_at,
                headers=kept,
                body=text.replace("\x00", "\\x00"),
                body_size=len(body),
                quarantined=quarantined,
            )
            .returning(IGNORED_DELIVERIES.c.id)
        ).scalar_one()


def recent_ignored(
    conn: Connection, *, source: str | None = None, quarantined: bool | None = None, limit: int = 100
) -> list[IgnoredDelivery]:
    """Newest first, optionally for one source, only quarantined or only ignored ones."""
    query = select(IGNORED_DELIVERIES).order_by(IGNORED_DELIVERIES.c.id.desc()).limit(limit)
    if source is not None:
        query = query.where(IGNORED_DELIVERIES.c.source == source)
    if quarantined is not None:
        query = query.where(IGNORED_DELIVERIES.c.quarantined.is_(quarantined))
    return [IgnoredDelivery.model_validate(row._mapping) for row in conn.execute(query)]
