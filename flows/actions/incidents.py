"""Working an incident: note, post in the war room, acknowledge, re-rate, resolve.

An incident takes these only while open (a resolved one answers `Conflict`). Severity changes and
resolution are queued as events for the incident's graph, which applies them in order; the
caller wakes the scheduler.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from agents.notes import is_labelled, parse_notes, stage_of
from flows import severity_question
from flows.context import Context
from flows.effects import post_to_war_room
from warroom import keys
from warroom.actors import Actor, ActorKind
from warroom.drafts import store as drafts
from warroom.errors import Conflict, Invalid, NotFound
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.kinds import JobKind, TimelineKind
from warroom.scheduler.store import bring_forward, cancel, pending_by_prefix, schedule
from warroom.severity import Severity
from warroom.war_room import store as war_room

__all__ = [
    "acknowledge",
    "add_note",
    "get_incident",
    "post_message",
    "post_update_now",
    "resolve",
    "set_severity",
    "set_stage",
]


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
    """A note on the timeline; its labelled lines ("tried:", "cause:", "eta: 30m") feed the updates,
    and "cause:" / "fixed:" move the incident's stage."""
    incident = _open(ctx, incident_id)
    with ctx.engine.begin() as conn:
        now = ctx.clock.now()
        incidents.add_timeline(conn, incident_id, now, TimelineKind.NOTE, text, actor=actor.label)
        if actor.kind is not ActorKind.SLACK:  # a Slack note was written in the room already
            post_to_war_room(
                conn,
                key=keys.note_echo(incident_id, now, actor.label, text),
                incident_id=incident_id,
                text=f"📝 Note from {actor.label}: {text}",
                now=now,
            )
        _follow_note(conn, incident, text, actor, now)


def set_stage(ctx: Context, incident_id: int, stage: IncidentStatus, actor: Actor) -> None:
    """A responder says where the incident stands (the UI's stage picker): identified or
    monitoring; going back to investigating is allowed too (the fix did not hold)."""
    if stage is IncidentStatus.RESOLVED:
        raise Invalid("resolve the incident instead: resolving also closes it out everywhere")
    incident = _open(ctx, incident_id)
    with ctx.engine.begin() as conn:
        _follow_stage(conn, incident, stage, actor, ctx.clock.now(), forward_only=False)


def post_update_now(ctx: Context, incident_id: int, actor: Actor, stage: IncidentStatus | None = None) -> None:
    """ "Post an update now": the next scheduled update runs at once, from the stage the responder
    picks, and the cadence restarts from it. The update is the one the clock would have posted (war
    room always; the status page and, for a P0, customer drafts to approve, as at any update), so
    nothing goes out that the humans' notes and the record do not say."""
    if stage is IncidentStatus.RESOLVED:
        raise Invalid("resolve the incident instead: resolving also closes it out everywhere")
    incident = _open(ctx, incident_id)
    if incident.severity is None or not incident.severity.pages_customers:
        level = incident.severity.value if incident.severity else "an unrated incident"
        raise Conflict(f"{level} has no scheduled updates: customers are told from P1. Raise it to post an update.")
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        prefix = keys.ticks(incident_id)
        ticks = [key for key, _ in pending_by_prefix(conn, prefix) if ":" not in key[len(prefix) :].split(":", 1)[1]]
        if not ticks or not bring_forward(conn, ticks[0], now):
            raise Conflict("no update is scheduled yet: the first one is posted when the incident is triaged")
        cancel(conn, f"{ticks[0]}:")  # its drafts-ahead and reminder: the update drafts now itself
        _follow_stage(conn, incident, stage, actor, now, forward_only=False)
        incidents.add_timeline(
            conn,
            incident_id,
            now,
            TimelineKind.UPDATE,
            f"Update brought forward by {actor.label}: posted now, the next one a full cadence later",
            actor=actor.label,
        )


STAGES = [IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING]


def _follow_stage(
    conn: Connection,
    incident: Incident,
    stage: IncidentStatus | None,
    actor: Actor,
    now: datetime,
    *,
    forward_only: bool = True,
) -> None:
    """Move the stage every channel speaks from, and re-draft what is still undecided so that no
    draft says "investigating" while the page says "identified". A note moves it forward only."""
    if stage is None or stage is incident.status or incident.status is IncidentStatus.RESOLVED:
        return
    if forward_only and STAGES.index(stage) < STAGES.index(incident.status):
        return
    incidents.set_status(conn, incident.id, stage, now)
    incidents.add_timeline(
        conn,
        incident.id,
        now,
        TimelineKind.STAGE,
        f"Stage: {incident.status.value} → {stage.value} ({actor.label})",
        actor=actor.label,
        data={"from": incident.status.value, "to": stage.value},
    )
    _redraft_undecided(conn, incident.id, stage.value, now)


def _redraft_undecided(conn: Connection, incident_id: int, why: str, now: datetime) -> None:
    """Re-draft every round with an undecided draft, once per `why` (a stage, a public note)."""
    for kind, label in drafts.undecided_rounds(conn, incident_id):
        schedule(
            conn,
            key=keys.stage_comms(incident_id, label, why),
            kind=JobKind.COMMS_PREPARE,
            due_at=now,
            payload={"incident_id": incident_id, "kind": kind, "label": label},
            lane=keys.comms_lane(incident_id),
        )


def _follow_note(conn: Connection, incident: Incident, text: str, actor: Actor, now: datetime) -> None:
    """What a note changes besides the timeline: the stage, and with a `public:` line, the words
    every undecided customer draft uses for the cause."""
    _follow_stage(conn, incident, stage_of(text), actor, now)
    if parse_notes([text]).public:
        _redraft_undecided(conn, incident.id, f"public-{keys.digest(text)[:16]}", now)


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
            _follow_note(conn, incident, text, actor, now)
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


def set_severity(
    ctx: Context, incident_id: int, severity: Severity, actor: Actor, *, asked: Severity | None = None
) -> None:
    """The human's level replaces the rules' (the override and its author go on the timeline).

    With `asked`, this is the one-click answer to the rules' question about an uncertain level
    (confirm it, or raise or lower it one level, or for a P0 only resemblance raised go back to the
    rules' own level): refused when the level has moved since the question was put, so a stale
    'confirm P1' cannot undo a raise to P0."""
    incident = _open(ctx, incident_id)
    decided = incident.classification.decided_by if incident.classification else ""
    if asked is not None and decided.startswith("human"):
        raise Conflict(f"incident {incident_id} is already {incident.severity}, decided by {decided.split(':', 1)[1]}")
    if asked is not None and incident.severity is not asked:
        raise Conflict(f"incident {incident_id} is {incident.severity} now, not {asked}: nothing to confirm")
    back_to_rules = severity is severity_question.rules_level(incident)
    if asked is not None and abs(severity.rank - asked.rank) > 1 and not back_to_rules:
        raise Invalid(f"the question was {asked}: confirm it, or raise or lower it one level (not {severity})")
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
