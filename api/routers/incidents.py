"""`/api/incidents`: read incidents with their evidence and timeline; note, acknowledge, re-rate, resolve."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from api.deps import Authorized, Id, WarroomDep
from api.errors import documented
from api.routing import UntrustedJSONRoute
from flows.actions import incidents as actions
from flows.actions.declare import Declaration, Declared, declare
from warroom.actors import Actor, ActorKind
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.severity import Severity
from warroom.untrusted import MAX_ID
from warroom.war_room import store as war_room
from warroom.war_room.store import WarRoomMessage

__all__ = ["router"]

router = APIRouter(
    prefix="/api/incidents", tags=["incidents"], route_class=UntrustedJSONRoute, responses=documented(401, 422)
)
CHANGE = documented(400, 404, 409, 413)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    author: str = Field(default="api", min_length=1, max_length=255)


class AckIn(BaseModel):
    actor: str = Field(min_length=1, max_length=255)


class SeverityIn(BaseModel):
    severity: Severity
    actor: str = Field(default="api", min_length=1, max_length=255)
    asked: Severity | None = Field(
        default=None, description="the uncertain level this answers (409 if the level has moved since)"
    )


class StageIn(BaseModel):
    stage: Literal[IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING]
    actor: str = Field(default="api", min_length=1, max_length=255)


class UpdateNowIn(BaseModel):
    stage: Literal[IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING] | None = Field(
        default=None, description="where it stands first; the update speaks from it"
    )
    actor: str = Field(default="api", min_length=1, max_length=255)


class ResolveIn(BaseModel):
    actor: str = Field(default="api", min_length=1, max_length=255)
    summary: str = Field(default="", max_length=10_000)


class DeclareIn(Declaration):
    actor: str = Field(default="api", min_length=1, max_length=255)


class Accepted(BaseModel):
    incident_id: int
    queued: str


def _caller(name: str) -> Actor:
    return Actor(kind=ActorKind.API, name=name)


NEXT_PAGE = {
    200: {
        "headers": {
            "Link": {
                "description": 'the next (older) page, `<…?before=ID…>; rel="next"`; absent on the last page',
                "schema": {"type": "string"},
            }
        }
    }
}


@router.get("", response_model=list[Incident], responses=NEXT_PAGE)
def list_incidents(
    request: Request,
    response: Response,
    warroom: WarroomDep,
    _: Authorized,
    status_: Annotated[IncidentStatus | None, Query(alias="status")] = None,
    open_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="the page's cursor: only incidents older than this id (the Link header gives it)",
        ),
    ] = None,
) -> list[Incident]:
    """Newest first, a page of `limit`; the next page is in the `Link` header (keyset: a page a
    year back costs what the first does)."""
    with warroom.engine.connect() as conn:
        found = incidents.list_incidents(conn, status=status_, open_only=open_only, limit=limit + 1, before=before)
    if len(found) > limit:
        found = found[:limit]
        following = request.url.include_query_params(before=found[-1].id)
        response.headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    return found


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Declared, responses=documented(400, 413))
def declare_incident(body: DeclareIn, warroom: WarroomDep, _: Authorized) -> Declared:
    """Declare an incident by hand (a customer reported it before any alert fired): the same
    lifecycle as an alert-opened incident, at the declared level. If an incident is already open
    for the same thing, the declaration joins it (`joined`) and raises it if it says worse."""
    declaration = Declaration.model_validate(body.model_dump(exclude={"actor"}))
    return warroom.act(declare, declaration, _caller(body.actor))


@router.get("/{incident_id}", response_model=Incident, responses=documented(404))
def get_incident(incident_id: Id, warroom: WarroomDep, _: Authorized) -> Incident:
    return actions.get_incident(warroom.context, incident_id)


@router.get("/{incident_id}/war-room", response_model=list[WarRoomMessage], responses=documented(404))
def war_room_messages(incident_id: Id, warroom: WarroomDep, _: Authorized) -> list[WarRoomMessage]:
    actions.get_incident(warroom.context, incident_id)
    with warroom.engine.connect() as conn:
        return war_room.list_messages(conn, incident_id)


@router.post("/{incident_id}/notes", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, responses=CHANGE)
def add_note(incident_id: Id, note: NoteIn, warroom: WarroomDep, _: Authorized) -> Accepted:
    warroom.act(actions.add_note, incident_id, note.text, _caller(note.author))
    return Accepted(incident_id=incident_id, queued="note")


@router.post("/{incident_id}/acknowledge", response_model=Incident, responses=CHANGE)
def acknowledge(incident_id: Id, body: AckIn, warroom: WarroomDep, _: Authorized) -> Incident:
    return warroom.act(actions.acknowledge, incident_id, _caller(body.actor))


@router.post("/{incident_id}/severity", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, responses=CHANGE)
def set_severity(incident_id: Id, change: SeverityIn, warroom: WarroomDep, _: Authorized) -> Accepted:
    warroom.act(actions.set_severity, incident_id, change.severity, _caller(change.actor), asked=change.asked)
    return Accepted(incident_id=incident_id, queued="severity")


@router.post("/{incident_id}/stage", response_model=Incident, responses=CHANGE)
def set_stage(incident_id: Id, body: StageIn, warroom: WarroomDep, _: Authorized) -> Incident:
    """Where the incident stands; every channel's next words follow it, and undecided drafts are
    re-drafted at once."""
    warroom.act(actions.set_stage, incident_id, IncidentStatus(body.stage), _caller(body.actor))
    return warroom.act(actions.get_incident, incident_id)


@router.post("/{incident_id}/updates", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, responses=CHANGE)
def post_update_now(incident_id: Id, body: UpdateNowIn, warroom: WarroomDep, _: Authorized) -> Accepted:
    """Post the next update now instead of at the cadence (409 below P1, or before the first one
    is scheduled); the cadence restarts from it."""
    stage = IncidentStatus(body.stage) if body.stage else None
    warroom.act(actions.post_update_now, incident_id, _caller(body.actor), stage=stage)
    return Accepted(incident_id=incident_id, queued="update")


@router.post("/{incident_id}/resolve", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, responses=CHANGE)
def resolve(incident_id: Id, body: ResolveIn, warroom: WarroomDep, _: Authorized) -> Accepted:
    warroom.act(actions.resolve, incident_id, _caller(body.actor), summary=body.summary)
    return Accepted(incident_id=incident_id, queued="resolve")
