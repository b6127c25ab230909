"""Evidence from warroom's own store and configuration: the incident's alerts, notes and timeline,
past incidents with their postmortems' causes and action items, the service's runbook and the
CODEOWNERS rules. Reads only."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

from sqlalchemy import Connection, func, select

from agents.cto.investigation.evidence import (
    ActionFact,
    AlertFact,
    IncidentFact,
    NoteFact,
    OwnerFact,
    PastIncidentFact,
    RunbookSection,
    TimelineFact,
)
from agents.cto.investigation.runbook import runbook_sections
from agents.cto.investigation.text import overlap, terms
from agents.cto.postmortem.models import UNKNOWN
from warroom.action_items import store as action_items
from warroom.alerts.models import Alert
from warroom.alerts.tables import AlertRow
from warroom.codeowners import rules
from warroom.db import table_of
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.incidents.tables import IncidentRow
from warroom.kinds import TimelineKind
from warroom.postmortems import store as postmortems
from warroom.settings import Settings

__all__ = [
    "alert_facts",
    "concurrent_incidents",
    "incident_fact",
    "owner_facts",
    "past_incidents",
    "runbook",
    "timeline_facts",
]

ALERTS = table_of(AlertRow)
INCIDENTS = table_of(IncidentRow)
MAX_ALERTS = 20
MAX_PAST = 5
_ROOT_CAUSE = re.compile(r"^## Root cause\s*\n(?P<text>.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)


def incident_fact(incident: Incident) -> IncidentFact:
    return IncidentFact(
        id=incident.id,
        title=incident.title,
        service=incident.service,
        severity=incident.severity.value if incident.severity else None,
        first_seen=incident.first_seen,
        opened_at=incident.opened_at,
        event_count=incident.event_count,
    )


def concurrent_incidents(conn: Connection, incident: Incident, window: timedelta) -> list[int]:
    """Other incidents that began within `window` of this one: what else fired at the same time,
    which correlation may have kept apart (a Sentry error on a host, a Grafana alert on a service)."""
    rows = conn.execute(
        select(INCIDENTS.c.id)
        .where(
            INCIDENTS.c.id != incident.id,
            INCIDENTS.c.first_seen >= incident.first_seen - window,
            INCIDENTS.c.first_seen <= incident.first_seen + window,
        )
        .order_by(INCIDENTS.c.first_seen)
        .limit(5)
    )
    return list(rows.scalars())


def alert_facts(conn: Connection, incident_ids: list[int]) -> list[AlertFact]:
    """The distinct alerts (by source and title) of these incidents, each cited by its first
    delivery: a storm of 10,000 deliveries is a handful of facts, and only those rows' JSON is read."""
    groups = conn.execute(
        select(func.min(ALERTS.c.id).label("first"), func.count().label("n"))
        .where(ALERTS.c.incident_id.in_(incident_ids))
        .group_by(ALERTS.c.incident_id, ALERTS.c.source, ALERTS.c.title)
        .order_by(func.min(ALERTS.c.id))
        .limit(MAX_ALERTS)
    ).all()
    counts = {row.first: row.n for row in groups}
    rows = conn.execute(
        select(ALERTS.c.id, ALERTS.c.incident_id, ALERTS.c.alert, ALERTS.c.received_at, ALERTS.c.raw_pruned_at).where(
            ALERTS.c.id.in_(list(counts))
        )
    ).all()
    facts = [
        _alert_fact(
            row.id,
            row.incident_id,
            Alert.model_validate(row.alert),
            counts[row.id],
            pruned_days=(row.raw_pruned_at - row.received_at).days if row.raw_pruned_at is not None else None,
        )
        for row in rows
    ]
    return sorted(facts, key=lambda f: (f.incident_id != incident_ids[0], f.at, f.citation))


def _alert_fact(alert_id: int, incident_id: int, alert: Alert, count: int, *, pruned_days: int | None) -> AlertFact:
    """`pruned_days`: retention removed the raw payload, so what only it said is unknown."""
    event = alert.raw if alert.source == "sentry" and isinstance(alert.raw, dict) else {}
    return AlertFact(
        citation=f"alert:{alert_id}",
        incident_id=incident_id,
        source=alert.source,
        title=alert.title,
        message=alert.message,
        service=alert.service,
        level=alert.level,
        at=alert.occurred_at,
        count=count,
        expressions=_expressions(alert),
        sentry_issue=alert.source_ref if alert.source == "sentry" else None,
        exception=_exception(event),
        culprit=event.get("culprit") if isinstance(event.get("culprit"), str) else None,
        release=event.get("release") if isinstance(event.get("release"), str) else None,
        tags=alert.tags,
        payload_pruned_days=pruned_days,
    )


def _expressions(alert: Alert) -> list[str]:
    """PromQL the alert evaluates: Prometheus's generatorURL carries it as `g0.expr`."""
    found = []
    for link in alert.links:
        query = parse_qs(urlparse(link.url).query)
        found += query.get("g0.expr", [])
    return list(dict.fromkeys(found))


def _exception(event: dict[str, Any]) -> str | None:
    values = (event.get("exception") or {}).get("values") if isinstance(event.get("exception"), dict) else None
    if not isinstance(values, list) or not values or not isinstance(values[-1], dict):
        return None
    raised = values[-1]
    return ": ".join(str(raised[k]) for k in ("type", "value") if raised.get(k)) or None


def timeline_facts(incident: Incident) -> tuple[list[NoteFact], list[TimelineFact]]:
    """The humans' notes, and everything else warroom recorded (severity, updates, status posts)."""
    notes = [
        NoteFact(citation=f"note:{e.id}", at=e.at, author=e.actor, text=e.text)
        for e in incident.timeline
        if e.kind == TimelineKind.NOTE
    ]
    events = [
        TimelineFact(citation=f"timeline:{e.id}", at=e.at, kind=e.kind, text=e.text)
        for e in incident.timeline
        if e.kind not in (TimelineKind.NOTE, TimelineKind.FINDING)
    ]
    return notes, events


def past_incidents(conn: Connection, incident: Incident, alerts: list[AlertFact]) -> list[PastIncidentFact]:
    """Resolved incidents of the same service or sharing the incident's words, with the root cause
    their latest postmortem states and their action items, the most alike first."""
    notes = [e.text for e in incident.timeline if e.kind == TimelineKind.NOTE]
    ours = terms(incident.title, *notes, *(f"{a.title} {a.message} {a.exception or ''}" for a in alerts))
    found = []
    for other in incidents.list_incidents(conn, status=IncidentStatus.RESOLVED, limit=500):
        if other.id == incident.id or other.opened_at > incident.opened_at:
            continue
        cause = _root_cause(conn, other.id)
        similarity = overlap(ours, terms(other.title, cause, other.service))
        if other.service != incident.service and similarity == 0:
            continue
        items = action_items.list_items(conn, incident_id=other.id)
        found.append(
            PastIncidentFact(
                citation=f"history:{other.id}",
                id=f"#{other.id}",
                title=other.title,
                service=other.service,
                started_at=other.first_seen,
                resolved_at=other.resolved_at,
                cause=cause,
                actions=[
                    ActionFact(
                        citation=f"history:{other.id}:action:{item.id}",
                        title=item.title,
                        owner=item.owner,
                        due=item.due,
                        status=item.status.value,
                    )
                    for item in items
                ],
                similarity=round(similarity, 3),
            )
        )
    return sorted(found, key=lambda p: (-p.similarity, p.citation))[:MAX_PAST]


def _root_cause(conn: Connection, incident_id: int) -> str | None:
    """The root cause as the latest postmortem version states it (a human's edit wins)."""
    latest = postmortems.latest(conn, incident_id)
    if latest is None:
        return None
    match = _ROOT_CAUSE.search(latest.markdown)
    text = " ".join(match["text"].split()) if match else ""
    return text if text and text != UNKNOWN else None


def runbook(settings: Settings, service: str | None) -> list[RunbookSection]:
    """The service's runbook sections, when `warroom.toml` gives its file."""
    config = settings.services.get(service or "")
    path = config.runbook_path if config else None
    if path is None or not path.is_file():
        return []
    return runbook_sections(path.read_text(encoding="utf-8"))


def owner_facts(codeowners: str) -> list[OwnerFact]:
    return [
        OwnerFact(citation=f"codeowners:{pattern}", pattern=pattern, owners=owners)
        for pattern, owners in rules(codeowners)
    ]
