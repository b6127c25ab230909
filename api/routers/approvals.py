"""Approvals: list drafts waiting for a human, approve (optionally edited) or reject them, and the
signed one-click link that opens a confirmation page (safe against mail scanners that follow
links: a GET never decides anything; the button on the page does). Whoever holds a valid link
acts as "one-click link": the page posts nothing the server would take as the actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from api.deps import Authorized, Id, IdFilter, WarroomDep
from api.errors import documented
from api.routers.status_page import templates
from api.routing import UntrustedJSONRoute
from graphs.approvals import Action, DecisionError, decide, read_approval_token
from graphs.state import Context
from warroom.drafts import store as drafts
from warroom.drafts.models import DraftRecord, DraftState

__all__ = ["router"]

router = APIRouter(tags=["approvals"], route_class=UntrustedJSONRoute)
LINK_ACTOR = "one-click link"
API_REFUSALS = documented(401, 422)
DECISION_REFUSALS = documented(400, 401, 404, 409, 413, 422)
LINK_REFUSALS = documented(403, 404, 410, 422)


class ApproveIn(BaseModel):
    body: str | None = Field(default=None, min_length=1, max_length=25_000, description="an edited text")
    actor: str = Field(default="api", max_length=255)


class RejectIn(BaseModel):
    actor: str = Field(default="api", max_length=255)
    reason: str = Field(default="", max_length=2000)


def context(warroom: WarroomDep) -> Context:
    return warroom.runner.context


def _refused(exc: DecisionError) -> JSONResponse:
    return JSONResponse({"detail": exc.message, "problems": exc.problems}, status_code=exc.status)


def _decide(
    warroom: WarroomDep, draft_id: int, action: Action, *, actor: str, body: str | None = None, reason: str = ""
) -> DraftRecord | JSONResponse:
    try:
        record = decide(context(warroom), draft_id, action, actor=actor, body=body, reason=reason)
    except DecisionError as exc:
        return _refused(exc)
    warroom.scheduler.wake()
    return record


@router.get("/api/approvals", response_model=list[DraftRecord], responses=API_REFUSALS)
def list_approvals(
    warroom: WarroomDep,
    _: Authorized,
    state: Annotated[list[DraftState] | None, Query()] = None,
    incident_id: IdFilter = None,
) -> list[DraftRecord]:
    with warroom.engine.connect() as conn:
        return drafts.list_drafts(
            conn, incident_id=incident_id, states=state or [DraftState.PENDING, DraftState.BLOCKED]
        )


@router.get("/api/approvals/{draft_id}", response_model=DraftRecord, responses=documented(401, 404, 422))
def get_approval(draft_id: Id, warroom: WarroomDep, _: Authorized) -> DraftRecord:
    with warroom.engine.connect() as conn:
        draft = drafts.get_draft(conn, draft_id)
    if draft is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"draft {draft_id} not found")
    return draft


@router.post("/api/approvals/{draft_id}/approve", response_model=DraftRecord, responses=DECISION_REFUSALS)
def approve(draft_id: Id, warroom: WarroomDep, _: Authorized, body: ApproveIn | None = None):  # noqa: ANN201
    body = body or ApproveIn()
    return _decide(warroom, draft_id, Action.APPROVE, actor=body.actor, body=body.body)


@router.post("/api/approvals/{draft_id}/reject", response_model=DraftRecord, responses=DECISION_REFUSALS)
def reject(draft_id: Id, warroom: WarroomDep, _: Authorized, body: RejectIn | None = None):  # noqa: ANN201
    body = body or RejectIn()
    return _decide(warroom, draft_id, Action.REJECT, actor=body.actor, reason=body.reason)


def _token_draft(warroom: WarroomDep, token: str) -> DraftRecord:
    max_age = warroom.settings.approval_link_minutes * 60
    try:
        draft_id = read_approval_token(warroom.secret_key, token, max_age, warroom.clock.now())
    except DecisionError as exc:
        raise HTTPException(exc.status, exc.message) from exc
    with warroom.engine.connect() as conn:
        draft = drafts.get_draft(conn, draft_id)
    if draft is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this draft no longer exists")
    return draft


@router.get("/approve/{token}", response_class=HTMLResponse, responses=LINK_REFUSALS)
def approval_page(token: str, request: Request, warroom: WarroomDep) -> HTMLResponse:
    draft = _token_draft(warroom, token)
    return templates.TemplateResponse(request, "approve.html", {"draft": draft, "token": token, "done": None})


@router.post(
    "/approve/{token}",
    response_class=HTMLResponse,
    responses={**LINK_REFUSALS, **documented(404, html=True), **documented(409, 422, html=True, json=False)},
)
def approve_by_link(token: str, request: Request, warroom: WarroomDep) -> HTMLResponse:
    """Refusals of the link itself are a `Problem`; refusals of the decision are the page again."""
    draft = _token_draft(warroom, token)
    result = _decide(warroom, draft.id, Action.APPROVE, actor=LINK_ACTOR)
    if isinstance(result, JSONResponse):
        message = bytes(result.body).decode()
        return templates.TemplateResponse(
            request, "approve.html", {"draft": draft, "token": token, "done": message}, status_code=result.status_code
        )
    return templates.TemplateResponse(request, "approve.html", {"draft": result, "token": token, "done": "approved"})
