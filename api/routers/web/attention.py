"""The web UI's "Needs a human": jobs that gave up and sends that gave up or whose outcome is
unknown, on their own page and on their incident's page, each with a button that retries it as
`POST /api/jobs|outbox/{id}/retry` does."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from api.composition import Warroom
from api.deps import Id, WarroomDep
from api.routers import dead_letters
from api.routers.web.render import render, see
from api.web_sessions import CheckedDep, SessionDep
from warroom.outbox import store as outbox
from warroom.scheduler import store as jobs

__all__ = ["needs_human", "router"]

router = APIRouter(tags=["web"], include_in_schema=False)


def needs_human(warroom: Warroom, incident_id: int | None = None) -> dict[str, Any]:
    """The template context of `_needs_human.html` (for one incident, or all)."""
    with warroom.engine.connect() as conn:
        failed_jobs = jobs.list_jobs(conn, states=["failed"], incident_id=incident_id)
        held_sends = outbox.list_rows(conn, states=["failed", "unknown"], incident_id=incident_id)
    return {"failed_jobs": failed_jobs, "held_sends": held_sends, "back_incident": incident_id}


@router.get("/attention", response_class=HTMLResponse)
def attention_page(request: Request, warroom: WarroomDep, session: SessionDep) -> HTMLResponse:
    return render(request, "attention.html", {**needs_human(warroom), "csrf": session.csrf})


@router.post("/retry/{what}/{item_id}")
def retry(
    what: Literal["jobs", "outbox"],
    item_id: Id,
    warroom: WarroomDep,
    _: CheckedDep,
    back_incident: Annotated[int | None, Form(ge=1)] = None,
) -> RedirectResponse:
    """Back to the incident page the button was on, or to /attention. A 409 means someone else
    retried it first; the page then shows where it stands."""
    try:
        (dead_letters.rerun_job if what == "jobs" else dead_letters.resend)(warroom, item_id)
    except HTTPException as exc:
        if exc.status_code != status.HTTP_409_CONFLICT:
            raise
    return see(f"/incidents/{back_incident}" if back_incident else "/attention")
