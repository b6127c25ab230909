"""Outbox rows; the idempotency key is unique, so enqueueing the same effect twice is a no-op,
and rows sharing a lane (one incident's status page, one war room) go out in the order enqueued.
States: `pending`, `sent`, `failed` (the dead letter: refused for good or out of attempts) and
`unknown` (an attempt that may or may not have reached the receiver, which cannot be asked:
a human decides, `warroom outbox retry ID` sends it again)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base

__all__ = ["OutboxRow"]

PK = BigInteger().with_variant(Integer(), "sqlite")


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(512), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    incident_id: Mapped[int | None] = mapped_column(index=True)
    lane: Mapped[str | None] = mapped_column(
        String(128), index=True, doc="rows in one lane are sent in order, one at a time"
    )
    payload: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(
        String(64), index=True, doc="boot id of the process holding the lease"
    )
    attempted_at: Mapped[datetime | None] = mapped_column(
        doc="set, committed, before a send that cannot be repeated safely; cleared once its outcome is known"
    )
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None]
