"""Working an incident: note, post in the war room, acknowledge, re-rate, resolve.

An incident takes these only while open (a resolved one answers `Conflict`). Severity changes and
resolution are queued as events for the incident's graph, which applies them in order; the
caller wakes the scheduler.
"""

from __future__ import annotations

from sqlalchemy import Connection

from agents.notes import is_labelled
from flows.context import Context
from warroom import keys
from warroom.actors import Actor
from warroom.errors import Conflict, NotFound
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.kinds import JobKind, TimelineKind
from warroom.scheduler.store import schedule
from warroom.severity import Severity
from warroom.war_room import store as war_room

__all__ = ["acknowledge", "add_note", "get_incident", "post_message", "resolve", "set_severity"]


def get_incident(ctx: Context, incident_id: int) -> Incident:
    """The incident with its timeline, for every door and every node; `NotFound` when there is none."""
    with ctx.engine.connect() as conn:
        incident = incidents.get_incident(conn, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} not found")
    return incident


def _open(ctx: Context, incident_id: int) -> Incident:
    incident = get_incident(ctx, incident_id)
    if incident.status is IncidentStatus.RESOLVED:
        raise Conflict(f"incident {incident_id} is already resolved")
    return incident


def add_note(ctx: Context, incident_id: int, text: str, actor: Actor) -> None:
    """A note on the timeline; its labelled lines ("tried:", "cause:", "eta: 30m") feed the updates."""
    _open(ctx, incident_id)
    with ctx.engine.begin() as conn:
        incidents.add_timeline(conn, incident_id, ctx.clock.now(), TimelineKind.NOTE, text, actor=actor.label)


def post_message(ctx: Context, incident_id: int, text: str, actor: Actor, *, external_id: str | None = None) -> bool:
    """A message in the built-in war room, False when `external_id` was posted already (a Slack
    retry). A message with a labelled line is also a note while the incident is open: one rule
    for every door, the one the updates read notes by. Message and note are stored together."""
    incident = get_incident(ctx, incident_id)
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        stored = war_room.post_message(
            conn, incident_id, at=now, author=actor.label, text=text, external_id=external_id
        )
        if stored is None:
            return False
        if is_labelled(text) and incident.status is not IncidentStatus.RESOLVED:
            incidents.add_timeline(conn, incident_id, now, TimelineKind.NOTE, text, actor=actor.label)
    return True


def acknowledge(ctx: Context, incident_id: int, actor: Actor) -> Incident:
    """First acknowledgement wins; the acknowledger becomes incident commander if none is named."""
    incident = _open(ctx, incident_id)
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        if not incidents.acknowledge(conn, incident_id, actor.label, now):
            raise Conflict(f"incident {incident_id} was already acknowledged by {incident.acknowledged_by}")
        incidents.add_timeline(
            conn,
            incident_id,
            now,
            TimelineKind.ACKNOWLEDGED,
            f"Acknowledged by {actor.label}",
            actor=actor.label,
            dedup_key=keys.acknowledged(incident_id),
        )
    return get_incident(ctx, incident_id)


def set_severity(ctx: Context, incident_id: int, severity: Severity, actor: Actor) -> None:
    """The human's level replaces the rules' (the override and its author go on the timeline)."""
    incident = _open(ctx, incident_id)
    after = sum(e.kind == TimelineKind.SEVERITY for e in incident.timeline)
    key = keys.severity_change(incident_id, after, severity)
    with ctx.engine.begin() as conn:
        _queue_event(
            conn, ctx, incident_id, key, {"type": "severity", "severity": severity.value, "actor": actor.label}
        )


def resolve(ctx: Context, incident_id: int, actor: Actor, summary: str = "") -> None:
    """Close out everywhere (the graph's `resolve`); a summary is kept as the last note."""
    _open(ctx, incident_id)
    with ctx.engine.begin() as conn:
        if summary:
            incidents.add_timeline(conn, incident_id, ctx.clock.now(), TimelineKind.NOTE, summary, actor=actor.label)
        _queue_event(conn, ctx, incident_id, keys.resolve(incident_id), {"type": "resolve", "actor": actor.label})


def _queue_event(conn: Connection, ctx: Context, incident_id: int, key: str, event: dict[str, object]) -> None:
    schedule(
        conn,
        key=key,
        kind=JobKind.INCIDENT_EVENT,
        due_at=ctx.clock.now(),
        payload={"incident_id": incident_id, "event": event},
        lane=keys.incident_lane(incident_id),
    )
