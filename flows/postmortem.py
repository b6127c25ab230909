"""After resolution: draft the postmortem at once (version 1; with a model, its summary, root-cause
narrative and five whys in the team's words where they pass the checks), file its action items,
draft the enterprise accounts' root-cause analyses from it, and watch the 24-hour deadline for the
human's edit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Connection, func, select

from agents.cto.owners import owners_for
from agents.cto.postmortem.draft import draft_postmortem, render_markdown
from agents.cto.postmortem.models import (
    AlertSummary,
    CommsSent,
    HumanNote,
    Owners,
    PastIncident,
    PostmortemInput,
    SlaTargets,
    StatusUpdateSent,
    WarRoomMessage,
)
from agents.cto.postmortem.narrative import write_narrative
from flows.context import Context
from flows.publishing import publish_postmortem
from flows.tickets import file_item
from warroom import keys
from warroom.action_items import store as action_items
from warroom.alerts.tables import AlertRow
from warroom.channels import Channel
from warroom.db import table_of
from warroom.drafts.models import CommsKind
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.kinds import JobKind, TimelineKind
from warroom.postmortems import store as postmortems
from warroom.scheduler.engine import Scheduler
from warroom.scheduler.store import Job, schedule
from warroom.war_room import store as war_room

__all__ = ["PostmortemFlow", "codeowners_text", "postmortem_input"]

ALERTS = table_of(AlertRow)
DEADLINE = timedelta(hours=24)
INTERNAL_CHANNELS = {Channel.SLACK_INTERNAL}


def codeowners_text(ctx: Context) -> str:
    path: Path | None = ctx.settings.codeowners_path
    return path.read_text() if path and path.is_file() else ""


def _past(conn: Connection, incident: Incident) -> list[PastIncident]:
    past: list[PastIncident] = []
    for other in incidents.list_incidents(conn, status=IncidentStatus.RESOLVED, limit=50):
        if other.id == incident.id:
            continue
        version = postmortems.latest(conn, other.id)
        data = (postmortems.history(conn, other.id)[0].data or {}) if version else {}
        open_items = [i.title for i in action_items.list_items(conn, incident_id=other.id, status="open")]
        past.append(
            PastIncident(
                id=other.id,
                title=other.title,
                root_cause=data.get("root_cause"),
                resolved_at=other.resolved_at,
                open_action_items=open_items,
            )
        )
    return past


def postmortem_input(conn: Connection, ctx: Context, incident: Incident) -> PostmortemInput:
    settings = ctx.settings
    alerts = [
        AlertSummary(at=r.first, source=r.source, title=r.title, count=r.n)
        for r in conn.execute(
            select(
                ALERTS.c.source, ALERTS.c.title, func.min(ALERTS.c.received_at).label("first"), func.count().label("n")
            )
            .where(ALERTS.c.incident_id == incident.id)
            .group_by(ALERTS.c.source, ALERTS.c.title)
        )
    ]
    timeline = incident.timeline
    drafted = [e for e in timeline if e.kind == TimelineKind.COMMS_DRAFTED]
    cohort = drafted[-1].data.get("cohort", {}) if drafted else {}
    service = settings.services.get(incident.service or "")
    topics = [e.endpoint for e in incident.endpoints] + ([incident.service] if incident.service else [])
    owners = owners_for(codeowners_text(ctx), topics)
    return PostmortemInput(
        incident=incident,
        alerts=alerts,
        status_posts=[
            StatusUpdateSent(at=e.at, status=IncidentStatus(e.data.get("status", "investigating")), body=e.text)
            for e in timeline
            if e.kind == TimelineKind.STATUS_PAGE
        ],
        comms=[
            CommsSent(at=e.at, channel=str(e.data.get("channel") or "comms"), audience=e.text)
            for e in timeline
            if e.kind == TimelineKind.COMMS_SENT and e.data.get("channel") not in INTERNAL_CHANNELS
        ],
        notes=[HumanNote(at=e.at, author=e.actor, text=e.text) for e in timeline if e.kind == TimelineKind.NOTE],
        war_room=[
            WarRoomMessage(at=m.at, author=m.author, text=m.text)
            for m in war_room.list_messages(conn, incident.id)
            if m.author != "warroom"
        ],
        cohort=cohort.get("description") or None,
        cohort_size=cohort.get("size"),
        revenue_per_minute=service.revenue_per_minute if service else None,
        sla=SlaTargets(
            acknowledge_minutes={**SlaTargets().acknowledge_minutes, **settings.ack_sla_minutes},
            update_cadence_minutes={k: float(v) for k, v in settings.update_cadence_minutes.items()},
        ),
        past_incidents=_past(conn, incident),
        owners=Owners(
            incident_commander=incident.commander or settings.on_call.name,
            on_call=settings.on_call.name,
            service_owners=owners,
        ),
        now=ctx.clock.now(),
    )


class PostmortemFlow:
    def __init__(self, context: Context) -> None:
        self.context = context

    def register(self, scheduler: Scheduler) -> None:
        scheduler.register(JobKind.POSTMORTEM_DRAFT, self.handle_draft)
        scheduler.register(JobKind.POSTMORTEM_DEADLINE, self.handle_deadline)

    def handle_draft(self, job: Job) -> None:
        ctx = self.context
        incident_id = int(job.payload["incident_id"])
        with ctx.engine.connect() as conn:
            if postmortems.latest(conn, incident_id) is not None:
                return
            incident = incidents.get_incident(conn, incident_id)
            assert incident is not None
            inp = postmortem_input(conn, ctx, incident)
        draft = draft_postmortem(inp)
        notes: list[str] = []
        if ctx.model is not None:
            draft, notes = write_narrative(ctx.model, draft, inp)
        now = ctx.clock.now()
        with ctx.engine.begin() as conn:
            for note in notes:
                incidents.add_timeline(
                    conn,
                    incident_id,
                    now,
                    TimelineKind.LLM,
                    note,
                    dedup_key=keys.llm_note(incident_id, "postmortem", note),
                )
            version = postmortems.save_version(
                conn,
                incident_id,
                author="warroom",
                now=now,
                markdown=render_markdown(draft),
                data=draft.model_dump(mode="json"),
            )
            publish_postmortem(conn, ctx.settings, incident_id=incident_id, version=version, now=now)
            for n, item in enumerate(draft.action_items, start=1):
                file_item(
                    conn,
                    key=keys.action_item(incident_id, n),
                    now=now,
                    values=dict(
                        incident_id=incident_id,
                        title=item.title,
                        owner=item.owner,
                        due=item.due,
                        priority=item.priority.value,
                        source=item.source,
                        created_at=now,
                    ),
                )
            incidents.add_timeline(
                conn,
                incident_id,
                now,
                TimelineKind.POSTMORTEM,
                f"Postmortem draft v1 ready with {len(draft.action_items)} action items; "
                f"review due by {now + DEADLINE:%Y-%m-%d %H:%M} UTC",
                dedup_key=keys.postmortem_drafted(incident_id),
            )
            if any(a.sla_rca_days for a in ctx.settings.accounts.values()):
                schedule(
                    conn,
                    key=keys.rca_comms(incident_id),
                    kind=JobKind.COMMS_PREPARE,
                    due_at=now,
                    payload={"incident_id": incident_id, "kind": CommsKind.RCA.value, "label": "rca"},
                    lane=keys.comms_lane(incident_id),
                )
            schedule(
                conn,
                key=keys.postmortem_deadline(incident_id),
                kind=JobKind.POSTMORTEM_DEADLINE,
                due_at=now + DEADLINE,
                payload={"incident_id": incident_id},
            )

    def handle_deadline(self, job: Job) -> None:
        ctx = self.context
        incident_id = int(job.payload["incident_id"])
        with ctx.engine.begin() as conn:
            versions = postmortems.history(conn, incident_id)
            if any(v.author != "warroom" for v in versions):
                return
            incidents.add_timeline(
                conn,
                incident_id,
                ctx.clock.now(),
                TimelineKind.POSTMORTEM_OVERDUE,
                "The postmortem draft has not been reviewed within 24 hours",
                dedup_key=keys.postmortem_overdue(incident_id),
            )
