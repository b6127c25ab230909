"""Postmortem versions; never updated in place, so the history is the table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base

__all__ = ["PostmortemVersionRow"]


class PostmortemVersionRow(Base):
    __tablename__ = "postmortem_versions"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    author: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    markdown: Mapped[str] = mapped_column(Text)
    diff: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any] | None] = mapped_column(doc="the structured draft (version 1 only)")
    blame_flags: Mapped[list[dict[str, Any]]]
