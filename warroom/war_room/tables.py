"""War-room messages, whichever channel carried them (built-in, or mirrored from Slack)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base

__all__ = ["WarRoomMessageRow"]

PK = BigInteger().with_variant(Integer(), "sqlite")


class WarRoomMessageRow(Base):
    __tablename__ = "war_room_messages"

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(default=False)
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True, doc="Slack ts, for dedup")
