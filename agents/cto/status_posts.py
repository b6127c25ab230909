"""The CTO agent's public words: what customers would call the broken part, the status-page
posts (first notice, periodic updates, all-clear) and the update the war room reads.

Pure functions over domain values; the graph decides when to call them and the outbox sends
what they produce.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from agents.notes import NoteFacts
from warroom.alerts.models import endpoint_words
from warroom.incidents.models import Incident, IncidentStatus
from warroom.settings import Settings
from warroom.severity import Classification, Severity
from warroom.status_page.models import ComponentStatus, Impact, StatusPost

__all__ = [
    "COMPONENT",
    "IMPACT",
    "affected_thing",
    "compose_public_update",
    "compose_update",
    "first_status_post",
    "next_update_at",
    "public_title",
    "resolved_post_body",
]

IMPACT = {Severity.P0: Impact.CRITICAL, Severity.P1: Impact.MAJOR, Severity.P2: Impact.MINOR, Severity.P3: Impact.NONE}
COMPONENT = {
    Severity.P0: ComponentStatus.MAJOR_OUTAGE,
    Severity.P1: ComponentStatus.PARTIAL_OUTAGE,
    Severity.P2: ComponentStatus.DEGRADED_PERFORMANCE,
    Severity.P3: ComponentStatus.OPERATIONAL,
}


FRIENDLY = {
    "checkout": "Checkout",
    "cart": "Cart",
    "payment": "Payments",
    "payments": "Payments",
    "billing": "Billing",
    "subscription": "Subscriptions",
    "subscriptions": "Subscriptions",
    "order": "Orders",
    "orders": "Orders",
    "login": "Login",
    "signin": "Login",
    "auth": "Login",
    "oauth": "Login",
    "session": "Login",
    "sessions": "Login",
    "signup": "Sign-up",
    "register": "Sign-up",
    "search": "Search",
    "upload": "Uploads",
    "uploads": "Uploads",
    "notifications": "Notifications",
}
SURFACES = {
    "android": "The Android app",
    "ios": "The iOS app",
    "iphone": "The iOS app",
    "mobile": "The mobile app",
    "api": "The API",
    "graphql": "The API",
    "rest": "The API",
    "web": "The site",
    "www": "The site",
    "site": "The site",
    "storefront": "The storefront",
    "frontend": "The site",
    "ingress": "The site",
    "nginx": "The site",
    "gateway": "The site",
    "edge": "The site",
    "proxy": "The site",
    "lb": "The site",
    "cdn": "The site",
}
INTERNALS = {
    "backend",
    "app",
    "server",
    "service",
    "services",
    "worker",
    "workers",
    "jobs",
    "job",
    "db",
    "database",
    "postgres",
    "postgresql",
    "mysql",
    "redis",
    "cache",
    "queue",
    "cluster",
    "k8s",
    "pod",
    "node",
    "prod",
    "production",
    "internal",
    "high",
    "error",
    "errors",
    "rate",
    "latency",
    "the",
    "and",
    "for",
}


def affected_thing(incident: Incident) -> str:
    """What customers would call the broken part, in their words: 'Checkout' for /api/checkout,
    'Login' for an auth service, 'The website' for the ingress, 'The Android app' for a mobile
    crash; never an internal component's name."""
    words: list[str] = []
    for endpoint in [e.endpoint for e in incident.endpoints if e.endpoint.startswith("/")]:
        words += endpoint_words(endpoint)
    words += re.split(r"[^a-z0-9]+", (incident.service or "").lower())
    words += re.split(r"[^a-z0-9]+", incident.title.lower())
    present = set(words)
    for table in (FRIENDLY, SURFACES):  # in the tables' order: 'android' before 'mobile'
        for key, name in table.items():
            if key in present:
                return name
    service = re.split(r"[^a-z0-9]+", (incident.service or "").lower())
    for word in service:
        if len(word) > 2 and not word.isdigit() and word not in INTERNALS:
            return word.capitalize()
    return "Our service"


def next_update_at(now: datetime, severity: Severity, settings: Settings) -> datetime:
    return now + timedelta(minutes=settings.cadence_for(severity))


def public_title(incident: Incident, severity: Severity) -> str:
    """The page headline names the customer-visible symptom, never an exception or a host."""
    verb = "is failing" if severity is Severity.P0 else "is degraded"
    return f"{affected_thing(incident)} {verb}"[:255]


def first_status_post(
    incident: Incident, classification: Classification, now: datetime, settings: Settings
) -> StatusPost:
    """The first public notice: what is affected, since when, and when the next update comes."""
    thing = affected_thing(incident)
    since = _hhmm(incident.first_seen)
    due = _hhmm(next_update_at(now, classification.severity, settings))
    verb = "is failing" if classification.severity is Severity.P0 else "is degraded"
    who = f"at least {incident.users_affected} users" if incident.users_affected > 1 else "some customers"
    body = (
        f"We are investigating an issue: {thing} {verb} for {who} since {since} UTC. "
        f"We are working on it and will post the next update by {due} UTC."
    )
    return StatusPost(
        incident_id=incident.id,
        title=public_title(incident, classification.severity),
        status=IncidentStatus.INVESTIGATING,
        body=body,
        impact=IMPACT[classification.severity],
        components={thing: COMPONENT[classification.severity]},
    )


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


def compose_public_update(incident: Incident, notes: NoteFacts, due: datetime) -> str:
    """The status-page version of an update. Humans' notes are never quoted to the public (they
    name hosts, exceptions and colleagues); only what they establish: a cause found, an ETA."""
    thing = affected_thing(incident)
    parts = [
        f"Update: {thing} has been affected since {_hhmm(incident.first_seen)} UTC"
        + (f", for at least {incident.users_affected} users so far." if incident.users_affected > 1 else ".")
    ]
    parts.append(
        "We have identified the cause and are working on a fix."
        if notes.cause or notes.fixed
        else "We are still investigating the cause."
    )
    if notes.eta_minutes:
        parts.append(f"We expect it to be fixed within {notes.eta_minutes} minutes.")
    parts.append(f"Next update by {_hhmm(due)} UTC.")
    return " ".join(parts)


def resolved_post_body(incident: Incident, now: datetime) -> str:
    """The all-clear on the status page: what was affected, from when to when, for how many."""
    thing = affected_thing(incident)
    minutes = max(1, round((now - incident.first_seen).total_seconds() / 60))
    who = f" for {incident.users_affected} users" if incident.users_affected > 1 else ""
    return (
        f"Resolved: {thing} is working normally again. It was affected{who} from "
        f"{_hhmm(incident.first_seen)} to {_hhmm(now)} UTC ({minutes} minutes)."
    )


def _hhmm(moment: datetime) -> str:
    return moment.strftime("%H:%M")
