"""`/api/incidents`: read incidents with their evidence and timeline; resolve, note, re-rate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from api.deps import Authorized, Id, WarroomDep
from api.errors import documented
from api.routing import UntrustedJSONRoute
from graphs import escalation
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.scheduler.store import schedule
from warroom.severity import Severity
from warroom.war_room import store as war_room
from warroom.war_room.store import WarRoomMessage

__all__ = ["router"]

router = APIRouter(
    prefix="/api/incidents", tags=["incidents"], route_class=UntrustedJSONRoute, responses=documented(401, 422)
)
CHANGE = documented(400, 404, 409, 413)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    author: str = Field(default="api", max_length=255)


class SeverityIn(BaseModel):
    severity: Severity
    actor: str = Field(default="api", max_length=255)


class ResolveIn(BaseModel):
    actor: str = Field(default="api", max_length=255)
    summary: str = Field(default="", max_length=10_000)


class Accepted(BaseModel):
    incident_id: int
    queued: str


@router.get("", response_model=list[Incident])
def list_incidents(
    warroom: WarroomDep,
    _: Authorized,
    status_: Annotated[IncidentStatus | None, Query(alias="status")] = None,
    open_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Incident]:
    with warroom.engine.connect() as conn:
        return incidents.list_incidents(conn, status=status_, open_only=open_only, limit=limit)


@router.get("/{incident_id}", response_model=Incident, responses=documented(404))
def get_incident(incident_id: Id, warroom: WarroomDep, _: Authorized) -> Incident:
    with warroom.engine.connect() as conn:
        incident = incidents.get_incident(conn, incident_id)
    if incident is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"incident {incident_id} not found")
    return incident


@router.get("/{incident_id}/war-room", response_model=list[WarRoomMessage], responses=documented(404))
def war_room_messages(incident_id: Id, warroom: WarroomDep, _: Authorized) -> list[WarRoomMessage]:
    get_incident(incident_id, warroom, "api")
    with warroom.engine.connect() as conn:
        return war_room.list_messages(conn, incident_id)


def _open_incident(warroom: WarroomDep, incident_id: int) -> Incident:
    incident = get_incident(incident_id, warroom, "api")
    if incident.status is IncidentStatus.RESOLVED:
        raise HTTPException(status.HTTP_409_CONFLICT, f"incident {incident_id} is already resolved")
    return incident


def _queue_event(warroom: WarroomDep, incident_id: int, key: str, event: dict[str, object]) -> None:
    with warroom.engine.begin() as conn:
        schedule(
            conn,
            key=key,
            kind="incident.event",
            due_at=warroom.clock.now(),
            payload={"incident_id": incident_id, "event": event},
            lane=f"incident:{incident_id}",
        )
    warroom.scheduler.wake()


@router.post("/{incident_id}/notes", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, responses=CHANGE)
def add_note(incident_id: Id, note: NoteIn, warroom: WarroomDep, _: Authorized) -> Accepted:
    _open_incident(warroom, incident_id)
    now = warroom.clock.now()
    with warroom.engine.begin() as conn:
        incidents.add_timeline(conn, incident_id, now, "note", note.text, actor=note.author)
    return Accepted(incident_id=incident_id, queued="note")


class AckIn(BaseModel):
    actor: str = Field(min_length=1, max_length=255)


@router.post("/{incident_id}/acknowledge", response_model=Incident, responses=CHANGE)
def acknowledge(incident_id: Id, body: AckIn, warroom: WarroomDep, _: Authorized) -> Incident:
    incident = _open_incident(warroom, incident_id)
    with warroom.engine.begin() as conn:
        if not escalation.acknowledge(conn, incident, body.actor, warroom.clock.now()):
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"incident {incident_id} was already acknowledged by {incident.acknowledged_by}",
            )
    return get_incident(incident_id, warroom, "api")


@router.post("/{incident_id}/severity", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, responses=CHANGE)
def set_severity(incident_id: Id, change: SeverityIn, warroom: WarroomDep, _: Authorized) -> Accepted:
    _open_incident(warroom, incident_id)
    key = f"incident:{incident_id}:severity:{warroom.clock.now().isoformat()}:{change.severity}"
    _queue_event(
        warroom, incident_id, key, {"type": "severity", "severity": change.severity.value, "actor": change.actor}
    )
    return Accepted(incident_id=incident_id, queued="severity")


@router.post("/{incident_id}/resolve", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted, responses=CHANGE)
def resolve(incident_id: Id, body: ResolveIn, warroom: WarroomDep, _: Authorized) -> Accepted:
    _open_incident(warroom, incident_id)
    if body.summary:
        with warroom.engine.begin() as conn:
            incidents.add_timeline(conn, incident_id, warroom.clock.now(), "note", body.summary, actor=body.actor)
    _queue_event(warroom, incident_id, f"incident:{incident_id}:resolve", {"type": "resolve", "actor": body.actor})
    return Accepted(incident_id=incident_id, queued="resolve")
