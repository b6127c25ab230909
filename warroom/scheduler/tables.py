"""Scheduled jobs; `key` is unique so scheduling the same job twice is a no-op, and `lane`
serialises jobs that must not run concurrently (one incident's graph). States: `pending`,
`done`, `cancelled`, and `failed` — the dead letter of a job that gave up, kept for a human
(`warroom jobs retry ID`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base

__all__ = ["JobRow"]

PK = BigInteger().with_variant(Integer(), "sqlite")


class JobRow(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    lane: Mapped[str | None] = mapped_column(String(128), index=True)
    payload: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(
        String(64), index=True, doc="boot id of the process holding the lease"
    )
    incident_id: Mapped[int | None] = mapped_column(PK, index=True, doc="the incident the job works on, if any")
    attempts: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
