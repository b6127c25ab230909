"""The CTO agent's first question about an incident: how severe is it, from what it and every
alert folded into it say (the rules are in `agents.cto.severity`), or as a human set it."""

from __future__ import annotations

from pydantic import BaseModel

from agents.cto.severity import HINTS, PastIncident, SeveritySignals, classify
from warroom.incidents.models import Incident
from warroom.settings import Settings
from warroom.severity import Classification, Evidence, Severity

__all__ = ["AlertText", "assess", "human_override", "signals_for"]


class AlertText(BaseModel):
    """What one kind of alert in the incident says: enough for severity, cheap to read."""

    source: str
    title: str
    message: str = ""
    level: str | None = None


def signals_for(
    incident: Incident,
    settings: Settings,
    similar_past: list[PastIncident] | None = None,
    alerts: list[AlertText] | None = None,
) -> SeveritySignals:
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
        title=incident.title,
        message=message,
        service=incident.service,
        endpoints=[e.endpoint for e in incident.endpoints],
        environment=incident.environment,
        level=level,
        source=incident.source,
        event_count=incident.event_count,
        first_seen=incident.first_seen,
        last_seen=incident.last_seen,
        users_affected=incident.users_affected,
        requests_per_minute=service.requests_per_minute if service else None,
        total_users=service.users if service else None,
        critical_paths=settings.critical_paths_for(incident.service),
        similar_past=similar_past or [],
    )


def assess(
    incident: Incident,
    settings: Settings,
    similar_past: list[PastIncident] | None = None,
    alerts: list[AlertText] | None = None,
) -> Classification:
    return classify(signals_for(incident, settings, similar_past, alerts))


def human_override(base: Classification | None, level: Severity, actor: str) -> Classification:
    """A human's level: it decides, the rules' evidence stays beside it, and the floor is kept on
    record (a human may go below it; the evidence shows they did)."""
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
