"""`/api/action-items`: what postmortems committed to, with owners and due dates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from agents.coo.digest import Digest
from api.deps import Authorized, Id, IdFilter, WarroomDep
from api.errors import documented
from flows.actions.action_items import complete_action_item
from flows.tickets import SyncResult, build_digest, sync_tickets
from warroom.action_items import store as action_items
from warroom.action_items.store import ActionItem, TicketState
from warroom.actors import Actor, ActorKind

__all__ = ["router"]


router = APIRouter(prefix="/api/action-items", tags=["action items"], responses=documented(401, 422))


@router.get("", response_model=list[ActionItem])
def list_action_items(
    warroom: WarroomDep,
    _: Authorized,
    status_: Annotated[TicketState | None, Query(alias="status")] = None,
    incident_id: IdFilter = None,
) -> list[ActionItem]:
    with warroom.engine.connect() as conn:
        return action_items.list_items(conn, incident_id=incident_id, status=status_)


@router.post("/sync", response_model=SyncResult)
def sync(warroom: WarroomDep, _: Authorized) -> SyncResult:
    """Read back every open filed item's ticket from the tracker now (it also runs on a schedule)."""
    return warroom.act(sync_tickets, warroom.tracker)


@router.get("/digest", response_model=Digest)
def digest(warroom: WarroomDep, _: Authorized, days: Annotated[int, Query(ge=1, le=366)] = 7) -> Digest:
    """The last `days` days' digest (`/api/digest` takes an ISO week as well)."""
    return build_digest(warroom.context, days=days)


@router.post("/{item_id}/complete", response_model=ActionItem, responses=documented(404, 409))
def complete(item_id: Id, warroom: WarroomDep, _: Authorized) -> ActionItem:
    return warroom.act(complete_action_item, item_id, Actor(kind=ActorKind.API, name="api"))
