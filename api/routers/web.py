"""The built-in web UI: where a founder works an incident when Slack is not configured.

Server-rendered with jinja2; htmx swaps fragments for war-room posts, draft decisions and the
postmortem editor, and every form also works as a plain post without JavaScript. Signing in takes
the API token; the session is a signed HttpOnly SameSite=Lax cookie holding a CSRF token that every
state-changing form sends back. Actions are `flows.actions`, the same functions the REST API,
Slack and the CLI call; a refusal is shown on the page with its status code.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel, ValidationError

from api.composition import Warroom
from api.deps import WarroomDep
from api.errors import status_of
from flows.actions import findings as finding_actions
from flows.actions import incidents as actions
from flows.actions import postmortems as postmortem_actions
from flows.actions.drafts import Decision, decide_draft, get_draft
from warroom.actors import Actor, ActorKind
from warroom.drafts import store as drafts
from warroom.drafts.models import DraftRecord
from warroom.errors import ActionError
from warroom.findings.models import Verdict
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.postmortems import store as postmortems
from warroom.severity import Severity
from warroom.war_room import store as war_room

__all__ = ["SESSION_COOKIE", "router"]

SESSION_COOKIE = "warroom_session"
SESSION_HOURS = 12
ACTOR = Actor(kind=ActorKind.WEB, name="web")
NOTICES = {
    "acknowledged": "Acknowledged.",
    "severity": "Severity change queued; the page updates once it is applied.",
    "resolving": "Resolution queued: the all-clear goes out and the postmortem draft appears below.",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

_here = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=_here / "templates")
templates.env.filters["when"] = lambda at: at.strftime("%Y-%m-%d %H:%M:%S UTC") if isinstance(at, datetime) else ""
router = APIRouter(tags=["web"], include_in_schema=False)
router.mount("/static", StaticFiles(directory=_here / "static"), name="static")


class Session(BaseModel):
    csrf: str


def _signer(warroom: Warroom) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(warroom.secret_key, salt="warroom.web.session")


def current_session(request: Request, warroom: WarroomDep) -> Session:
    """A missing or forged cookie sends the browser to /login (htmx gets HX-Redirect instead)."""
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        try:
            return Session.model_validate(_signer(warroom).loads(raw, max_age=SESSION_HOURS * 3600))
        except (BadSignature, ValidationError):
            pass
    target = f"/login?next={request.url.path}"
    if request.headers.get("hx-request"):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in again", headers={"HX-Redirect": target})
    raise HTTPException(status.HTTP_303_SEE_OTHER, "sign in first", headers={"Location": target})


SessionDep = Annotated[Session, Depends(current_session)]


def checked_session(session: SessionDep, csrf: Annotated[str, Form()] = "") -> Session:
    if not hmac.compare_digest(csrf.encode(), session.csrf.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this form is stale or not ours; reload the page")
    return session


CheckedDep = Annotated[Session, Depends(checked_session)]


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response = templates.TemplateResponse(request, f"web/{name}", context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def _local(path: str) -> str:
    """Only redirect to our own pages after login (no open redirect)."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/incidents"


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def _text(value: str) -> str:
    """Browsers submit textareas with CRLF line ends; the stored texts use LF."""
    return value.replace("\r\n", "\n")


def _htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


@router.get("/")
def home() -> RedirectResponse:
    return _see("/incidents")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/incidents") -> HTMLResponse:  # noqa: A002
    return _render(request, "login.html", {"next": _local(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    warroom: WarroomDep,
    token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/incidents",
) -> Response:  # noqa: A002
    if not hmac.compare_digest(token.strip().encode(), warroom.api_token.encode()):
        return _render(
            request,
            "login.html",
            {"next": _local(next), "error": "That is not the API token."},
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    response = _see(_local(next))
    cookie = _signer(warroom).dumps(Session(csrf=secrets.token_urlsafe(24)).model_dump())
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(_: CheckedDep) -> RedirectResponse:
    response = _see("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/incidents", response_class=HTMLResponse)
def incident_list(request: Request, warroom: WarroomDep, session: SessionDep) -> HTMLResponse:
    with warroom.engine.connect() as conn:
        found = incidents.list_incidents(conn, limit=200)
    open_ = [i for i in found if i.status is not IncidentStatus.RESOLVED]
    recent = [i for i in found if i.status is IncidentStatus.RESOLVED][:50]
    return _render(request, "incidents.html", {"open": open_, "recent": recent, "csrf": session.csrf})


def _incident(warroom: Warroom, incident_id: int) -> Incident:
    try:
        return actions.get_incident(warroom.context, incident_id)
    except ActionError as exc:
        raise HTTPException(status_of(exc), exc.message) from exc


def _room(warroom: Warroom, incident_id: int) -> list[war_room.WarRoomMessage]:
    """Pinned messages first, each group in the order they were posted."""
    with warroom.engine.connect() as conn:
        return sorted(war_room.list_messages(conn, incident_id), key=lambda m: not m.pinned)


def _postmortem(warroom: Warroom, incident: Incident, saved: bool = False) -> dict[str, Any]:
    with warroom.engine.connect() as conn:
        versions = postmortems.history(conn, incident.id)
    return {"incident": incident, "versions": versions, "latest": versions[-1] if versions else None, "saved": saved}


def _page(
    request: Request,
    warroom: Warroom,
    session: Session,
    incident_id: int,
    *,
    error: str | None = None,
    draft_errors: dict[int, dict[str, Any]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    incident = _incident(warroom, incident_id)
    with warroom.engine.connect() as conn:
        draft_list = drafts.list_drafts(conn, incident_id=incident_id)
    return _render(
        request,
        "incident.html",
        {
            "incident": incident,
            "messages": _room(warroom, incident_id),
            "drafts": draft_list,
            "draft_errors": draft_errors or {},
            "csrf": session.csrf,
            "error": error,
            "notice": NOTICES.get(request.query_params.get("done", "")),
            "severities": list(Severity),
            "findings": finding_actions.list_findings(warroom.context, incident_id),
            **_postmortem(warroom, incident),
            "resolving": request.query_params.get("done") == "resolving",
        },
        status_code=status_code,
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(incident_id: int, request: Request, warroom: WarroomDep, session: SessionDep) -> HTMLResponse:
    return _page(request, warroom, session, incident_id)


@router.get("/incidents/{incident_id}/war-room", response_class=HTMLResponse)
def war_room_messages(incident_id: int, request: Request, warroom: WarroomDep, _: SessionDep) -> HTMLResponse:
    _incident(warroom, incident_id)
    return _render(request, "_messages.html", {"incident_id": incident_id, "messages": _room(warroom, incident_id)})


@router.get("/incidents/{incident_id}/timeline", response_class=HTMLResponse)
def timeline(incident_id: int, request: Request, warroom: WarroomDep, _: SessionDep) -> HTMLResponse:
    return _render(request, "_timeline.html", {"incident": _incident(warroom, incident_id), "oob": False})


@router.post("/incidents/{incident_id}/war-room")
def post_message(
    incident_id: int,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    text: Annotated[str, Form(min_length=1, max_length=10_000)],
) -> Response:
    """A message with a labelled line ("tried: …", "cause: …") is also a timeline note (`post_message`)."""
    text = _text(text).strip()
    if text:
        try:
            warroom.act(actions.post_message, incident_id, text, ACTOR)
        except ActionError as exc:
            raise HTTPException(status_of(exc), exc.message) from exc
    if not _htmx(request):
        return _see(f"/incidents/{incident_id}#war-room")
    return _render(
        request,
        "_war_room_posted.html",
        {
            "incident": _incident(warroom, incident_id),
            "incident_id": incident_id,
            "messages": _room(warroom, incident_id),
            "csrf": session.csrf,
            "oob": True,
        },
    )


def _act(
    request: Request,
    warroom: Warroom,
    session: Session,
    incident_id: int,
    done: str,
    action: Callable[..., object],
    *args: object,
    **kwargs: object,
) -> Response:
    """Run one action on the incident; its refusal (409 already resolved, …) is shown on the page."""
    try:
        warroom.act(action, incident_id, *args, **kwargs)
    except ActionError as exc:
        return _page(request, warroom, session, incident_id, error=exc.message, status_code=status_of(exc))
    return _see(f"/incidents/{incident_id}?done={done}")


@router.post("/incidents/{incident_id}/acknowledge")
def acknowledge(incident_id: int, request: Request, warroom: WarroomDep, session: CheckedDep) -> Response:
    return _act(request, warroom, session, incident_id, "acknowledged", actions.acknowledge, ACTOR)


@router.post("/incidents/{incident_id}/severity")
def set_severity(
    incident_id: int, request: Request, warroom: WarroomDep, session: CheckedDep, severity: Annotated[Severity, Form()]
) -> Response:
    return _act(request, warroom, session, incident_id, "severity", actions.set_severity, severity, ACTOR)


@router.post("/incidents/{incident_id}/resolve")
def resolve(
    incident_id: int,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    summary: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    summary = _text(summary).strip()
    return _act(request, warroom, session, incident_id, "resolving", actions.resolve, ACTOR, summary=summary)


def _draft(warroom: Warroom, incident_id: int, draft_id: int) -> DraftRecord:
    try:
        return get_draft(warroom.context, draft_id, incident_id=incident_id)
    except ActionError as exc:
        raise HTTPException(status_of(exc), exc.message) from exc


def _draft_view(
    request: Request, draft: DraftRecord, csrf: str, failure: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    return _render(request, "_draft.html", {"draft": draft, "csrf": csrf, "failure": failure}, status_code=status_code)


@router.get("/incidents/{incident_id}/drafts/{draft_id}", response_class=HTMLResponse)
def draft_fragment(
    incident_id: int, draft_id: int, request: Request, warroom: WarroomDep, session: SessionDep
) -> HTMLResponse:
    return _draft_view(request, _draft(warroom, incident_id, draft_id), session.csrf)


@router.post("/incidents/{incident_id}/drafts/{draft_id}/{decision}")
def decide(
    incident_id: int,
    draft_id: int,
    decision: Decision,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    body: Annotated[str | None, Form(max_length=25_000)] = None,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Approve (the edited text when one is sent) or reject, as `decide_draft` decides."""
    _draft(warroom, incident_id, draft_id)
    edited = _text(body) if body is not None else None
    try:
        draft = warroom.act(decide_draft, draft_id, decision, ACTOR, body=edited or None, reason=reason.strip())
    except ActionError as exc:
        failure = {"message": exc.message, "problems": exc.problems, "body": edited}
        code = status_of(exc)
        if _htmx(request):
            return _draft_view(request, _draft(warroom, incident_id, draft_id), session.csrf, failure, code)
        return _page(request, warroom, session, incident_id, draft_errors={draft_id: failure}, status_code=code)
    if not _htmx(request):
        return _see(f"/incidents/{incident_id}#draft-{draft_id}")
    return _draft_view(request, draft, session.csrf)


@router.get("/incidents/{incident_id}/findings", response_class=HTMLResponse)
def findings_fragment(incident_id: int, request: Request, warroom: WarroomDep, session: SessionDep) -> HTMLResponse:
    incident = _incident(warroom, incident_id)
    found = finding_actions.list_findings(warroom.context, incident_id)
    return _render(request, "_findings.html", {"incident": incident, "findings": found, "csrf": session.csrf})


@router.post("/incidents/{incident_id}/findings/{finding_id}/verdict")
def judge_finding(
    incident_id: int,
    finding_id: int,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    verdict: Annotated[Verdict, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A responder's right / partly / wrong on the AI's hypothesis, as the REST API records it."""
    try:
        warroom.act(finding_actions.judge_finding, incident_id, finding_id, verdict, ACTOR, note)
    except ActionError as exc:
        raise HTTPException(status_of(exc), exc.message) from exc
    if not _htmx(request):
        return _see(f"/incidents/{incident_id}#findings")
    return findings_fragment(incident_id, request, warroom, session)


@router.get("/incidents/{incident_id}/postmortem", response_class=HTMLResponse)
def postmortem_fragment(
    incident_id: int, request: Request, warroom: WarroomDep, session: SessionDep, resolving: bool = False
) -> HTMLResponse:
    context = _postmortem(warroom, _incident(warroom, incident_id))
    return _render(request, "_postmortem.html", {**context, "csrf": session.csrf, "resolving": resolving})


@router.post("/incidents/{incident_id}/postmortem")
def save_postmortem(
    incident_id: int,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    markdown: Annotated[str, Form(min_length=1, max_length=500_000)],
) -> Response:
    """A new version, exactly as PUT /api/incidents/{id}/postmortem saves one (diff, blame flags)."""
    try:
        warroom.act(postmortem_actions.save_postmortem, incident_id, _text(markdown), ACTOR)
    except ActionError as exc:
        raise HTTPException(status_of(exc), exc.message) from exc
    if not _htmx(request):
        return _see(f"/incidents/{incident_id}#postmortem")
    context = _postmortem(warroom, _incident(warroom, incident_id), saved=True)
    return _render(request, "_postmortem.html", {**context, "csrf": session.csrf, "resolving": False})
