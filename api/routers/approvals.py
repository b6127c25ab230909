"""Approvals: list drafts waiting for a human, approve (optionally edited) or reject them, and the
signed one-click link that opens a confirmation page (safe against mail scanners that follow
links: a GET never decides anything; the button on the page does). Whoever holds a valid link
acts as "one-click link": the page posts nothing the server would take as the actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.deps import Authorized, Id, IdFilter, WarroomDep
from api.errors import documented, status_of
from api.routers.status_page import templates
from api.routing import UntrustedJSONRoute
from flows.actions.drafts import Decision, decide_draft, draft_standing, get_draft, read_approval_token
from warroom.actors import Actor, ActorKind
from warroom.drafts import store as drafts
from warroom.drafts.models import DraftRecord, DraftState
from warroom.errors import ActionError

__all__ = ["router"]

router = APIRouter(tags=["approvals"], route_class=UntrustedJSONRoute)
LINK_ACTOR = Actor(kind=ActorKind.WEB, name="one-click link")
DECISION_REFUSALS = documented(400, 401, 404, 409, 413, 422)
LINK_REFUSALS = documented(403, 404, 410, 422)


class ApproveIn(BaseModel):
    body: str | None = Field(default=None, min_length=1, max_length=25_000, description="an edited text")
    actor: str = Field(default="api", min_length=1, max_length=255)


class RejectIn(BaseModel):
    actor: str = Field(default="api", min_length=1, max_length=255)
    reason: str = Field(default="", max_length=2000)


@router.get("/api/approvals", response_model=list[DraftRecord], responses=documented(401, 422))
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
    return get_draft(warroom.context, draft_id)


@router.post("/api/approvals/{draft_id}/approve", response_model=DraftRecord, responses=DECISION_REFUSALS)
def approve(draft_id: Id, warroom: WarroomDep, _: Authorized, body: ApproveIn | None = None) -> DraftRecord:
    body = body or ApproveIn()
    actor = Actor(kind=ActorKind.API, name=body.actor)
    return warroom.act(decide_draft, draft_id, Decision.APPROVE, actor, body=body.body)


@router.post("/api/approvals/{draft_id}/reject", response_model=DraftRecord, responses=DECISION_REFUSALS)
def reject(draft_id: Id, warroom: WarroomDep, _: Authorized, body: RejectIn | None = None) -> DraftRecord:
    body = body or RejectIn()
    actor = Actor(kind=ActorKind.API, name=body.actor)
    return warroom.act(decide_draft, draft_id, Decision.REJECT, actor, reason=body.reason)


def _token_draft(warroom: WarroomDep, token: str) -> DraftRecord:
    max_age = warroom.settings.approval_link_minutes * 60
    draft_id = read_approval_token(warroom.secret_key, token, max_age, warroom.clock.now())
    return get_draft(warroom.context, draft_id)


def _page(request: Request, warroom: WarroomDep, token: str, draft_id: int, **extra: object) -> dict[str, object]:
    """The page's context: the draft beside its incident as it is now, so nobody approves blind."""
    standing = draft_standing(warroom.context, draft_id)
    return {"draft": standing.draft, "incident": standing.incident, "stale": standing.stale, "token": token, **extra}


@router.get("/approve/{token}", response_class=HTMLResponse, responses=LINK_REFUSALS)
def approval_page(token: str, request: Request, warroom: WarroomDep) -> HTMLResponse:
    draft = _token_draft(warroom, token)
    return templates.TemplateResponse(request, "approve.html", _page(request, warroom, token, draft.id, done=None))


@router.post(
    "/approve/{token}",
    response_class=HTMLResponse,
    responses={**LINK_REFUSALS, **documented(404, html=True), **documented(409, 422, html=True, json=False)},
)
def approve_by_link(token: str, request: Request, warroom: WarroomDep) -> HTMLResponse:
    """A refusal of the link itself is a `Problem`; a refusal of the decision is the page again."""
    draft = _token_draft(warroom, token)
    try:
        decided = warroom.act(decide_draft, draft.id, Decision.APPROVE, LINK_ACTOR)
    except ActionError as exc:
        context = _page(request, warroom, token, draft.id, done=exc.message, problems=exc.problems)
        return templates.TemplateResponse(request, "approve.html", context, status_code=status_of(exc))
    context = _page(request, warroom, token, decided.id, done="approved")
    return templates.TemplateResponse(request, "approve.html", context)
