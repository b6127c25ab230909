"""Reads what the agents need about one incident from the store: its alert texts, its notes, and
the `IncidentFacts` comms are drafted and grounded from.

Agents stay pure: rows become their inputs here (and, for the postmortem, in `flows.postmortem`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from agents.cto.affected import affected_thing
from agents.cto.assess import AlertText
from agents.cto.status_posts import next_update_at
from agents.notes import NoteFacts, parse_notes
from agents.support.facts import IncidentFacts, KnownAccount
from agents.support.internal import quotable
from warroom.alerts.models import AffectedUser, Alert
from warroom.alerts.tables import AlertRow
from warroom.db import table_of
from warroom.incidents.models import Incident
from warroom.incidents.tables import IncidentUserRow
from warroom.kinds import TimelineKind
from warroom.settings import Settings

__all__ = ["alert_texts", "incident_facts", "known_accounts", "note_facts", "recent_alerts"]

ALERTS = table_of(AlertRow)
USERS = table_of(IncidentUserRow)
SAMPLE = 300


def recent_alerts(conn: Connection, incident_id: int, limit: int = SAMPLE) -> list[Alert]:
    """The newest alerts of an incident: a sample of a storm, enough for the cohort's proportions."""
    rows = conn.execute(
        select(ALERTS.c.alert).where(ALERTS.c.incident_id == incident_id).order_by(ALERTS.c.id.desc()).limit(limit)
    ).scalars()
    return [Alert.model_validate(row) for row in rows]


def alert_texts(conn: Connection, incident_id: int, limit: int = 50) -> list[AlertText]:
    """Each distinct (source, title, message, level) in the incident, read as columns: a storm of
    10,000 alerts is a handful of rows, and no alert JSON is parsed while ingest waits."""
    message = ALERTS.c.alert["message"].as_string()
    rows = conn.execute(
        select(ALERTS.c.source, ALERTS.c.title, message.label("message"), ALERTS.c.level)
        .where(ALERTS.c.incident_id == incident_id)
        .distinct()
        .limit(limit)
    )
    return [AlertText(source=r.source, title=r.title, message=r.message or "", level=r.level) for r in rows]


def affected_users(conn: Connection, incident_id: int) -> list[AffectedUser]:
    rows = conn.execute(select(USERS).where(USERS.c.incident_id == incident_id))
    return [AffectedUser(id=r.user_key, email=r.email, account=r.account) for r in rows]


def known_accounts(settings: Settings) -> list[KnownAccount]:
    return [
        KnownAccount(id=key, name=a.name, contact_emails=a.contact_emails, sla_rca_days=a.sla_rca_days)
        for key, a in settings.accounts.items()
    ]


def note_facts(incident: Incident) -> NoteFacts:
    return parse_notes(e.text for e in incident.timeline if e.kind == TimelineKind.NOTE)


def incident_facts(
    conn: Connection,
    incident: Incident,
    settings: Settings,
    *,
    now: datetime,
    tags: dict[str, dict[str, int]] | None = None,
) -> IncidentFacts:
    notes = note_facts(incident)
    severity = incident.severity
    service = settings.services.get(incident.service or "")
    share = None
    if service and service.users and incident.users_affected:
        share = min(incident.users_affected / service.users, 1.0)
    return IncidentFacts.from_incident(
        incident,
        alerts=recent_alerts(conn, incident.id),
        tags=tags,
        affected_users=affected_users(conn, incident.id),
        known_accounts=known_accounts(settings),
        affected_thing=affected_thing(incident).lower(),
        affected_share=share,
        cause=notes.cause if notes.cause and quotable(notes.cause) else None,
        eta_minutes=notes.eta_minutes,
        what_was_fixed=notes.fixed if notes.fixed and quotable(notes.fixed) else None,
        next_update_at=next_update_at(now, severity, settings) if severity else None,
        detected_at=incident.opened_at,
    )
