"""Findings of an incident's investigation, one row each; the verdict is the only later write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base

__all__ = ["FindingRow"]

PK = BigInteger().with_variant(Integer(), "sqlite")


class FindingRow(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255), unique=True, doc="one finding per investigation step")
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    made_by: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    finding: Mapped[dict[str, Any]] = mapped_column(doc="the grounded Finding as JSON")
    verdict: Mapped[str | None] = mapped_column(String(16))
    verdict_by: Mapped[str | None] = mapped_column(String(255))
    verdict_at: Mapped[datetime | None]
    verdict_note: Mapped[str | None] = mapped_column(Text)
