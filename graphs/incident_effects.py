"""What each node of the incident graph does to the world: one function, one transaction.

Nodes decide (they load the incident and ask the CTO agent); these functions record the decision
and enqueue what follows. Every effect is a timeline entry, an outbox row or a scheduled job
under a key from `warroom.keys`, so a node replayed after a crash or an `interrupt` resume
changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import chain, count

from pydantic import BaseModel
from sqlalchemy import Connection

from agents.coo.recurrence import Recurrence
from agents.cto.status_posts import next_update_at
from flows import escalation, recurrence, severity_question
from flows.comms import first_round
from flows.context import Context
from flows.effects import post_status, post_to_war_room
from flows.staleness import withdraw_on_resolve, withdraw_undecided
from flows.tickets import schedule_digest
from warroom import keys
from warroom.drafts import store as drafts
from warroom.drafts.models import CommsKind, DraftState
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.kinds import JobKind, OutboxKind, TimelineKind
from warroom.outbox.store import enqueue
from warroom.redaction import redact_secrets
from warroom.scheduler.store import cancel, schedule
from warroom.severity import Classification, Severity
from warroom.status_page.models import StatusPost
from warroom.war_room.models import RoomSetup

__all__ = ["PageHold", "close_out", "keep_severity", "open_held_page", "post_update", "record_severity", "respond"]

log = logging.getLogger(__name__)


class PageHold(BaseModel):
    """Why the public status page keeps quiet for now: nothing has failed yet (`before_impact`), every
    affected user so far is one enterprise `account`'s, or only the alert's resemblance to labelled P0s
    made it a P0 over the `rules_level` (P2/P3) that would have told no customer, and a person has not
    confirmed it yet."""

    account: str | None = None
    rules_level: Severity | None = None
    before_impact: bool = False

    def said(self) -> str:
        if self.before_impact:
            return (
                "Not on the public status page: nothing has failed yet, the alerts warn of what is coming. "
                "The page opens by itself once they show impact; set P0 or P1 to tell customers now."
            )
        if self.account is not None:
            return (
                f"Not on the public status page: every affected user so far is {self.account}'s, and "
                f"{self.account}'s contacts get their own notice to approve. The page opens by itself the moment "
                "anyone else is affected."
            )
        return (
            f"Not on the public status page yet: the rules alone rated this {self.rules_level}, and only its "
            "resemblance to labelled P0 alerts made it a P0. Confirm P0 (or lower it to P1) and the page opens; "
            f"put it back to {self.rules_level} and customers are not told."
        )


def record_severity(
    ctx: Context,
    incident: Incident,
    classification: Classification,
    *,
    was: Severity | None,
    note: str | None,
    recurs: Sequence[Recurrence] = (),
) -> None:
    """A new level, with its evidence on the timeline (and the model's trouble, if it had any); at
    P0–P2 the investigation starts (once: a later raise finds it started). `recurs`: the past
    incidents it repeats with action items open, said on the timeline, and in the war room now
    unless `respond` is about to open one (P0/P1), which then says it."""
    now = ctx.clock.now()
    change = f" (was {was})" if was else ""
    log.info("incident #%d rated %s%s by %s", incident.id, classification.severity, change, classification.decided_by)
    with ctx.engine.begin() as conn:
        incidents.set_classification(conn, incident.id, classification)
        incidents.add_timeline(
            conn,
            incident.id,
            now,
            TimelineKind.SEVERITY,
            f"Severity {classification.severity}{change}: {classification.reason}",
            actor=classification.decided_by,
            data=classification.model_dump(mode="json"),
        )
        if note:
            incidents.add_timeline(conn, incident.id, now, TimelineKind.LLM, note)
        if recurs:
            recurrence.record(conn, incident, recurs, now, room=not classification.severity.pages_customers)
        if was is not None:
            severity_question.settle(conn, incident.id, was, classification, now)
        if was is not None and classification.severity != was:
            changed_drafts(conn, incident, classification.severity, was, now)
        if classification.severity is Severity.P2:
            account_notice(conn, incident, now)
        if classification.severity <= Severity.P2:
            schedule(
                conn,
                key=keys.investigate(incident.id),
                kind=JobKind.INVESTIGATION_START,
                due_at=now,
                payload={"incident_id": incident.id},
                lane=keys.investigation_lane(incident.id),
            )


def changed_drafts(conn: Connection, incident: Incident, severity: Severity, was: Severity, now: datetime) -> None:
    """A new level (`incident` as read before it): undecided customer drafts are re-drafted for it while
    customers are told (P0 and P1 both ways), or withdrawn when lowered to a level they are not told of
    (P2/P3). Raised to P0/P1 from below, the first message is drafted, again after such a lowering
    (`first_round`)."""
    if not severity.pages_customers:
        if severity > was:
            withdraw_undecided(
                conn, incident.id, f"the incident was lowered to {severity}, which customers are not told about", now
            )
        return
    if not was.pages_customers:
        refresh_initial_comms(conn, incident, now, severity)
        return
    changes = sum(e.kind == TimelineKind.SEVERITY for e in incident.timeline)
    for kind, label in drafts.undecided_rounds(conn, incident.id):
        schedule(
            conn,
            key=keys.stage_comms(incident.id, label, f"severity-{changes}-{severity}"),
            kind=JobKind.COMMS_PREPARE,
            due_at=now,
            payload={"incident_id": incident.id, "kind": kind, "label": label},
            lane=keys.comms_lane(incident.id),
        )


def keep_severity(ctx: Context, incident: Incident, classification: Classification | None, *, telling: bool) -> None:
    """The level held on new evidence. `classification`: the new reading when it is that level, whose
    evidence is kept; None when the level stands over it (a person's, or a reading lower: only a person
    lowers a level), which leaves the level and its evidence. Either way the level drafts what it tells: at
    P0/P1 while customers are being told (`telling`), the undecided first drafts with the new numbers and a
    first message for people hit since one was decided (a storm that spreads as it thins must still reach
    the people it spreads to); at P2 the one enterprise account's notice; at P3 or resolved, nothing."""
    with ctx.engine.begin() as conn:
        if classification is not None:
            incidents.set_classification(conn, incident.id, classification)
        if incident.resolved_at or incident.severity is None:
            return
        if telling and incident.severity.pages_customers:
            refresh_initial_comms(conn, incident, ctx.clock.now())
        elif incident.severity is Severity.P2:  # a person's P2 over a page already told too: the account's notice
            account_notice(conn, incident, ctx.clock.now())


def respond(
    ctx: Context,
    incident: Incident,
    *,
    post: StatusPost | None,
    held: PageHold | None = None,
    room: RoomSetup,
    raised: str | None,
    tick: int,
) -> None:
    """P0/P1 for the first time (`raised` is None) or raised again: the page post (none while the
    page is `held`: one account hit, or a raise nobody confirmed), the war room (and in it, first,
    the recurrence guard's word, if triage had one), the next update's clock (restarted on a raise),
    comms drafts, escalation clocks, enrichment."""
    assert incident.severity is not None
    now = ctx.clock.now()
    log.info(
        "incident #%d %s at %s: %s",
        incident.id,
        "opened" if raised is None else "raised",
        incident.severity,
        redact_secrets(incident.title)[:120],
    )
    with ctx.engine.begin() as conn:
        opened = (
            keys.status_opened(incident.id) if raised is None else keys.status_raised(incident.id, incident.severity)
        )
        if post is not None:
            post_status(conn, key=opened, post=post, now=now)
        if raised is not None:
            cancel(conn, keys.ticks(incident.id))
        schedule_tick(conn, ctx, incident, tick)
        enqueue(
            conn,
            key=keys.war_room_opened(incident.id),
            kind=OutboxKind.WAR_ROOM_OPEN,
            now=now,
            incident_id=incident.id,
            payload=room.model_dump(mode="json"),
        )
        if raised is None and (repeated := recurrence.noted(incident)):
            recurrence.tell_room(conn, incident.id, repeated, now)
        if raised is not None:
            post_to_war_room(
                conn,
                key=keys.war_room_raised(incident.id, incident.severity),
                incident_id=incident.id,
                text=raised,
                now=now,
            )
        if held is not None:
            text = held.said()
            incidents.add_timeline(
                conn,
                incident.id,
                now,
                TimelineKind.COMMS_DECISION,
                text,
                actor="warroom",
                data={"decision": "page_held", **held.model_dump(mode="json", exclude_none=True)},
                dedup_key=keys.status_held(incident.id),
            )
            post_to_war_room(conn, key=keys.status_held(incident.id), incident_id=incident.id, text=text, now=now)
        severity_question.ask(conn, incident, ctx.settings, now)
        refresh_initial_comms(conn, incident, now)
        escalation.schedule_clocks(conn, ctx, incident, now)
        if ctx.settings.sentry_api_token and ctx.settings.sentry_org and incident.dedup_key.startswith("sentry:issue:"):
            schedule(
                conn,
                key=keys.enrich(incident.id),
                kind=JobKind.INCIDENT_ENRICH,
                due_at=now,
                payload={"incident_id": incident.id},
                lane=keys.enrich_lane(incident.id),
            )


def open_held_page(ctx: Context, incident: Incident, post: StatusPost, said: str) -> None:
    """The page kept quiet opens (`said`, for the war room, says why): someone beyond the account is
    affected now, or a person or the rules themselves rate it P0/P1 where only resemblance had."""
    now = ctx.clock.now()
    log.info("incident #%d: the held status page opens", incident.id)
    with ctx.engine.begin() as conn:
        post_status(conn, key=keys.status_opened(incident.id), post=post, now=now)
        post_to_war_room(conn, key=keys.status_unheld(incident.id), incident_id=incident.id, text=said, now=now)


def restate_page(
    ctx: Context, incident: Incident, post: StatusPost, said: str, *, count: int, tick: int | None = None
) -> None:
    """The page corrected to the level now decided (`said`, for the war room, says who decided it); the
    `count`th correction of this incident's page, posted once. `tick`: the correction promised the next
    update at the new level's cadence, so the update clock restarts there (`incident` as now rated)."""
    now = ctx.clock.now()
    log.info("incident #%d: the status page now says what was decided", incident.id)
    with ctx.engine.begin() as conn:
        post_status(conn, key=keys.status_restated(incident.id, count), post=post, now=now)
        post_to_war_room(
            conn, key=keys.war_room_restated(incident.id, count), incident_id=incident.id, text=said, now=now
        )
        if tick is not None:
            cancel(conn, keys.ticks(incident.id))
            schedule_tick(conn, ctx, incident, tick, again=count)


UPDATE_DRAFT_LEAD = timedelta(minutes=5)
"""How long before a P0's next update is due its customer drafts are written, for a human to approve."""
REMINDER_LEAD = timedelta(minutes=1)


def post_update(ctx: Context, incident: Incident, *, number: int, text: str, post: StatusPost | None) -> None:
    """Update `number`: on the timeline and in the war room, on the page when customers are being
    told (`post`), a round of customer update drafts for a P0, then the next update's clock."""
    assert incident.severity is not None
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        incidents.add_timeline(
            conn, incident.id, now, TimelineKind.UPDATE, text, dedup_key=keys.update_noted(incident.id, number)
        )
        post_to_war_room(
            conn, key=keys.war_room_update(incident.id, number), incident_id=incident.id, text=text, now=now
        )
        if post is not None:
            post_status(conn, key=keys.status_update(incident.id, number), post=post, now=now)
        if incident.severity is Severity.P0:
            schedule(
                conn,
                key=keys.update_comms(incident.id, number),
                kind=JobKind.COMMS_PREPARE,
                due_at=now,
                payload={"incident_id": incident.id, "kind": CommsKind.UPDATE.value, "label": f"update-{number}"},
            )
        schedule_tick(conn, ctx, incident, number + 1)


def close_out(
    ctx: Context,
    incident: Incident,
    *,
    actor: str,
    automatic: bool,
    told: bool,
    post: StatusPost | None,
    summary: str,
) -> None:
    """Resolved: the clocks stop; where customers were told (`told`), all-clear drafts and the war
    room's closing `summary`, and the page's all-clear (`post`) where the page spoke; the
    postmortem draft in every case."""
    now = ctx.clock.now()
    text = (
        f"Auto-resolved: {actor} reports recovery and a {incident.severity} closes itself"
        if automatic
        else f"Resolved by {actor}"
    )
    with ctx.engine.begin() as conn:
        incidents.set_status(conn, incident.id, IncidentStatus.RESOLVED, now)
        incidents.add_timeline(
            conn,
            incident.id,
            now,
            TimelineKind.RESOLVED,
            text,
            actor=actor,
            dedup_key=keys.incident_resolved(incident.id),
        )
        cancel(conn, keys.ticks(incident.id))
        cancel(conn, keys.escalations(incident.id))
        withdraw_on_resolve(conn, incident.id, now)
        if post is not None:
            post_status(conn, key=keys.status_resolved(incident.id), post=post, now=now)
        notified = any(
            d.public
            for d in drafts.list_drafts(conn, incident_id=incident.id, states=[DraftState.SENT, DraftState.APPROVED])
        )
        if told or notified:  # notified below P1: an enterprise account's own notice went out
            schedule(
                conn,
                key=keys.all_clear_comms(incident.id),
                kind=JobKind.COMMS_PREPARE,
                due_at=now,
                payload={"incident_id": incident.id, "kind": CommsKind.ALL_CLEAR.value, "label": "all-clear"},
            )
        if told:
            enqueue(
                conn,
                key=keys.war_room_closed(incident.id),
                kind=OutboxKind.WAR_ROOM_CLOSE,
                now=now,
                incident_id=incident.id,
                payload={"incident_id": incident.id, "text": summary},
            )
        schedule_digest(conn, now)
        schedule(
            conn,
            key=keys.postmortem_draft(incident.id),
            kind=JobKind.POSTMORTEM_DRAFT,
            due_at=now,
            payload={"incident_id": incident.id},
            lane=keys.postmortem_lane(incident.id),
        )


def account_notice(conn: Connection, incident: Incident, now: datetime) -> None:
    """A P2 tells no customer, except an enterprise account that alone is hit: the Support agent
    drafts its notice if every affected user is that account's (`flows.comms` decides), again as
    the storm grows. Back at P2 after a raise replaced (withdrew) the notice, a new round ('account-2') drafts it
    again: the withdrawn one's key cannot be drafted twice."""
    spent = drafts.spent_rounds(conn, incident.id)
    label = next(name for name in chain(["account"], (f"account-{n}" for n in count(2))) if name not in spent)
    schedule(
        conn,
        key=keys.account_notice(incident.id, incident.event_count.bit_length(), label),
        kind=JobKind.COMMS_PREPARE,
        due_at=now,
        lane=keys.comms_lane(incident.id),
        payload={"incident_id": incident.id, "kind": CommsKind.INITIAL.value, "label": label},
    )


def refresh_initial_comms(conn: Connection, incident: Incident, now: datetime, level: Severity | None = None) -> None:
    """Draft the first customer comms, and re-draft them while undecided as the storm doubles and
    once more a minute after it goes quiet, so the human approves current numbers and recipients.
    `level`: the one just decided, when `incident` was read before it."""
    level = level or incident.severity
    assert level is not None
    label = first_round(conn, incident.id)
    payload = {"incident_id": incident.id, "kind": CommsKind.INITIAL.value, "label": label}
    lane = keys.comms_lane(incident.id)
    scale = incident.event_count.bit_length()
    schedule(
        conn,
        key=keys.initial_comms(incident.id, level, scale, label),
        kind=JobKind.COMMS_PREPARE,
        due_at=now,
        lane=lane,
        payload=payload,
    )
    schedule(
        conn,
        key=keys.initial_comms_settled(incident.id, incident.event_count, label),
        kind=JobKind.COMMS_PREPARE,
        due_at=now + timedelta(minutes=1),
        lane=lane,
        payload=payload,
    )


def schedule_tick(conn: Connection, ctx: Context, incident: Incident, number: int, *, again: int = 0) -> None:
    """Update `number`, due after the severity's cadence. For a P0, whose customers were promised
    the next update by then, its customer drafts are written a few minutes ahead, so a human can
    approve them in time, and the war room is reminded a minute before if they still wait. `again`: the
    page's correction this clock restarts for (its key is new even if this number at this level was
    scheduled and cancelled before). A number whose round a lowering withdrew is passed over: its drafts could
    not be written again, and customers promised that update would get none."""
    assert incident.severity is not None
    spent = drafts.spent_rounds(conn, incident.id)
    number = next(n for n in count(number) if f"update-{n}" not in spent)
    due = next_update_at(ctx.clock.now(), incident.severity, ctx.settings)
    key = keys.tick(incident.id, number, incident.severity, again)
    schedule(
        conn,
        key=key,
        kind=JobKind.INCIDENT_EVENT,
        due_at=due,
        payload={"incident_id": incident.id, "event": {"type": "tick", "tick": number}},
        lane=keys.incident_lane(incident.id),
    )
    if incident.severity is not Severity.P0:
        return
    cadence = timedelta(minutes=ctx.settings.cadence_for(incident.severity))
    label = f"update-{number}"
    schedule(
        conn,
        key=f"{key}:draft-ahead",
        kind=JobKind.COMMS_PREPARE,
        due_at=due - min(UPDATE_DRAFT_LEAD, cadence / 3),
        payload={"incident_id": incident.id, "kind": CommsKind.UPDATE.value, "label": label},
        lane=keys.comms_lane(incident.id),
    )
    schedule(
        conn,
        key=f"{key}:remind",
        kind=JobKind.COMMS_REMINDER,
        due_at=due - min(REMINDER_LEAD, cadence / 10),
        payload={"incident_id": incident.id, "label": label, "due": due.isoformat()},
        lane=keys.comms_lane(incident.id),
    )
