"""Acknowledgement and escalation clocks.

A P0/P1 not acknowledged within its SLA (P0 1 min, P1 5 min by default) pages the next person on
the escalation list, one step per missed window; an incident still open past its threshold
(P0 2 h by default) notifies everyone on the list. Both are scheduler jobs, so a restart keeps
the clocks.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Connection

from flows.context import Context
from flows.effects import email_about, post_to_war_room
from warroom import keys
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.kinds import JobKind, TimelineKind
from warroom.redaction import redact_secrets
from warroom.scheduler.engine import Scheduler
from warroom.scheduler.store import Job, schedule
from warroom.settings import Person

__all__ = ["EscalationFlow", "page_on_call", "schedule_clocks"]

log = logging.getLogger(__name__)


def schedule_clocks(conn: Connection, ctx: Context, incident: Incident, now: datetime) -> None:
    """The on-call is paged now; the acknowledgement and unresolved clocks start."""
    severity = incident.severity
    if severity is None:
        return
    ack = ctx.settings.ack_sla_minutes.get(severity)
    if ack is not None and incident.acknowledged_at is None:
        page_on_call(conn, ctx, incident)
        schedule(
            conn,
            key=keys.ack_deadline(incident.id, severity, 0),
            kind=JobKind.ACK_DEADLINE,
            due_at=now + timedelta(minutes=ack),
            payload={"incident_id": incident.id, "step": 0},
        )
    limit = ctx.settings.unresolved_escalation_minutes.get(severity)
    if limit is not None:
        schedule(
            conn,
            key=keys.unresolved_deadline(incident.id, severity),
            kind=JobKind.UNRESOLVED_DEADLINE,
            due_at=incident.opened_at + timedelta(minutes=limit),
            payload={"incident_id": incident.id},
        )


def page_on_call(conn: Connection, ctx: Context, incident: Incident) -> None:
    """A P0/P1 pages the on-call the moment it opens (or is raised), by email, whether or not a
    Slack war room exists; an on-call without an address is stood in for by the first escalation
    contact who has one. Nobody reachable is said on the timeline rather than passed over."""
    settings = ctx.settings
    step = keys.on_call_page(incident.id, incident.severity or "")
    reachable = settings.pageable
    if reachable:
        person = reachable[0]
        stand_in = "" if person is settings.on_call else f" (standing in for {settings.on_call.name}, who has no email)"
        _page(conn, ctx, incident, person, f"needs a responder{stand_in}: {incident.title}", step)
    else:
        said = incidents.add_timeline(
            conn,
            incident.id,
            ctx.clock.now(),
            TimelineKind.ESCALATION,
            "Nobody could be paged: neither the on-call nor anyone on the escalation list has an email "
            "(set on_call.email in warroom.toml)",
            dedup_key=keys.on_call_page(incident.id, "nobody"),  # said once, not again on a raise
        )
        if said:
            log.warning("incident #%d: nobody could be paged (no on-call or escalation email)", incident.id)


def _page(conn: Connection, ctx: Context, incident: Incident, person: Person, reason: str, step: str) -> None:
    """One person paged for one escalation `step` (the job's key): in the room, by email, on the timeline."""
    now = ctx.clock.now()
    text = redact_secrets(f"Paging {person.name}: incident #{incident.id} ({incident.severity}) {reason}.")
    log.info("paging %s (%s) for incident #%d", person.name, "email" if person.email else "war room only", incident.id)
    post_to_war_room(conn, key=keys.page(step, "room"), incident_id=incident.id, text=text, now=now)
    if person.email:
        email_about(
            conn,
            key=keys.page(step, "email"),
            to=person.email,
            subject=f"[{incident.severity}] incident #{incident.id} needs you",
            text=text,
            incident_id=incident.id,
            public_url=ctx.settings.public_url,
            now=now,
        )
    incidents.add_timeline(
        conn, incident.id, now, TimelineKind.ESCALATION, text, data={"to": person.name}, dedup_key=step
    )


class EscalationFlow:
    def __init__(self, context: Context) -> None:
        self.context = context

    def register(self, scheduler: Scheduler) -> None:
        scheduler.register(JobKind.ACK_DEADLINE, self.handle_ack_deadline)
        scheduler.register(JobKind.UNRESOLVED_DEADLINE, self.handle_unresolved)

    def _incident(self, job: Job) -> Incident | None:
        with self.context.engine.connect() as conn:
            incident = incidents.get_incident(conn, int(job.payload["incident_id"]), with_timeline=False)
        if incident is None or incident.status is IncidentStatus.RESOLVED:
            return None
        return incident

    def handle_ack_deadline(self, job: Job) -> None:
        ctx = self.context
        incident = self._incident(job)
        if incident is None or incident.acknowledged_at is not None or incident.severity is None:
            return
        step = int(job.payload["step"])
        chain = ctx.settings.escalation
        minutes = ctx.settings.ack_sla_minutes.get(incident.severity, 5)
        with ctx.engine.begin() as conn:
            if step < len(chain):
                _page(conn, ctx, incident, chain[step], f"has not been acknowledged within {minutes:g} min", job.key)
                schedule(
                    conn,
                    key=keys.ack_deadline(incident.id, incident.severity, step + 1),
                    kind=JobKind.ACK_DEADLINE,
                    due_at=ctx.clock.now() + timedelta(minutes=minutes),
                    payload={"incident_id": incident.id, "step": step + 1},
                )
            else:
                incidents.add_timeline(
                    conn,
                    incident.id,
                    ctx.clock.now(),
                    TimelineKind.ESCALATION,
                    "Still unacknowledged and the escalation list is exhausted",
                    dedup_key=job.key,
                )

    def handle_unresolved(self, job: Job) -> None:
        ctx = self.context
        incident = self._incident(job)
        if incident is None or incident.severity is None:
            return
        limit = ctx.settings.unresolved_escalation_minutes.get(incident.severity, 0)
        with ctx.engine.begin() as conn:
            people = ctx.settings.escalation or [ctx.settings.on_call]
            for n, person in enumerate(people):
                _page(
                    conn,
                    ctx,
                    incident,
                    person,
                    f"is still unresolved after {limit:g} minutes",
                    keys.escalation_step(job.key, n),
                )
