"""Messages of the built-in war room (and Slack messages mirrored into it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, select

from warroom.db import table_of
from warroom.upsert import insert_ignore
from warroom.war_room.tables import WarRoomMessageRow

__all__ = ["WarRoomMessage", "list_messages", "post_message"]

MESSAGES = table_of(WarRoomMessageRow)


class WarRoomMessage(BaseModel):
    id: int
    incident_id: int
    at: datetime
    author: str
    text: str
    pinned: bool


def post_message(
    conn: Connection,
    incident_id: int,
    *,
    at: datetime,
    author: str,
    text: str,
    pinned: bool = False,
    external_id: str | None = None,
) -> int | None:
    """With an `external_id` (a Slack ts, an outbox key) the same message is stored once."""
    values: dict[str, Any] = dict(
        incident_id=incident_id, at=at, author=author, text=text, pinned=pinned, external_id=external_id
    )
    if external_id is None:
        return conn.execute(MESSAGES.insert().values(**values).returning(MESSAGES.c.id)).scalar_one()
    return insert_ignore(conn, MESSAGES, values, ["external_id"])


def list_messages(conn: Connection, incident_id: int) -> list[WarRoomMessage]:
    rows = conn.execute(
        select(MESSAGES).where(MESSAGES.c.incident_id == incident_id).order_by(MESSAGES.c.at, MESSAGES.c.id)
    )
    return [
        WarRoomMessage(id=r.id, incident_id=r.incident_id, at=r.at, author=r.author, text=r.text, pinned=r.pinned)
        for r in rows
    ]
