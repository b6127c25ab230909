"""The incident graph's nodes: load the incident, ask the CTO agent, make one effects call.

The decisions are the agent's (`agents.cto`); what follows from them is `graphs.incident_effects`,
one transaction per node. Nodes never call the outside world, so a node replayed after a crash
or an `interrupt` resume changes nothing the second time. Routing functions are named for the
decision they take.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agents.coo.recurrence import Recurrence, with_evidence
from agents.cto import status_posts, war_room
from agents.cto.assess import assess, human_override
from agents.cto.owners import owners_for
from agents.cto.refine import refine_for
from flows import history, recurrence
from flows.actions.incidents import get_incident
from flows.context import Context
from flows.facts import alert_texts, note_facts, only_account
from flows.postmortem import codeowners_text
from graphs import incident_effects as effects
from graphs.incident_effects import PageHold
from graphs.state import IncidentState
from warroom.incidents.models import Incident
from warroom.severity import Classification, Severity

__all__ = ["monitor_wait", "resolve", "respond", "route_by_severity", "route_event", "triage", "update"]


def triage(state: IncidentState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Rate the incident: a human's level as given; else the rules (refined by the model, if any),
    which never lower the level already reached nor overrule a human. The first triage also runs
    the COO's recurrence guard: a past incident this one repeats, with action items still open,
    is said once (timeline, war room) and shown among the evidence, never weighed."""
    ctx = runtime.context
    incident = get_incident(ctx, state["incident_id"])
    event = state.get("event") or {}
    previous = Severity(state["severity"]) if state.get("severity") else None
    note = None
    found: list[Recurrence] = []
    if event.get("type") == "severity":
        classification = human_override(
            incident.classification, Severity(event["severity"]), event.get("actor", "human")
        )
    elif previous is None and incident.classification and incident.classification.by_human:
        classification = incident.classification  # declared by a person (`flows.actions.declare`): their level
        with ctx.engine.connect() as conn:
            found = recurrence.open_follow_ups(conn, incident, ctx.clock.now())
    else:
        if previous is not None and incident.classification and incident.classification.by_human:
            return _level_stands(ctx, state, incident, None)  # a person's level stands over new evidence
        with ctx.engine.connect() as conn:
            past = history.similar_past(conn, incident)
            alerts = alert_texts(conn, incident.id)
            found = recurrence.open_follow_ups(conn, incident, ctx.clock.now(), past)
        classification, note = refine_for(ctx.model, assess(incident, ctx.settings, past, alerts), incident, alerts)
        classification = with_evidence(classification, found)
        if previous is not None and classification.severity >= previous:
            same = classification if classification.severity == previous else None  # lower: only a person lowers
            return _level_stands(ctx, state, incident, same)
    effects.record_severity(
        ctx, incident, classification, was=previous, note=note, recurs=found if previous is None else []
    )
    if event.get("type") == "severity" and state.get("page_held") and classification.severity.pages_customers:
        if _open_held_page(ctx, incident, classification):  # a person's P0/P1 over a raise nobody had confirmed
            return {
                "severity": classification.severity.value,
                "event": {},
                "page_held": False,
                "page_level": classification.public_severity.value,
            }
    responds = _responds(state, classification.severity)
    restated = {} if responds else _restate_page(ctx, state, incident, classification)  # `respond` speaks itself
    return {"severity": classification.severity.value, "event": {}, **restated}


def _page_level(state: IncidentState) -> Severity | None:
    """The level the public page speaks at; threads from before `page_level` spoke at `posted_severity`."""
    level = state.get("page_level") or state.get("posted_severity")
    return Severity(level) if level else None


def _level_stands(
    ctx: Context, state: IncidentState, incident: Incident, reading: Classification | None
) -> dict[str, Any]:
    """New evidence over a level that stands: `reading` when the rules read that level again (its evidence is
    kept and the page is corrected to it), None when the level is a person's or the rules now read it lower.
    Either way the people it reaches are owed what the level tells, and a page held for one account opens once
    others are hit. The state update."""
    effects.keep_severity(ctx, incident, reading, telling=state.get("posted_severity") is not None)
    level = reading or incident.classification
    opens = state.get("page_held") and level is not None and level.severity.pages_customers
    if opens and _open_held_page(ctx, incident, level):
        return {"event": {}, "page_held": False, "page_level": level.public_severity.value}
    return {"event": {}, **(_restate_page(ctx, state, incident, reading) if reading else {})}


def _restate_page(
    ctx: Context, state: IncidentState, incident: Incident, classification: Classification
) -> dict[str, Any]:
    """Correct the page the moment the level it speaks at is no longer the one decided, as news, not at the
    next update: raised (a person, or the rules on their own, confirm a P0 resemblance alone had raised; a
    person raises again after lowering), or lowered by a person (over a page at major outage, or one whose
    promised next update would never come at P2). Only a person lowers what customers were told: the rules
    never lower a level reached. The state update, if any."""
    said = _page_level(state)
    level = classification.public_severity
    if said is None or state.get("page_held") or level == said or (level > said and not classification.by_human):
        return {}
    news = "now says so" if level < said else "now says it is less serious"
    if classification.by_human:
        why = f"{classification.decided_by.removeprefix('human:')} set {classification.severity}"
    else:
        why = f"The rules now rate it {classification.severity} on their own"
    count = state.get("restated", 0) + 1
    post = status_posts.restated_post(incident, classification, ctx.clock.now(), ctx.settings, was=said)
    clock = classification.severity.pages_customers  # the post promised the next update at this level's cadence
    effects.restate_page(
        ctx,
        get_incident(ctx, incident.id) if clock else incident,
        post,
        f"{why}: the public status page {news}.",
        count=count,
        tick=state.get("ticks", 0) + 1 if clock else None,
    )
    return {"page_level": level.value, "restated": count}


def _open_held_page(ctx: Context, incident: Incident, classification: Classification) -> bool:
    """Open the page kept quiet once nothing holds it any more (`classification` is the level now
    decided); False while it stays held."""
    if _held_for(ctx, incident, classification) is not None:
        return False
    if classification.by_human:
        why = f"{classification.decided_by.removeprefix('human:')} set {classification.severity}"
    elif incident.classification is not None and incident.classification.page_awaits_confirmation:
        why = f"The rules now rate it {classification.severity} on their own"
    elif incident.classification is not None and incident.classification.before_impact:
        why = "The alerts show impact now"
    else:
        why = "Users beyond one enterprise account are affected now"
    post = status_posts.first_status_post(incident, classification, ctx.clock.now(), ctx.settings)
    effects.open_held_page(ctx, incident, post, f"{why}: the public status page is opened.")
    return True


def route_by_severity(state: IncidentState) -> str:
    return "respond" if _responds(state, Severity(state["severity"])) else "monitor"


def _responds(state: IncidentState, level: Severity) -> bool:
    """Respond when the incident first reaches P0/P1, or is raised above the gravest level the page was opened
    or raised at; anything else the page must hear of is a correction (`_restate_page`)."""
    posted = state.get("posted_severity")
    return level.pages_customers and (posted is None or level < Severity(posted))


def respond(state: IncidentState, runtime: Runtime[Context]) -> dict[str, Any]:
    """P0/P1: the public notice, the war room, customer comms drafts and the acknowledgement clock
    start now; a later raise updates the same page incident and restarts the clock."""
    ctx = runtime.context
    incident = get_incident(ctx, state["incident_id"])
    assert incident.classification is not None
    now = ctx.clock.now()
    owners = owners_for(codeowners_text(ctx), [e.endpoint for e in incident.endpoints] + [incident.service or ""])
    first = state.get("posted_severity") is None
    held = _held_for(ctx, incident)
    public = incident.classification.public_severity
    said = None if state.get("page_held") else _page_level(state)
    says_no_more = said is not None and public >= said  # a raise only resemblance made: the page says that much
    effects.respond(
        ctx,
        incident,
        post=None
        if held or says_no_more
        else status_posts.first_status_post(
            incident, incident.classification, now, ctx.settings, raised=not first and not state.get("page_held")
        ),
        held=held,
        room=war_room.room_setup(incident, ctx.settings, owners, now),
        raised=None if first else war_room.raised_notice(incident, ctx.settings, now),
        tick=state.get("ticks", 0) + 1,
    )
    spoke = {} if held or says_no_more else {"page_level": public.value}
    return {"posted_severity": incident.classification.severity.value, "page_held": held is not None, **spoke}


def _held_for(ctx: Context, incident: Incident, classification: Classification | None = None) -> PageHold | None:
    """Why the public page keeps quiet, or None when it speaks: a P0 only resemblance raised over a
    level that would have told no customer, until a person confirms it (`classification`, the level
    now decided, defaults to the incident's); alerts that warn before any impact, until impact shows or
    a person sets the level; an incident whose every affected user is one enterprise account's (anyone
    else hit, or users nobody can place, and the page speaks)."""
    decided = classification or incident.classification
    if decided is not None and decided.page_awaits_confirmation:
        return PageHold(rules_level=decided.floor)
    if decided is not None and decided.before_impact:
        return PageHold(before_impact=True)
    with ctx.engine.connect() as conn:
        account = only_account(conn, incident, ctx.settings, now=ctx.clock.now())
    return PageHold(account=account.name) if account else None


def monitor_wait(state: IncidentState, runtime: Runtime[Context]) -> dict[str, Any]:
    event = interrupt(
        {"incident_id": state["incident_id"], "waiting_for": ["tick", "severity", "reassess", "recovered", "resolve"]}
    )
    return {"event": event, "handled": [event["id"]] if event.get("id") else []}


def route_event(state: IncidentState) -> str:
    """A human's level or new evidence re-triages; a recovery closes a P2/P3 only."""
    kind = (state.get("event") or {}).get("type")
    if kind in ("severity", "reassess"):
        return "triage"
    if kind == "resolve":
        return "resolve"
    if kind == "recovered":
        return "monitor" if Severity(state["severity"]).pages_customers else "resolve"
    if kind == "tick":
        return "update"
    return "monitor"


def update(state: IncidentState, runtime: Runtime[Context]) -> dict[str, Any]:
    """The periodic update, from the humans' notes: to the war room always, to the status page for
    P0/P1 once customers are being told, and for P0 a round of customer update drafts."""
    ctx = runtime.context
    incident = get_incident(ctx, state["incident_id"])
    assert incident.severity is not None
    number = int((state.get("event") or {}).get("tick", state.get("ticks", 0) + 1))
    now = ctx.clock.now()
    due = status_posts.next_update_at(now, incident.severity, ctx.settings)
    notes = note_facts(incident)
    public = incident.severity.pages_customers and state.get("posted_severity") is not None
    held = bool(state.get("page_held"))
    if public and held:
        held = _held_for(ctx, incident) is not None  # someone else is hit now: this update opens the page
        public = not held
    effects.post_update(
        ctx,
        incident,
        number=number,
        text=status_posts.compose_update(incident, notes, due, now),
        post=status_posts.update_post(incident, notes, due, ctx.settings, now) if public else None,
    )
    spoke = {"page_level": status_posts.public_level(incident).value} if public else {}
    return {"ticks": number, "event": {}, "page_held": held, **spoke}


def resolve(state: IncidentState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Close out everywhere: page resolved and components operational, all-clear drafts to the
    same audiences, a closing summary in the war room, then the postmortem draft."""
    ctx = runtime.context
    incident = get_incident(ctx, state["incident_id"])
    now = ctx.clock.now()
    event = state.get("event") or {}
    actor = event.get("actor", "human")
    told = state.get("posted_severity") is not None
    lowered = incident.severity is None or not incident.severity.pages_customers
    held = state.get("page_held") and (lowered or _held_for(ctx, incident) is not None)
    on_page = told and not held  # a page kept quiet, then lowered below P1 by a person, never opened: nothing to close
    effects.close_out(
        ctx,
        incident,
        actor=actor,
        automatic=event.get("type") == "recovered",
        told=told,
        post=status_posts.resolved_post(
            incident, now, ctx.settings, customers_affected=_page_level(state) is not Severity.P3
        )
        if on_page
        else None,
        summary=war_room.closing_summary(incident, actor, now, ctx.settings),
    )
    return {"event": {}}
