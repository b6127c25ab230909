"""Action items: filed idempotently from a postmortem, listed, completed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, select, update

from warroom.action_items.tables import ActionItemRow
from warroom.db import table_of
from warroom.upsert import insert_ignore

__all__ = ["ActionItem", "complete", "create_item", "get_item", "list_items"]

ITEMS = table_of(ActionItemRow)


class ActionItem(BaseModel):
    id: int
    incident_id: int
    title: str
    owner: str
    due: datetime
    priority: str
    source: str
    status: str
    tracker_ref: str | None
    created_at: datetime
    completed_at: datetime | None


def create_item(conn: Connection, *, key: str, values: dict[str, Any]) -> int | None:
    return insert_ignore(conn, ITEMS, {"key": key, "status": "open", **values}, ["key"])


def list_items(conn: Connection, *, incident_id: int | None = None, status: str | None = None) -> list[ActionItem]:
    query = select(ITEMS).order_by(ITEMS.c.due, ITEMS.c.id)
    if incident_id is not None:
        query = query.where(ITEMS.c.incident_id == incident_id)
    if status is not None:
        query = query.where(ITEMS.c.status == status)
    return [ActionItem.model_validate(r._mapping) for r in conn.execute(query)]


def get_item(conn: Connection, item_id: int) -> ActionItem | None:
    row = conn.execute(select(ITEMS).where(ITEMS.c.id == item_id)).first()
    return ActionItem.model_validate(row._mapping) if row else None


def complete(conn: Connection, item_id: int, now: datetime) -> bool:
    result = conn.execute(
        update(ITEMS).where(ITEMS.c.id == item_id, ITEMS.c.status == "open").values(status="done", completed_at=now)
    )
    return result.rowcount == 1
