"""`/api/action-items`: what postmortems committed to, with owners and due dates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Authorized, WarroomDep
from flows.actions.action_items import complete_action_item
from warroom.action_items import store as action_items
from warroom.action_items.store import ActionItem, TicketState
from warroom.actors import Actor, ActorKind

__all__ = ["router"]

router = APIRouter(prefix="/api/action-items", tags=["action items"])


@router.get("", response_model=list[ActionItem])
def list_action_items(
    warroom: WarroomDep,
    _: Authorized,
    status_: Annotated[TicketState | None, Query(alias="status")] = None,
    incident_id: int | None = None,
) -> list[ActionItem]:
    with warroom.engine.connect() as conn:
        return action_items.list_items(conn, incident_id=incident_id, status=status_)


@router.post("/{item_id}/complete", response_model=ActionItem)
def complete(item_id: int, warroom: WarroomDep, _: Authorized) -> ActionItem:
    return warroom.act(complete_action_item, item_id, Actor(kind=ActorKind.API, name="api"))
