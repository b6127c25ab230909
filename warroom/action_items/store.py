"""Action items: filed idempotently from a postmortem, listed, completed.

An item's `status` is its ticket's state in the tracker's common vocabulary (`TicketState`), so
the built-in tracker and a synced Linear/Jira ticket read the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, select, update

from warroom.action_items.tables import ActionItemRow
from warroom.db import table_of
from warroom.upsert import insert_ignore

__all__ = [
    "ActionItem",
    "TicketState",
    "complete",
    "create_item",
    "set_state",
    "set_tracker_ref",
    "get_item",
    "get_item_by_key",
    "get_items",
    "list_items",
]

ITEMS = table_of(ActionItemRow)


class TicketState(StrEnum):
    """Where an action item's ticket stands, whichever tracker holds it."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELED = "canceled"


class ActionItem(BaseModel):
    id: int
    key: str
    incident_id: int
    title: str
    owner: str
    due: datetime
    priority: str
    source: str
    status: TicketState
    tracker_ref: str | None
    created_at: datetime
    completed_at: datetime | None


def create_item(conn: Connection, *, key: str, values: dict[str, Any]) -> int | None:
    return insert_ignore(conn, ITEMS, {"key": key, "status": TicketState.OPEN, **values}, ["key"])


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


def get_item_by_key(conn: Connection, key: str) -> ActionItem | None:
    row = conn.execute(select(ITEMS).where(ITEMS.c.key == key)).first()
    return ActionItem.model_validate(row._mapping) if row else None


def get_items(conn: Connection, item_ids: Sequence[int]) -> list[ActionItem]:
    if not item_ids:
        return []
    rows = conn.execute(select(ITEMS).where(ITEMS.c.id.in_(list(item_ids))).order_by(ITEMS.c.id))
    return [ActionItem.model_validate(r._mapping) for r in rows]


def set_tracker_ref(conn: Connection, item_id: int, ref: str) -> None:
    """Where the item's ticket lives (`ENG-12 https://linear.app/…`)."""
    conn.execute(update(ITEMS).where(ITEMS.c.id == item_id).values(tracker_ref=ref[:255]))


def set_state(conn: Connection, item_id: int, state: TicketState, now: datetime) -> bool:
    """The ticket's state as its tracker reports it; False when it was already that."""
    values: dict[str, Any] = {"status": state, "completed_at": now if state is TicketState.DONE else None}
    result = conn.execute(update(ITEMS).where(ITEMS.c.id == item_id, ITEMS.c.status != state).values(**values))
    return result.rowcount == 1


def complete(conn: Connection, item_id: int, now: datetime) -> bool:
    """Done from open or in progress; False when the item is missing, already done or canceled."""
    result = conn.execute(
        update(ITEMS)
        .where(ITEMS.c.id == item_id, ITEMS.c.status.in_([TicketState.OPEN, TicketState.IN_PROGRESS]))
        .values(status=TicketState.DONE, completed_at=now)
    )
    return result.rowcount == 1
