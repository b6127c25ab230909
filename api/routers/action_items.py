"""`/api/action-items`: what postmortems committed to, with owners and due dates."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status

from api.deps import Authorized, Id, IdFilter, WarroomDep
from api.errors import documented
from warroom.action_items import store as action_items
from warroom.action_items.store import ActionItem

__all__ = ["router"]

router = APIRouter(prefix="/api/action-items", tags=["action items"], responses=documented(401, 422))


@router.get("", response_model=list[ActionItem])
def list_action_items(
    warroom: WarroomDep,
    _: Authorized,
    status_: Annotated[Literal["open", "done"] | None, Query(alias="status")] = None,
    incident_id: IdFilter = None,
) -> list[ActionItem]:
    with warroom.engine.connect() as conn:
        return action_items.list_items(conn, incident_id=incident_id, status=status_)


@router.post("/{item_id}/complete", response_model=ActionItem, responses=documented(404, 409))
def complete(item_id: Id, warroom: WarroomDep, _: Authorized) -> ActionItem:
    with warroom.engine.begin() as conn:
        if not action_items.complete(conn, item_id, warroom.clock.now()):
            exists = action_items.get_item(conn, item_id) is not None
            raise HTTPException(
                status.HTTP_409_CONFLICT if exists else status.HTTP_404_NOT_FOUND,
                f"action item {item_id} is already done" if exists else f"action item {item_id} not found",
            )
        item = action_items.get_item(conn, item_id)
    assert item is not None
    return item
