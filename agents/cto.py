"""The CTO agent: severity with evidence, and the words of the public status page.

Pure functions over domain values; the graph decides when to call them and the outbox sends
what they produce.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from agents.notes import NoteFacts
from agents.severity import HINTS, PastIncident, SeveritySignals, classify
from pydantic import BaseModel

from tools.war_room import RoomSetup
from tools.status_page import ComponentStatus, Impact, StatusPost
from warroom.incidents.models import Incident, IncidentStatus
from warroom.settings import Settings
from warroom.severity import Classification, Severity

__all__ = ["AlertText", "affected_thing", "assess", "compose_update", "room_setup", "first_status_post", "next_update_at", "public_title", "signals_for"]

IMPACT = {Severity.P0: Impact.CRITICAL, Severity.P1: Impact.MAJOR, Severity.P2: Impact.MINOR, Severity.P3: Impact.NONE}
COMPONENT = {Severity.P0: ComponentStatus.MAJOR_OUTAGE, Severity.P1: ComponentStatus.PARTIAL_OUTAGE,
             Severity.P2: ComponentStatus.DEGRADED_PERFORMANCE, Severity.P3: ComponentStatus.OPERATIONAL}
GENERIC_SEGMENTS = {"api", "v1", "v2", "v3", "internal", "public", "app", "www"}


class AlertText(BaseModel):
    """What one kind of alert in the incident says: enough for severity, cheap to read."""

    source: str
    title: str
    message: str = ""
    level: str | None = None


def signals_for(incident: Incident, settings: Settings, similar_past: list[PastIncident] | None = None,
                alerts: list[AlertText] | None = None) -> SeveritySignals:
    """Signals from the incident and every distinct alert folded into it (their messages, and
    the most severe of their hints): when Prometheus and PagerDuty join a Sentry issue, what
    they say is weighed too."""
    service = settings.services.get(incident.service or "")
    others = alerts or []
    message = "\n".join(f"{a.title}: {a.message}".strip(": ") for a in others)[:8000]
    levels = [incident.level, *(a.level for a in others)]
    ranked = [lv for lv in levels if lv and lv.lower() in HINTS]
    level = min(ranked, key=lambda lv: HINTS[lv.lower()].rank) if ranked else incident.level
    return SeveritySignals(
        title=incident.title, message=message, service=incident.service,
        endpoints=[e.endpoint for e in incident.endpoints],
        environment=incident.environment, level=level, source=incident.source,
        event_count=incident.event_count, first_seen=incident.first_seen, last_seen=incident.last_seen,
        users_affected=incident.users_affected,
        requests_per_minute=service.requests_per_minute if service else None,
        total_users=service.users if service else None,
        critical_paths=settings.critical_paths_for(incident.service), similar_past=similar_past or [],
    )


def assess(incident: Incident, settings: Settings, similar_past: list[PastIncident] | None = None,
           alerts: list[AlertText] | None = None) -> Classification:
    return classify(signals_for(incident, settings, similar_past, alerts))


def affected_thing(incident: Incident) -> str:
    """What customers would call the broken part: 'Checkout' for /api/checkout, else the service."""
    for endpoint in [e.endpoint for e in incident.endpoints]:
        segments = [s for s in re.split(r"[/?#]", endpoint.lower()) if s and s not in GENERIC_SEGMENTS]
        if segments and not segments[0].isdigit() and endpoint.startswith("/"):
            return segments[0].replace("-", " ").replace("_", " ").capitalize()
    return (incident.service or "Our service").replace("-", " ").capitalize()


def next_update_at(now: datetime, severity: Severity, settings: Settings) -> datetime:
    return now + timedelta(minutes=settings.cadence_for(severity))


def public_title(incident: Incident, severity: Severity) -> str:
    """The page headline names the customer-visible symptom, never an exception or a host."""
    verb = "is failing" if severity is Severity.P0 else "is degraded"
    return f"{affected_thing(incident)} {verb}"[:255]


def first_status_post(incident: Incident, classification: Classification, now: datetime, settings: Settings) -> StatusPost:
    """The first public notice: what is affected, since when, and when the next update comes."""
    thing = affected_thing(incident)
    since = _hhmm(incident.first_seen)
    due = _hhmm(next_update_at(now, classification.severity, settings))
    verb = "is failing" if classification.severity is Severity.P0 else "is degraded"
    body = (f"We are investigating an issue: {thing} {verb} for some customers since {since} UTC. "
            f"We are working on it and will post the next update by {due} UTC.")
    return StatusPost(incident_id=incident.id, title=public_title(incident, classification.severity),
                      status=IncidentStatus.INVESTIGATING,
                      body=body, impact=IMPACT[classification.severity],
                      components={thing: COMPONENT[classification.severity]})


def compose_update(incident: Incident, notes: NoteFacts, due: datetime) -> str:
    """The periodic update: what was tried, what works, the hypothesis and the ETA, from the humans'
    notes; never an empty "we're working on it" when the team has written something down."""
    thing = affected_thing(incident)
    parts = [f"Update on {thing}: status {incident.status.value}."]
    if notes.cause:
        parts.append(f"Cause identified: {notes.cause}.")
    elif notes.hypothesis:
        parts.append(f"Current hypothesis: {notes.hypothesis}.")
    else:
        parts.append("The cause is not yet known.")
    if notes.tried:
        parts.append(f"Tried so far: {'; '.join(notes.tried)}.")
    if notes.working:
        parts.append(f"What is working: {'; '.join(notes.working)}.")
    if notes.eta_minutes:
        parts.append(f"Expected fix within {notes.eta_minutes} minutes.")
    parts.append(f"Next update by {_hhmm(due)} UTC.")
    return " ".join(parts)


def room_setup(incident: Incident, settings: Settings, owners: list[str], now: datetime) -> RoomSetup:
    """The war room: the on-call (incident commander by default) plus the owners of the affected
    paths; warroom itself keeps the timeline and the clock."""
    severity = incident.severity or Severity.P3
    commander = settings.on_call.name
    links = [f"{link.label}: {link.url}" for link in incident.links]
    service = settings.services.get(incident.service or "")
    runbook = incident.runbook_url or (service.runbook_url if service else None)
    if runbook:
        links.append(f"Runbook: {runbook}")
    links.append(f"Status page: {settings.public_url.rstrip('/')}/status")
    emails = [p for p in [settings.on_call.email, *owners] if p and "@" in p and not p.startswith("@")]
    intro = (f"Incident #{incident.id}: {incident.title}\nSeverity {severity}. Incident commander: {commander} "
             f"(on-call). warroom is scribe and timekeeper: updates every "
             f"{settings.cadence_for(severity)} minutes. Owners of the affected paths: "
             f"{', '.join(owners) or 'none found in CODEOWNERS'}.")
    return RoomSetup(incident_id=incident.id, opened_at=now, title=public_title(incident, severity),
                     topic=f"{severity} · {incident.status.value} · IC {commander}", member_emails=emails,
                     member_slack_ids=[settings.on_call.slack_id] if settings.on_call.slack_id else [],
                     pins=links, intro=intro)


def _hhmm(moment: datetime) -> str:
    return moment.strftime("%H:%M")
