"""The incident graph's node bodies: read facts, ask an agent, record, enqueue effects.

Nodes never call the outside world: every effect is an outbox row or a scheduled job with a
deterministic key, so a node replayed after a crash or an `interrupt` resume changes nothing
the second time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from langgraph.runtime import Runtime
from sqlalchemy import Connection

from agents.cto import status_posts
from agents.cto.assess import assess
from agents.cto.owners import owners_for
from agents.cto.refine import refine_classification
from agents.cto.war_room import room_setup
from flows import escalation, history
from flows.context import Context
from flows.effects import post_status, post_to_war_room
from flows.facts import alert_texts, note_facts
from flows.postmortem import codeowners_text
from graphs.state import IncidentState
from tools.status_page.port import ComponentStatus, Impact, StatusPost
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.outbox.store import enqueue
from warroom.scheduler.store import cancel, schedule
from warroom.severity import Classification, Evidence, Severity

__all__ = ["monitor_wait", "resolve", "respond", "triage", "update"]


def _load(ctx: Context, incident_id: int) -> Incident:
    with ctx.engine.connect() as conn:
        incident = incidents.get_incident(conn, incident_id)
    if incident is None:
        raise LookupError(f"incident {incident_id} does not exist")
    return incident


def triage(state: IncidentState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    incident = _load(ctx, state["incident_id"])
    event = state.get("event") or {}
    now = ctx.clock.now()
    llm_note: str | None = None
    if event.get("type") == "severity":
        classification = _override(incident, Severity(event["severity"]), event.get("actor", "human"))
    else:
        with ctx.engine.connect() as conn:
            past = history.similar_past(conn, incident)
            alerts = alert_texts(conn, incident.id)
        classification, llm_note = _refined(ctx, incident, assess(incident, ctx.settings, past, alerts))
        if state.get("severity"):
            previous = Severity(state["severity"])
            if incident.classification and incident.classification.decided_by.startswith("human"):
                return {"event": {}}
            if classification.severity >= previous:
                if classification.severity == previous:
                    with ctx.engine.begin() as conn:
                        incidents.set_classification(conn, incident.id, classification)
                        if state.get("posted_severity") is not None and not incident.resolved_at:
                            _refresh_initial_comms(conn, incident, now)
                return {"event": {}}
    with ctx.engine.begin() as conn:
        incidents.set_classification(conn, incident.id, classification)
        was = state.get("severity")
        change = f" (was {was})" if was else ""
        incidents.add_timeline(
            conn,
            incident.id,
            now,
            "severity",
            f"Severity {classification.severity}{change}: {classification.reason}",
            actor=classification.decided_by,
            data=classification.model_dump(mode="json"),
        )
        if llm_note:
            incidents.add_timeline(conn, incident.id, now, "llm", llm_note)
        if classification.severity <= Severity.P2:
            schedule(
                conn,
                key=f"incident:{incident.id}:investigate",
                kind="investigation.start",
                due_at=now,
                payload={"incident_id": incident.id},
                lane=f"incident:{incident.id}:investigation",
            )
    return {"severity": classification.severity.value, "event": {}}


def _refined(ctx: Context, incident: Incident, base: Classification) -> tuple[Classification, str | None]:
    """The model may refine the rules' decision (never below its floor); without one, the rules stand."""
    if ctx.model is None:
        return base, None
    facts: dict[str, object] = {
        "service": incident.service,
        "environment": incident.environment,
        "events": incident.event_count,
        "users_affected": incident.users_affected,
        "endpoints": [e.endpoint for e in incident.endpoints],
        "first_seen": incident.first_seen.isoformat(),
        "last_seen": incident.last_seen.isoformat(),
    }
    return refine_classification(ctx.model, base, facts, {"alert_title": incident.title})


def _override(incident: Incident, level: Severity, actor: str) -> Classification:
    base = incident.classification
    evidence = [
        *(base.evidence if base else []),
        Evidence(signal="human_override", points_to=level, rule="human", detail=f"{actor} set {level}"),
    ]
    return Classification(
        severity=level,
        reason=f"set by {actor}",
        evidence=evidence,
        floor=base.floor if base else Severity.P3,
        decided_by=f"human:{actor}",
    )


def route_by_severity(state: IncidentState) -> str:
    """Respond when the incident first reaches P0/P1, or is raised above what the page says."""
    level = Severity(state["severity"])
    posted = state.get("posted_severity")
    if level.pages_customers and (posted is None or level < Severity(posted)):
        return "respond"
    return "monitor"


def respond(state: IncidentState, runtime: Runtime[Context]) -> dict[str, Any]:
    """P0/P1: the public notice, the war room, customer comms drafts and the acknowledgement clock
    start now; a later raise updates the same page incident and restarts the clock."""
    ctx = runtime.context
    incident = _load(ctx, state["incident_id"])
    now = ctx.clock.now()
    assert incident.classification is not None
    post = status_posts.first_status_post(incident, incident.classification, now, ctx.settings)
    first = state.get("posted_severity") is None
    key = f"incident:{incident.id}:status:{'open' if first else incident.severity}"
    with ctx.engine.begin() as conn:
        post_status(conn, key=key, post=post, now=now)
        if not first:
            cancel(conn, f"incident:{incident.id}:tick:")
        _schedule_tick(conn, ctx, incident, state.get("ticks", 0) + 1)
        owners = owners_for(codeowners_text(ctx), [e.endpoint for e in incident.endpoints] + [incident.service or ""])
        setup = room_setup(incident, ctx.settings, owners, now)
        enqueue(
            conn,
            key=f"incident:{incident.id}:war_room:open",
            kind="war_room.open",
            now=now,
            incident_id=incident.id,
            payload=setup.model_dump(mode="json"),
        )
        if not first:
            post_to_war_room(
                conn,
                key=f"incident:{incident.id}:war_room:severity:{incident.severity}",
                incident_id=incident.id,
                text=f"Severity raised to {incident.severity}: {incident.classification.reason}",
                now=now,
            )
        _refresh_initial_comms(conn, incident, now)
        escalation.schedule_clocks(conn, ctx, incident, now)
        if ctx.settings.sentry_api_token and ctx.settings.sentry_org and incident.dedup_key.startswith("sentry:issue:"):
            schedule(
                conn,
                key=f"incident:{incident.id}:enrich",
                kind="incident.enrich",
                due_at=now,
                payload={"incident_id": incident.id},
                lane=f"incident:{incident.id}:enrich",
            )
    return {"posted_severity": incident.classification.severity.value}


def _refresh_initial_comms(conn: Connection, incident: Incident, now: datetime) -> None:
    """Draft the first customer comms, and re-draft them while undecided as the storm doubles and
    once more a minute after it goes quiet, so the human approves current numbers and recipients."""
    payload = {"incident_id": incident.id, "kind": "initial", "label": "initial"}
    lane = f"incident:{incident.id}:comms"
    scale = incident.event_count.bit_length()
    schedule(
        conn,
        key=f"incident:{incident.id}:comms:initial:{incident.severity}:{scale}",
        kind="comms.prepare",
        due_at=now,
        lane=lane,
        payload=payload,
    )
    schedule(
        conn,
        key=f"incident:{incident.id}:comms:initial:settle:{now:%Y%m%d%H%M}",
        kind="comms.prepare",
        due_at=now + timedelta(minutes=1),
        lane=lane,
        payload=payload,
    )


def _schedule_tick(conn: Connection, ctx: Context, incident: Incident, number: int) -> None:
    assert incident.severity is not None
    due = status_posts.next_update_at(ctx.clock.now(), incident.severity, ctx.settings)
    schedule(
        conn,
        key=f"incident:{incident.id}:tick:{number}@{due:%Y%m%dT%H%M%S}",
        kind="incident.event",
        due_at=due,
        payload={"incident_id": incident.id, "event": {"type": "tick", "tick": number}},
        lane=f"incident:{incident.id}",
    )


def monitor_wait(state: IncidentState, runtime: Runtime[Context]) -> dict[str, Any]:
    from langgraph.types import interrupt

    event = interrupt(
        {"incident_id": state["incident_id"], "waiting_for": ["tick", "note", "severity", "reassess", "resolve"]}
    )
    return {"event": event}


def route_event(state: IncidentState) -> str:
    kind = (state.get("event") or {}).get("type")
    if kind in ("severity", "reassess"):
        return "triage"
    if kind == "resolve":
        return "resolve"
    if kind == "recovered":
        return "monitor" if Severity(state["severity"]).pages_customers else "resolve"
    if kind == "tick":
        return "update"
    if kind == "note":
        return "note"
    return "monitor"


def note(state: IncidentState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Human notes are stored by the API when posted; here they only wake the graph."""
    return {"event": {}}


def update(state: IncidentState, runtime: Runtime[Context]) -> dict[str, Any]:
    """The periodic update, from the humans' notes: to the war room always, to the status page for
    P0/P1, and for P0 a round of customer update drafts; then the next tick."""
    ctx = runtime.context
    incident = _load(ctx, state["incident_id"])
    number = int((state.get("event") or {}).get("tick", state.get("ticks", 0) + 1))
    now = ctx.clock.now()
    assert incident.severity is not None
    due = status_posts.next_update_at(now, incident.severity, ctx.settings)
    notes = note_facts(incident)
    body = status_posts.compose_update(incident, notes, due)
    with ctx.engine.begin() as conn:
        incidents.add_timeline(
            conn, incident.id, now, "update", body, dedup_key=f"incident:{incident.id}:update:{number}"
        )
        post_to_war_room(
            conn, key=f"incident:{incident.id}:war_room:update:{number}", incident_id=incident.id, text=body, now=now
        )
        if incident.severity.pages_customers and state.get("posted_severity") is not None:
            post = StatusPost(
                incident_id=incident.id,
                title=status_posts.public_title(incident, incident.severity),
                status=incident.status,
                body=status_posts.compose_public_update(incident, notes, due),
                impact=status_posts.IMPACT[incident.severity],
            )
            post_status(conn, key=f"incident:{incident.id}:status:tick:{number}", post=post, now=now)
        if incident.severity is Severity.P0:
            schedule(
                conn,
                key=f"incident:{incident.id}:comms:update:{number}",
                kind="comms.prepare",
                due_at=now,
                payload={"incident_id": incident.id, "kind": "update", "label": f"update-{number}"},
            )
        _schedule_tick(conn, ctx, incident, number + 1)
    return {"ticks": number, "event": {}}


def resolve(state: IncidentState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Close out everywhere: page resolved and components operational, all-clear drafts to the
    same audiences, a closing summary in the war room, then the postmortem draft."""
    ctx = runtime.context
    incident = _load(ctx, state["incident_id"])
    now = ctx.clock.now()
    actor = (state.get("event") or {}).get("actor", "human")
    thing = status_posts.affected_thing(incident)
    minutes = max(1, round((now - incident.first_seen).total_seconds() / 60))
    with ctx.engine.begin() as conn:
        incidents.set_status(conn, incident.id, IncidentStatus.RESOLVED, now)
        automatic = (state.get("event") or {}).get("type") == "recovered"
        text = (
            f"Auto-resolved: {actor} reports recovery and a {incident.severity} closes itself"
            if automatic
            else f"Resolved by {actor}"
        )
        incidents.add_timeline(
            conn, incident.id, now, "resolved", text, actor=actor, dedup_key=f"incident:{incident.id}:resolved"
        )
        cancel(conn, f"incident:{incident.id}:tick:")
        cancel(conn, f"incident:{incident.id}:escalate:")
        if state.get("posted_severity") is not None:
            post = StatusPost(
                incident_id=incident.id,
                title=f"{thing}: resolved",
                status=IncidentStatus.RESOLVED,
                body=status_posts.resolved_post_body(incident, now),
                impact=Impact.NONE,
                components={thing: ComponentStatus.OPERATIONAL},
            )
            post_status(conn, key=f"incident:{incident.id}:status:resolved", post=post, now=now)
            schedule(
                conn,
                key=f"incident:{incident.id}:comms:all_clear",
                kind="comms.prepare",
                due_at=now,
                payload={"incident_id": incident.id, "kind": "all_clear", "label": "all-clear"},
            )
            enqueue(
                conn,
                key=f"incident:{incident.id}:war_room:close",
                kind="war_room.close",
                now=now,
                incident_id=incident.id,
                payload={
                    "incident_id": incident.id,
                    "text": (
                        f"Resolved by {actor} after {minutes} minutes ({incident.event_count} error events, "
                        f"{incident.users_affected} users affected). The postmortem draft follows."
                    ),
                },
            )
        schedule(
            conn,
            key=f"incident:{incident.id}:postmortem",
            kind="postmortem.draft",
            due_at=now,
            payload={"incident_id": incident.id},
            lane=f"incident:{incident.id}:postmortem",
        )
    return {"resolved": True, "event": {}}
