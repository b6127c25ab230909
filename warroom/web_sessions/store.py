"""Opening, finding and ending web sessions. A session is valid while it exists, has not
expired and was opened with the credential the server holds now; `find_session` promises
nothing else, so the caller compares the credential."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Connection, delete, select

from warroom.db import table_of
from warroom.web_sessions.tables import WebSessionRow

__all__ = ["WebSession", "end_expired", "end_session", "find_session", "open_session"]

SESSIONS = table_of(WebSessionRow)


class WebSession(BaseModel):
    csrf: str
    credential: str
    expires_at: datetime
    user_id: int | None = None


def open_session(
    conn: Connection,
    *,
    id_digest: str,
    csrf: str,
    credential: str,
    now: datetime,
    expires_at: datetime,
    user_id: int | None = None,
) -> None:
    conn.execute(
        SESSIONS.insert().values(
            id_digest=id_digest,
            csrf=csrf,
            credential=credential,
            created_at=now,
            expires_at=expires_at,
            user_id=user_id,
        )
    )


def find_session(conn: Connection, id_digest: str, now: datetime) -> WebSession | None:
    """The session, unless it does not exist or has expired."""
    row = conn.execute(
        select(SESSIONS.c.csrf, SESSIONS.c.credential, SESSIONS.c.expires_at, SESSIONS.c.user_id).where(
            SESSIONS.c.id_digest == id_digest, SESSIONS.c.expires_at > now
        )
    ).one_or_none()
    return WebSession.model_validate(row._mapping) if row is not None else None


def end_session(conn: Connection, id_digest: str) -> None:
    conn.execute(delete(SESSIONS).where(SESSIONS.c.id_digest == id_digest))


def end_expired(conn: Connection, now: datetime) -> int:
    return conn.execute(delete(SESSIONS).where(SESSIONS.c.expires_at <= now)).rowcount
