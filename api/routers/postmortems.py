"""The postmortem of an incident: read the latest version (JSON or Markdown), save a human edit
as a new version with its diff and any blaming language flagged, list the history, and restore an
older version (its text saved again as the newest; nothing is rewritten)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from api.deps import Authorized, Id, WarroomDep
from api.errors import documented
from api.routing import UntrustedJSONRoute
from flows.actions.postmortems import latest_postmortem, postmortem_versions, restore_postmortem, save_postmortem
from warroom.actors import Actor, ActorKind
from warroom.postmortems.store import PostmortemVersion
from warroom.untrusted import MAX_ID

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


class PostmortemRestore(BaseModel):
    author: str = Field(min_length=1, max_length=255, description="who restores it, as the history records")


VersionNumber = Annotated[int, Path(ge=1, le=MAX_ID)]


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
) -> PostmortemVersion | PlainTextResponse:
    latest = latest_postmortem(warroom.context, incident_id)
    if format == "markdown":
        return PlainTextResponse(
            latest.markdown,
            media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="postmortem-{incident_id}-v{latest.version}.md"'},
        )
    return latest


@router.put("", response_model=PostmortemVersion, responses=documented(400, 413))
def save(incident_id: Id, edit: PostmortemEdit, warroom: WarroomDep, _: Authorized) -> PostmortemVersion:
    return warroom.act(save_postmortem, incident_id, edit.markdown, Actor(kind=ActorKind.API, name=edit.author))


@router.get("/versions", response_model=list[PostmortemVersion])
def list_versions(incident_id: Id, warroom: WarroomDep, _: Authorized) -> list[PostmortemVersion]:
    return postmortem_versions(warroom.context, incident_id)


@router.post("/versions/{version}/restore", response_model=PostmortemVersion, responses=documented(400, 409, 413))
def restore(
    incident_id: Id, version: VersionNumber, body: PostmortemRestore, warroom: WarroomDep, _: Authorized
) -> PostmortemVersion:
    """Version `version`'s text saved as the new latest version; 409 when it is the latest already."""
    return warroom.act(restore_postmortem, incident_id, version, Actor(kind=ActorKind.API, name=body.author))
