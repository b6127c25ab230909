"""The web_sessions table: one row per signed-in browser, found by a digest of its cookie."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base

__all__ = ["WebSessionRow"]


class WebSessionRow(Base):
    __tablename__ = "web_sessions"

    id_digest: Mapped[str] = mapped_column(
        String(64), primary_key=True, doc="SHA-256 of the cookie's random id: a copy of the table opens no session"
    )
    csrf: Mapped[str] = mapped_column(String(64))
    credential: Mapped[str] = mapped_column(
        String(64),
        doc="a keyed digest of the token signed in with (the API token's, or the user's); another means signed out",
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(
        doc="the user who signed in with their own token; none for the shared API token"
    )
