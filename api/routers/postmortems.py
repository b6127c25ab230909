"""The postmortem of an incident: read the latest version (JSON or Markdown), save a human edit
as a new version with its diff and any blaming language flagged, and list the history."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from agents.blameless import diff_versions, find_blame
from api.deps import Authorized, Id, WarroomDep
from api.errors import documented
from api.routing import UntrustedJSONRoute
from warroom.incidents import store as incidents
from warroom.postmortems import store as postmortems
from warroom.postmortems.store import PostmortemVersion

__all__ = ["router"]

router = APIRouter(
    prefix="/api/incidents/{incident_id}/postmortem",
    tags=["postmortems"],
    route_class=UntrustedJSONRoute,
    responses=documented(401, 404, 422),
)


class PostmortemEdit(BaseModel):
    markdown: str = Field(min_length=1, max_length=500_000)
    author: str = Field(min_length=1, max_length=255)


def _latest(warroom: WarroomDep, incident_id: int) -> PostmortemVersion:
    with warroom.engine.connect() as conn:
        latest = postmortems.latest(conn, incident_id)
    if latest is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"incident {incident_id} has no postmortem yet (it is drafted when the incident is resolved)",
        )
    return latest


@router.get(
    "",
    response_model=PostmortemVersion,
    responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}}, "description": "?format=markdown"}},
)
def get_postmortem(
    incident_id: Id,
    warroom: WarroomDep,
    _: Authorized,
    format: Annotated[Literal["json", "markdown"], Query()] = "json",
):  # noqa: A002, ANN201
    latest = _latest(warroom, incident_id)
    if format == "markdown":
        return PlainTextResponse(
            latest.markdown,
            media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="postmortem-{incident_id}-v{latest.version}.md"'},
        )
    return latest


@router.put("", response_model=PostmortemVersion, responses=documented(400, 413))
def save_postmortem(incident_id: Id, edit: PostmortemEdit, warroom: WarroomDep, _: Authorized) -> PostmortemVersion:
    previous = _latest(warroom, incident_id)
    now = warroom.clock.now()
    with warroom.engine.begin() as conn:
        incident = incidents.get_incident(conn, incident_id, with_timeline=False)
        assert incident is not None
        people = sorted({edit.author, previous.author, incident.commander or "", incident.acknowledged_by or ""} - {""})
        flags = [f.model_dump(mode="json") for f in find_blame(edit.markdown, people)]
        version = postmortems.save_version(
            conn,
            incident_id,
            author=edit.author,
            now=now,
            markdown=edit.markdown,
            blame_flags=flags,
            diff=diff_versions(previous.markdown, edit.markdown, old_label=f"v{previous.version}", new_label="edited"),
        )
        incidents.add_timeline(
            conn,
            incident_id,
            now,
            "postmortem",
            f"Postmortem v{version} saved by {edit.author}"
            + (f" ({len(flags)} blaming phrases flagged)" if flags else ""),
            actor=edit.author,
        )
        saved = postmortems.history(conn, incident_id)[-1]
    return saved


@router.get("/versions", response_model=list[PostmortemVersion])
def list_versions(incident_id: Id, warroom: WarroomDep, _: Authorized) -> list[PostmortemVersion]:
    _latest(warroom, incident_id)
    with warroom.engine.connect() as conn:
        return postmortems.history(conn, incident_id)
