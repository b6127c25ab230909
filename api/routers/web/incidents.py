"""The incident pages of the web UI: the list, one incident (severity and evidence, the AI's
findings, timeline, war room, drafts, postmortem) with its fragments for htmx, and the forms that
act on it.

Actions are `flows.actions`, the same functions the REST API, Slack and the CLI call, always as
the web actor (no form field names who acted); a refusal is shown on the page with its status
code. Form texts are normalised like every other input, and only http(s) URLs become links.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError

from api.composition import Warroom
from api.deps import Id, IdFilter, WarroomDep
from api.errors import status_of
from api.routers.web import charts
from api.routers.web.attention import needs_human
from api.routers.web.render import API_DIR, form_text, htmx, render, see
from api.web_sessions import CheckedDep, Session, SessionDep
from flows import needs_you, recurrence, severity_question
from flows.actions import findings as finding_actions
from flows.actions import incidents as actions
from flows.actions import postmortems as postmortem_actions
from flows.actions.declare import Declaration, declare
from flows.actions.drafts import Decision, decide_draft, get_draft
from warroom.alerts.retention import pruned_after_days
from warroom.alerts.store import event_counts
from warroom.drafts import store as drafts
from warroom.drafts.models import DraftRecord
from warroom.errors import ActionError
from warroom.findings.models import Verdict
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.postmortems import store as postmortems
from warroom.severity import Severity
from warroom.war_room import store as war_room

__all__ = ["router"]

NOTICES = {
    "stage": "Stage set: the status page's next post and every undecided draft follow it.",
    "update": "Update queued: it goes out now wherever this incident is being told (the war room, the status page), and the next one follows the cadence from here.",
    "declared": "Incident declared: it runs like any alert-opened incident, at the level you chose.",
    "joined": "An incident was already open for this: your declaration joined it.",
    "acknowledged": "Acknowledged.",
    "severity": "Severity change queued; the page updates once it is applied.",
    "resolving": "Resolution queued: the all-clear goes out and the postmortem draft appears below.",
}
router = APIRouter(tags=["web"], include_in_schema=False)
router.mount("/static", StaticFiles(directory=API_DIR / "static"), name="static")


RESOLVED_PAGE = 50
"""Resolved incidents per page of the list; older ones are a keyset page away (`?before=`)."""
MAX_OPEN = 500


@router.get("/incidents", response_class=HTMLResponse)
def incident_list(request: Request, warroom: WarroomDep, session: SessionDep, before: IdFilter = None) -> HTMLResponse:
    return _list_page(request, warroom, session, before=before)


@router.get("/incidents/rows", response_class=HTMLResponse)
def incident_rows(request: Request, warroom: WarroomDep, session: SessionDep, before: IdFilter = None) -> HTMLResponse:
    """The list's two tables alone, polled by the page so a new incident shows without a reload."""
    return _list_page(request, warroom, session, fragment=True, before=before)


def _list_page(
    request: Request,
    warroom: Warroom,
    session: Session,
    *,
    fragment: bool = False,
    declare_error: str | None = None,
    status_code: int = 200,
    before: int | None = None,
) -> HTMLResponse:
    """Every open incident by what needs attention (severity, then drafts waiting), then a page of
    the resolved, newest first, `before` the cursor of an older page."""
    with warroom.engine.connect() as conn:
        open_ = incidents.list_incidents(conn, open_only=True, limit=MAX_OPEN)
        resolved = incidents.list_incidents(
            conn, status=IncidentStatus.RESOLVED, limit=RESOLVED_PAGE + 1, before=before
        )
        needs = {n.incident_id: n for n in needs_you.open_needs(conn, warroom.settings)}
    open_.sort(key=lambda i: (i.severity.rank if i.severity else 9, -len(needs[i.id].waiting) if i.id in needs else 0))
    recent = resolved[:RESOLVED_PAGE]
    context = {
        "open": open_,
        "recent": recent,
        "before": before,
        "older": recent[-1].id if len(resolved) > RESOLVED_PAGE else None,
        "needs": needs,
        "waiting_count": sum(len(n.waiting) for n in needs.values()),
        "csrf": session.csrf,
        "severities": list(Severity),
        "declare_error": declare_error,
    }
    return render(request, "_incident_rows.html" if fragment else "incidents.html", context, status_code=status_code)


@router.post("/incidents/declare")
def declare_incident(
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    title: Annotated[str, Form(max_length=1000)],
    severity: Annotated[Severity, Form()],
    service: Annotated[str, Form(max_length=255)] = "",
    customers_see: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Declare by hand; a form the rules refuse (a title too short) is shown again with why."""
    try:
        declaration = Declaration(
            title=form_text(title),
            severity=severity,
            service=form_text(service).strip() or None,
            customers_see=form_text(customers_see),
        )
    except ValidationError as exc:
        problem = f"{exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}"
        return _list_page(request, warroom, session, declare_error=problem, status_code=422)
    done = warroom.act(declare, declaration, session.actor)
    return see(f"/incidents/{done.incident_id}?done={'joined' if done.joined else 'declared'}")


@router.get("/approvals", response_class=HTMLResponse)
def approvals_inbox(request: Request, warroom: WarroomDep, session: SessionDep) -> HTMLResponse:
    """Every open incident's asks in one place: approve from here, one click each."""
    with warroom.engine.connect() as conn:
        every = needs_you.open_needs(conn, warroom.settings)
    needs_list = [n for n in every if n.count or n.next_update_due]
    decided = next(((d, request.query_params[d]) for d in ("approve", "reject") if d in request.query_params), None)
    return render(
        request,
        "approvals.html",
        {
            "needs_list": needs_list,
            "waiting_count": sum(len(n.waiting) for n in every),
            "csrf": session.csrf,
            "back": "approvals",
            "decided": decided,
        },
    )


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


def _activity(warroom: Warroom, incident: Incident) -> list[charts.Bucket]:
    """Events per minute from the first event to the resolution (or now)."""
    with warroom.engine.connect() as conn:
        points = event_counts(conn, incident.id)
    end = incident.resolved_at or max(warroom.clock.now(), incident.last_seen)
    return charts.per_minute(points, incident.first_seen, end)


def _activity_caption(buckets: list[charts.Bucket]) -> str:
    if not buckets:
        return ""
    peak = max(buckets, key=lambda b: b.per_minute)
    last = buckets[-1]
    return (
        f"Peak {peak.per_minute:g} events/min at {peak.start:%H:%M} UTC; "
        f"{last.per_minute:g}/min in the latest interval from {last.start:%H:%M} UTC."
    )


@router.get("/incidents/{incident_id}/chart.svg")
def activity_chart(incident_id: Id, warroom: WarroomDep, _: SessionDep) -> Response:
    """The incident's events per minute with its markers, as an image (nothing in it runs)."""
    incident = _incident(warroom, incident_id)
    svg = charts.events_svg(_activity(warroom, incident), charts.markers(incident))
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


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
        needs = needs_you.needs_you(conn, incident, warroom.settings)
        recurs = recurrence.open_follow_ups(conn, incident, warroom.clock.now())
        page_note = severity_question.page_note(conn, incident, warroom.settings, warroom.clock.now())
        payload_pruned = pruned_after_days(conn, incident_id)
    return render(
        request,
        "incident.html",
        {
            **needs_human(warroom, incident_id),
            "incident": incident,
            "needs": needs,
            "recurs": recurs,
            "payload_pruned": payload_pruned,
            "back": "incident",
            "messages": _room(warroom, incident_id),
            "drafts": draft_list,
            "draft_errors": draft_errors or {},
            "csrf": session.csrf,
            "error": error,
            "notice": NOTICES.get(request.query_params.get("done", "")),
            "severities": list(Severity),
            "stages": actions.STAGES,
            "question": severity_question.pending(incident),
            "question_lead": severity_question.question_lead(incident) if incident.classification else "",
            "page_note": page_note,
            "findings": finding_actions.list_findings(warroom.context, incident_id),
            "activity": _activity_caption(_activity(warroom, incident)),
            **_postmortem(warroom, incident),
            "resolving": request.query_params.get("done") == "resolving",
        },
        status_code=status_code,
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(incident_id: Id, request: Request, warroom: WarroomDep, session: SessionDep) -> HTMLResponse:
    return _page(request, warroom, session, incident_id)


@router.get("/incidents/{incident_id}/war-room", response_class=HTMLResponse)
def war_room_messages(incident_id: Id, request: Request, warroom: WarroomDep, _: SessionDep) -> HTMLResponse:
    _incident(warroom, incident_id)
    return render(request, "_messages.html", {"incident_id": incident_id, "messages": _room(warroom, incident_id)})


@router.get("/incidents/{incident_id}/timeline", response_class=HTMLResponse)
def timeline(incident_id: Id, request: Request, warroom: WarroomDep, _: SessionDep) -> HTMLResponse:
    return render(request, "_timeline.html", {"incident": _incident(warroom, incident_id), "oob": False})


@router.post("/incidents/{incident_id}/war-room")
def post_message(
    incident_id: Id,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    text: Annotated[str, Form(min_length=1, max_length=10_000)],
) -> Response:
    """A message with a labelled line ("tried: …", "cause: …") is also a timeline note (`post_message`)."""
    text = form_text(text).strip()
    if text:
        try:
            warroom.act(actions.post_message, incident_id, text, session.actor)
        except ActionError as exc:
            raise HTTPException(status_of(exc), exc.message) from exc
    if not htmx(request):
        return see(f"/incidents/{incident_id}#war-room")
    return render(
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
    return see(f"/incidents/{incident_id}?done={done}")


@router.post("/incidents/{incident_id}/acknowledge")
def acknowledge(incident_id: Id, request: Request, warroom: WarroomDep, session: CheckedDep) -> Response:
    return _act(request, warroom, session, incident_id, "acknowledged", actions.acknowledge, session.actor)


@router.post("/incidents/{incident_id}/severity")
def set_severity(
    incident_id: Id,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    severity: Annotated[Severity, Form()],
    asked: Annotated[Severity | None, Form()] = None,
) -> Response:
    """A chosen level; with `asked`, the one-click answer to the rules' question about that level."""
    return _act(
        request, warroom, session, incident_id, "severity", actions.set_severity, severity, session.actor, asked=asked
    )


@router.post("/incidents/{incident_id}/stage")
def set_stage(
    incident_id: Id,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    stage: Annotated[IncidentStatus, Form()],
) -> Response:
    """Where the incident stands: the page's next post and every undecided draft follow it."""
    return _act(request, warroom, session, incident_id, "stage", actions.set_stage, stage, session.actor)


@router.post("/incidents/{incident_id}/update-now")
def post_update_now(
    incident_id: Id,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    stage: Annotated[IncidentStatus, Form()],
) -> Response:
    """The stage picker's second button: set where it stands and post the next update at once."""
    return _act(request, warroom, session, incident_id, "update", actions.post_update_now, session.actor, stage=stage)


@router.post("/incidents/{incident_id}/resolve")
def resolve(
    incident_id: Id,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    summary: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    summary = form_text(summary).strip()
    return _act(request, warroom, session, incident_id, "resolving", actions.resolve, session.actor, summary=summary)


def _draft(warroom: Warroom, incident_id: int, draft_id: int) -> DraftRecord:
    try:
        return get_draft(warroom.context, draft_id, incident_id=incident_id)
    except ActionError as exc:
        raise HTTPException(status_of(exc), exc.message) from exc


def _draft_view(
    request: Request, draft: DraftRecord, csrf: str, failure: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    return render(request, "_draft.html", {"draft": draft, "csrf": csrf, "failure": failure}, status_code=status_code)


@router.get("/incidents/{incident_id}/drafts/{draft_id}", response_class=HTMLResponse)
def draft_fragment(
    incident_id: Id, draft_id: Id, request: Request, warroom: WarroomDep, session: SessionDep
) -> HTMLResponse:
    return _draft_view(request, _draft(warroom, incident_id, draft_id), session.csrf)


@router.post("/incidents/{incident_id}/drafts/{draft_id}/{decision}")
def decide(
    incident_id: Id,
    draft_id: Id,
    decision: Decision,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    body: Annotated[str | None, Form(max_length=25_000)] = None,
    reason: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[Literal["incident", "approvals"], Form()] = "incident",
) -> Response:
    """Approve (the edited text when one is sent) or reject, as `decide_draft` decides; a plain
    post returns to the page it came from (`back`: the incident, or the approvals inbox)."""
    _draft(warroom, incident_id, draft_id)
    edited = form_text(body) if body is not None else None
    try:
        draft = warroom.act(
            decide_draft, draft_id, decision, session.actor, body=edited or None, reason=form_text(reason).strip()
        )
    except ActionError as exc:
        failure = {"message": exc.message, "problems": exc.problems, "body": edited}
        code = status_of(exc)
        if htmx(request):
            return _draft_view(request, _draft(warroom, incident_id, draft_id), session.csrf, failure, code)
        return _page(request, warroom, session, incident_id, draft_errors={draft_id: failure}, status_code=code)
    if not htmx(request):
        if back == "approvals":
            return see(f"/approvals?{decision.value}={draft_id}")
        return see(f"/incidents/{incident_id}#draft-{draft_id}")
    return _draft_view(request, draft, session.csrf)


@router.get("/incidents/{incident_id}/findings", response_class=HTMLResponse)
def findings_fragment(incident_id: Id, request: Request, warroom: WarroomDep, session: SessionDep) -> HTMLResponse:
    incident = _incident(warroom, incident_id)
    found = finding_actions.list_findings(warroom.context, incident_id)
    return render(request, "_findings.html", {"incident": incident, "findings": found, "csrf": session.csrf})


@router.post("/incidents/{incident_id}/findings/{finding_id}/verdict")
def judge_finding(
    incident_id: Id,
    finding_id: Id,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    verdict: Annotated[Verdict, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A responder's right / partly / wrong on the AI's hypothesis, as the REST API records it."""
    try:
        warroom.act(finding_actions.judge_finding, incident_id, finding_id, verdict, session.actor, form_text(note))
    except ActionError as exc:
        raise HTTPException(status_of(exc), exc.message) from exc
    if not htmx(request):
        return see(f"/incidents/{incident_id}#findings")
    return findings_fragment(incident_id, request, warroom, session)


@router.get("/incidents/{incident_id}/postmortem", response_class=HTMLResponse)
def postmortem_fragment(
    incident_id: Id, request: Request, warroom: WarroomDep, session: SessionDep, resolving: bool = False
) -> HTMLResponse:
    context = _postmortem(warroom, _incident(warroom, incident_id))
    return render(request, "_postmortem.html", {**context, "csrf": session.csrf, "resolving": resolving})


@router.post("/incidents/{incident_id}/postmortem")
def save_postmortem(
    incident_id: Id,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    markdown: Annotated[str, Form(min_length=1, max_length=500_000)],
) -> Response:
    """A new version, exactly as PUT /api/incidents/{id}/postmortem saves one (diff, blame flags)."""
    try:
        warroom.act(postmortem_actions.save_postmortem, incident_id, form_text(markdown), session.actor)
    except ActionError as exc:
        raise HTTPException(status_of(exc), exc.message) from exc
    if not htmx(request):
        return see(f"/incidents/{incident_id}#postmortem")
    context = _postmortem(warroom, _incident(warroom, incident_id), saved=True)
    return render(request, "_postmortem.html", {**context, "csrf": session.csrf, "resolving": False})
