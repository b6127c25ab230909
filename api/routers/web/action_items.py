"""The web UI's action-item board: what postmortems committed to, overdue first, with the person who
owns each, its due date, where its ticket lives, and "Mark done" (the same action as the API's)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Id, WarroomDep
from api.errors import status_of
from api.routers.web.render import render, see
from api.web_sessions import CheckedDep, SessionDep
from flows.actions.action_items import complete_action_item
from flows.tickets import sync_tickets
from warroom.action_items import store as action_items
from warroom.action_items.store import ActionItem, TicketState
from warroom.errors import ActionError

__all__ = ["board", "router"]

router = APIRouter(tags=["web"], include_in_schema=False)
SOON = timedelta(days=2)
DONE_SHOWN = timedelta(days=30)
_OPEN = (TicketState.OPEN, TicketState.IN_PROGRESS)


def board(items: list[ActionItem], now: datetime) -> dict[str, list[ActionItem]]:
    """The columns: overdue, due within two days, the rest still open, done or canceled in the last 30 days."""
    columns: dict[str, list[ActionItem]] = {"overdue": [], "soon": [], "open": [], "done": []}
    for item in items:
        if item.status in _OPEN:
            column = "overdue" if item.due < now else "soon" if item.due < now + SOON else "open"
            columns[column].append(item)
        elif (item.completed_at or item.created_at) >= now - DONE_SHOWN:
            columns["done"].append(item)
    return columns


def _page(
    request: Request,
    warroom: WarroomDep,
    csrf: str,
    *,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    now = warroom.clock.now()
    with warroom.engine.connect() as conn:
        items = action_items.list_items(conn)
    context: dict[str, Any] = {
        "columns": board(items, now),
        "now": now,
        "csrf": csrf,
        "notice": notice,
        "error": error,
        "tracker": warroom.tracker.name,
    }
    return render(request, "action_items.html", context, status_code=status_code)


@router.get("/action-items", response_class=HTMLResponse)
def action_items_page(request: Request, warroom: WarroomDep, session: SessionDep) -> HTMLResponse:
    done = request.query_params.get("done")
    notice = {"completed": "Marked done; the incident's timeline says who.", "synced": "Tickets read back."}.get(
        done or ""
    )
    return _page(request, warroom, session.csrf, notice=notice)


@router.post("/action-items/{item_id}/complete")
def complete(item_id: Id, request: Request, warroom: WarroomDep, session: CheckedDep) -> Response:
    try:
        warroom.act(complete_action_item, item_id, session.actor)
    except ActionError as exc:
        return _page(request, warroom, session.csrf, error=exc.message, status_code=status_of(exc))
    return see("/action-items?done=completed")


@router.post("/action-items/sync")
def sync(request: Request, warroom: WarroomDep, session: CheckedDep) -> Response:
    try:
        warroom.act(sync_tickets, warroom.tracker)
    except ActionError as exc:
        return _page(request, warroom, session.csrf, error=exc.message, status_code=status_of(exc))
    return see("/action-items?done=synced")
