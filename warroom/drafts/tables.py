"""Drafts: one row per message to one audience on one channel; `key` makes drafting idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base

__all__ = ["DraftRow"]

PK = BigInteger().with_variant(Integer(), "sqlite")


class DraftRow(Base):
    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(32))
    audience: Mapped[str] = mapped_column(String(255))
    recipients: Mapped[list[str]] = mapped_column(doc="email addresses or channel ids")
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    public: Mapped[bool]
    facts_used: Mapped[dict[str, Any]]
    problems: Mapped[list[str]] = mapped_column(doc="grounding problems; a draft with any is not sendable")
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    written_for: Mapped[str | None] = mapped_column(String(4), doc="the incident's severity when written")
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
