"""The CTO agent's first question about an incident: how severe is it, from what it and every
alert folded into it say (the rules are in `agents.cto.severity`), or as a human set it."""

from __future__ import annotations

import re

from pydantic import BaseModel

from agents.cto.severity import HINTS, PastIncident, SeverityInput, classify
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


_MESSAGE_CHARS = 8_000


def _cut(text: str, limit: int) -> str:
    """`text` within `limit` characters, never ending inside a word: a credential cut in half is no longer
    recognisable as one (`warroom.redaction`), and its head would reach the evidence quotes. A head that is one
    word throughout is dropped whole."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    if text[limit].isspace() or head[-1].isspace():
        return head.rstrip()
    whole = re.match(r"(.*\S)\s", head, re.DOTALL)  # everything up to the last whitespace before the cut word
    return whole.group(1) if whole else ""


def signals_for(
    incident: Incident,
    settings: Settings,
    similar_past: list[PastIncident] | None = None,
    alerts: list[AlertText] | None = None,
) -> SeverityInput:
    """Signals from the incident and every distinct alert folded into it (their messages, and
    the most severe of their hints): when Prometheus and PagerDuty join a Sentry issue, what
    they say is weighed too."""
    service = settings.services.get(incident.service or "")
    others = alerts or []
    message = _cut("\n".join(f"{a.title}: {a.message}".strip(": ") for a in others), _MESSAGE_CHARS)
    levels = [incident.level, *(a.level for a in others)]
    ranked = [lv for lv in levels if lv and lv.lower() in HINTS]
    level = min(ranked, key=lambda lv: HINTS[lv.lower()].rank) if ranked else incident.level
    return SeverityInput(
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
    record (a human may go below it; the evidence shows they did). Confirming the rules' own level
    is said so, and the rule and its typed facts stay."""
    verb = "confirmed" if base is not None and base.severity is level else "set"
    evidence = [
        *(base.evidence if base else []),
        Evidence(signal="human_override", points_to=level, rule="human", detail=f"{actor} {verb} {level}"),
    ]
    return Classification(
        severity=level,
        reason=f"{verb} by {actor}",
        evidence=evidence,
        floor=base.floor if base else Severity.P3,
        decided_by=f"human:{actor}",
        rule=base.rule if base else "",
        facts=base.facts if base else {},
    )
