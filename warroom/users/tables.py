"""The users table: people with their own sign-in, so what they do carries their name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base

__all__ = ["UserRow"]

PK = BigInteger().with_variant(Integer(), "sqlite")


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16), doc="responder (acts) or viewer (looks)")
    token_digest: Mapped[str] = mapped_column(
        String(64), unique=True, doc="SHA-256 of the personal sign-in token; the token itself is shown once"
    )
    created_at: Mapped[datetime]
