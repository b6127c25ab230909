"""The postmortem editor of the web UI: the Markdown beside its rendered preview, every version with
who wrote it, the changes between any two versions, restoring an older one, and downloads that
work with the browser's session.

Saving and restoring are `flows.actions.postmortems`, the same functions the REST API calls, as
the web actor. The preview is rendered here with raw HTML escaped: a postmortem quotes alert
texts, which are untrusted. The incident page's postmortem card (`incidents.py`) links here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from markdown_it import MarkdownIt
from markupsafe import Markup

from api.composition import Warroom
from api.deps import Id, WarroomDep
from api.errors import status_of
from api.routers.web.render import SECURITY_HEADERS, form_text, htmx, render, see
from api.web_sessions import CheckedDep, Session, SessionDep
from flows.actions import incidents as actions
from flows.actions import postmortems as postmortem_actions
from warroom.errors import ActionError
from warroom.incidents.models import Incident
from warroom.postmortems import store as postmortems
from warroom.postmortems.store import PostmortemVersion
from warroom.untrusted import MAX_ID

__all__ = ["markdown_html", "router"]

VersionQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
router = APIRouter(tags=["web"], include_in_schema=False)

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def markdown_html(text: str) -> Markup:
    """The Markdown as HTML: raw HTML in it is shown as text, and markdown-it refuses
    `javascript:`/`vbscript:`/`file:` links (the page's CSP also forbids inline scripts)."""
    return Markup(_MARKDOWN.render(text))


def _incident(warroom: Warroom, incident_id: int) -> Incident:
    try:
        return actions.get_incident(warroom.context, incident_id)
    except ActionError as exc:
        raise HTTPException(status_of(exc), exc.message) from exc


def _latest(warroom: Warroom, incident_id: int) -> PostmortemVersion:
    try:
        return postmortem_actions.latest_postmortem(warroom.context, incident_id)
    except ActionError as exc:
        raise HTTPException(status_of(exc), exc.message) from exc


def _notice(request: Request, latest: PostmortemVersion | None) -> str | None:
    done, restored = request.query_params.get("done"), request.query_params.get("from", "")
    if latest is None:
        return None
    if done == "saved":
        return f"Saved as version {latest.version}."
    if done == "restored" and restored.isdigit():
        return f"Version {int(restored)} restored as version {latest.version}; every earlier version is kept."
    return None


def _editor(
    request: Request,
    warroom: Warroom,
    session: Session,
    incident_id: int,
    *,
    text: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The editor page; `text` is an unsaved edit to show (a preview without JavaScript, a refused save)."""
    incident = _incident(warroom, incident_id)
    with warroom.engine.connect() as conn:
        versions = postmortems.history(conn, incident_id)
    latest = versions[-1] if versions else None
    shown = text if text is not None else latest.markdown if latest else ""
    context: dict[str, Any] = {
        "incident": incident,
        "versions": versions,
        "latest": latest,
        "drafter": postmortem_actions.DRAFTER,
        "text": shown,
        "unsaved": text is not None,
        "preview": markdown_html(shown),
        "csrf": session.csrf,
        "notice": _notice(request, latest),
        "error": error,
    }
    return render(request, "postmortem.html", context, status_code=status_code if latest else 404)


@router.get("/incidents/{incident_id}/postmortem/edit", response_class=HTMLResponse)
def editor(incident_id: Id, request: Request, warroom: WarroomDep, session: SessionDep) -> HTMLResponse:
    return _editor(request, warroom, session, incident_id)


@router.post("/incidents/{incident_id}/postmortem/edit")
def save(
    incident_id: Id,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    markdown: Annotated[str, Form(min_length=1, max_length=500_000)],
) -> Response:
    """A new version, as `save_postmortem` saves every edit; a refusal keeps the text on the page."""
    text = form_text(markdown)
    try:
        warroom.act(postmortem_actions.save_postmortem, incident_id, text, session.actor)
    except ActionError as exc:
        return _editor(request, warroom, session, incident_id, text=text, error=exc.message, status_code=status_of(exc))
    return see(f"/incidents/{incident_id}/postmortem/edit?done=saved")


@router.post("/incidents/{incident_id}/postmortem/preview")
def preview(
    incident_id: Id,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
    markdown: Annotated[str, Form(max_length=500_000)] = "",
) -> HTMLResponse:
    """Nothing is saved: htmx gets the rendered preview alone, a plain post the editor holding the text."""
    text = form_text(markdown)
    if htmx(request):
        _incident(warroom, incident_id)
        return render(request, "_postmortem_preview.html", {"preview": markdown_html(text)})
    return _editor(request, warroom, session, incident_id, text=text)


@router.post("/incidents/{incident_id}/postmortem/versions/{version}/restore")
def restore(
    incident_id: Id,
    version: Id,
    request: Request,
    warroom: WarroomDep,
    session: CheckedDep,
) -> Response:
    """Version `version` becomes the newest version again, through `restore_postmortem`."""
    try:
        warroom.act(postmortem_actions.restore_postmortem, incident_id, version, session.actor)
    except ActionError as exc:
        return _editor(request, warroom, session, incident_id, error=exc.message, status_code=status_of(exc))
    return see(f"/incidents/{incident_id}/postmortem/edit?done=restored&from={version}")


@router.get("/incidents/{incident_id}/postmortem/diff", response_class=HTMLResponse)
def diff(
    incident_id: Id,
    request: Request,
    warroom: WarroomDep,
    session: SessionDep,
    a: VersionQuery = None,
    b: VersionQuery = None,
) -> HTMLResponse:
    """Version `a` against version `b`, by default the one before the latest against the latest;
    a version that does not exist is a 404 page that says which versions there are."""
    incident = _incident(warroom, incident_id)
    latest = _latest(warroom, incident_id)
    new = b if b is not None else latest.version
    old = a if a is not None else max(new - 1, 1)
    context: dict[str, Any] = {
        "incident": incident,
        "latest": latest,
        "a": old,
        "b": new,
        "drafter": postmortem_actions.DRAFTER,
        "csrf": session.csrf,
        "comparison": None,
        "error": None,
    }
    try:
        context["comparison"] = postmortem_actions.compare_versions(warroom.context, incident_id, old, new)
    except ActionError as exc:
        context["error"] = exc.message
        return render(request, "postmortem_diff.html", context, status_code=status_of(exc))
    return render(request, "postmortem_diff.html", context)


def _download(content: str, media_type: str, filename: str) -> Response:
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, media_type=media_type, headers=headers)


@router.get("/incidents/{incident_id}/postmortem/export.md")
def export_markdown(incident_id: Id, warroom: WarroomDep, _: SessionDep) -> Response:
    """The latest version as a Markdown file, for a signed-in browser (the API wants the token)."""
    latest = _latest(warroom, incident_id)
    return _download(latest.markdown, "text/markdown; charset=utf-8", f"postmortem-{incident_id}-v{latest.version}.md")


@router.get("/incidents/{incident_id}/postmortem/export.json")
def export_json(incident_id: Id, warroom: WarroomDep, _: SessionDep) -> Response:
    """The latest version as GET /api/incidents/{id}/postmortem answers it, as a file."""
    latest = _latest(warroom, incident_id)
    body = latest.model_dump_json(indent=2)
    return _download(body, "application/json", f"postmortem-{incident_id}-v{latest.version}.json")
