"""Reads what the agents need about one incident from the store: its alert texts, its notes, and
the `IncidentFacts` comms are drafted and grounded from.

Agents stay pure: rows become their inputs here (and, for the postmortem, in `flows.postmortem`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from agents.cto.affected import affected_thing
from agents.cto.assess import AlertText
from agents.cto.status_posts import customer_share, next_update_at
from agents.notes import NoteFacts, parse_notes
from agents.support.cohort import detect_cohort
from agents.support.drafts import one_account_only
from agents.support.facts import AccountImpact, Brand, FollowUp, IncidentFacts, KnownAccount, Symptom
from agents.support.internal import quotable
from warroom.action_items import store as action_items
from warroom.alerts.models import AffectedUser, Alert, endpoint_words
from warroom.alerts.tables import AlertRow
from warroom.db import table_of
from warroom.incidents.models import Incident
from warroom.incidents.tables import IncidentUserRow
from warroom.kinds import TimelineKind
from warroom.settings import Settings

__all__ = [
    "account_impact",
    "alert_texts",
    "follow_ups",
    "incident_facts",
    "known_accounts",
    "note_facts",
    "only_account",
    "recent_alerts",
]

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


def account_impact(conn: Connection, incident_id: int) -> list[AccountImpact]:
    """Per account its users carry: distinct affected users, failed requests (events) and the
    window they failed in, counted over every stored alert, not a sample."""
    account = ALERTS.c.alert["user"]["account"].as_string()
    rows = conn.execute(
        select(
            account.label("account"),
            func.sum(ALERTS.c.event_count).label("requests"),
            func.min(ALERTS.c.occurred_at).label("first"),
            func.max(ALERTS.c.occurred_at).label("last"),
        )
        .where(ALERTS.c.incident_id == incident_id, account.is_not(None))
        .group_by(account)
    ).all()
    users = dict(
        conn.execute(
            select(USERS.c.account, func.count())
            .where(USERS.c.incident_id == incident_id, USERS.c.account.is_not(None))
            .group_by(USERS.c.account)
        ).all()
    )
    return [
        AccountImpact(
            account=r.account,
            users=users.get(r.account, 0),
            requests=int(r.requests or 0),
            first_at=_utc(r.first),
            last_at=_utc(r.last),
        )
        for r in rows
    ]


def follow_ups(conn: Connection, incident_id: int) -> list[FollowUp]:
    """The action items that change the product (the root-cause fix, the ones responders wrote),
    in words a customer may read; process items (paging, comms targets) stay internal."""
    return [
        FollowUp(title=item.title, due=item.due)
        for item in action_items.list_items(conn, incident_id=incident_id)
        if (item.source == "root cause" or item.source.startswith("note")) and quotable(item.title)
    ]


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def brand(settings: Settings) -> Brand:
    return Brand(company=settings.company_name, signer=settings.signature, status_url=settings.status_url)


def known_accounts(settings: Settings) -> list[KnownAccount]:
    return [
        KnownAccount(id=key, name=a.name, contact_emails=a.contact_emails, sla_rca_days=a.sla_rca_days)
        for key, a in settings.accounts.items()
    ]


def note_facts(incident: Incident) -> NoteFacts:
    return parse_notes((e.text, e.at) for e in incident.timeline if e.kind == TimelineKind.NOTE)


def incident_facts(
    conn: Connection,
    incident: Incident,
    settings: Settings,
    *,
    now: datetime,
    tags: dict[str, dict[str, int]] | None = None,
    next_update: datetime | None = None,
) -> IncidentFacts:
    notes = note_facts(incident)
    severity = incident.severity
    words = path_words(incident)
    return IncidentFacts.from_incident(
        incident,
        alerts=recent_alerts(conn, incident.id),
        tags=tags,
        affected_users=affected_users(conn, incident.id),
        known_accounts=known_accounts(settings),
        affected_thing=affected_thing(incident).lower(),
        affected_share=customer_share(incident, settings),
        cause=notes.cause if notes.cause and quotable(notes.cause) else None,
        public_cause=notes.public if notes.public and quotable(notes.public) else None,
        eta_at=notes.eta_at if notes.eta_at and notes.eta_at > now else None,
        what_was_fixed=notes.fixed if notes.fixed and quotable(notes.fixed) else None,
        next_update_at=next_update or (next_update_at(now, severity, settings) if severity else None),
        detected_at=incident.opened_at,
        account_impact=account_impact(conn, incident.id),
        follow_ups=follow_ups(conn, incident.id),
        brand=brand(settings),
        symptom=Symptom.from_reading(incident.classification.facts) if incident.classification else None,
        charged=notes.charged if notes.charged and quotable(notes.charged) else None,
        revenue_path=any(w in words for w in settings.revenue_paths),
        advice=next((settings.advice[w] for w in words if w in settings.advice), None),
    )


def only_account(conn: Connection, incident: Incident, settings: Settings, *, now: datetime) -> KnownAccount | None:
    """The one enterprise account every affected user belongs to, if there is one: a problem only
    it has is told to its contacts, not broadcast on the public status page, X or Discord."""
    if not settings.accounts:
        return None
    facts = incident_facts(conn, incident, settings, now=now)
    cohort = detect_cohort(facts)
    return cohort.accounts[0] if one_account_only(facts, cohort) else None


def path_words(incident: Incident) -> list[str]:
    """The words naming what broke, most telling first: the endpoints' segments, then the service's
    and the customer-facing name's (`/api/v2/checkout` and `shop-cart` give checkout, shop, cart)."""
    words: list[str] = []
    for endpoint in sorted(incident.endpoints, key=lambda e: -e.count):
        words += endpoint_words(endpoint.endpoint)
    words += re.split(r"[^a-z0-9]+", (incident.service or "").lower())
    words += re.split(r"[^a-z0-9]+", affected_thing(incident).lower())
    return [w for w in dict.fromkeys(words) if w]
