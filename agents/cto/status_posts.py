"""The CTO agent's words for the status page (first notice, periodic updates, all-clear) and the
update the war room reads.

Pure functions over domain values; the graph decides when to call them and the outbox sends
what they produce. Humans' notes are never quoted to the public, only what they establish.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from agents.cto.affected import affected_thing
from agents.notes import NoteFacts
from agents.support.drafts import format_percent
from agents.support.facts import Symptom
from warroom.durations import whole_minutes
from warroom.incidents.models import Incident, IncidentStatus
from warroom.settings import Settings
from warroom.severity import Classification, Severity
from warroom.status_page.models import ComponentStatus, Impact, StatusPost

__all__ = [
    "COMPONENT",
    "IMPACT",
    "compose_public_update",
    "headline",
    "compose_update",
    "customer_share",
    "first_status_post",
    "next_update_at",
    "public_level",
    "public_title",
    "resolved_post",
    "restated_post",
    "update_post",
]

IMPACT = {Severity.P0: Impact.CRITICAL, Severity.P1: Impact.MAJOR, Severity.P2: Impact.MINOR, Severity.P3: Impact.NONE}
COMPONENT = {
    Severity.P0: ComponentStatus.MAJOR_OUTAGE,
    Severity.P1: ComponentStatus.PARTIAL_OUTAGE,
    Severity.P2: ComponentStatus.DEGRADED_PERFORMANCE,
    Severity.P3: ComponentStatus.OPERATIONAL,
}


def next_update_at(now: datetime, severity: Severity, settings: Settings) -> datetime:
    return now + timedelta(minutes=settings.cadence_for(severity))


_VERB = {
    Symptom.FAILING: "is failing",
    Symptom.INTERMITTENT: "is failing intermittently",
    Symptom.UNAVAILABLE: "is unavailable",
    Symptom.SLOW: "is slow",
    Symptom.DELAYED: "is delayed",
    Symptom.AFFECTED: "is affected",
    Symptom.AT_RISK: "is at risk of disruption",
    None: "is degraded",
}


def _symptom(incident: Incident, severity: Severity) -> Symptom | None:
    reading = incident.classification.facts if incident.classification else {}
    return Symptom.spoken(Symptom.from_reading(reading), severity)


def _verb(incident: Incident, severity: Severity) -> str:
    """The symptom the alerts show, in the words customers use; not the severity's word."""
    return _VERB[_symptom(incident, severity)]


def customer_share(incident: Incident, settings: Settings) -> float | None:
    """The share of the service's active users affected, when `services.<name>.users` is known."""
    service = settings.services.get(incident.service or "")
    if not service or not service.users or not incident.users_affected:
        return None
    return min(incident.users_affected / service.users, 1.0)


def _who(incident: Incident, settings: Settings) -> str:
    """Public text gives a share of customers, never a raw count: "47 users" says how small the
    business is and goes stale within minutes; without a denominator it says "some customers"."""
    share = customer_share(incident, settings)
    return f"about {format_percent(share)} of customers" if share else "some customers"


def headline(incident: Incident) -> str:
    """What a responder reads first: "Checkout is failing" ("was failing" once resolved), not the
    exception the alert was titled with; the alert's own title until the incident is rated."""
    if incident.severity is None:
        return incident.title
    verb = _verb(incident, incident.severity)
    if incident.status is IncidentStatus.RESOLVED:
        verb = "was" + verb.removeprefix("is")
    thing = affected_thing(incident)
    return f"{thing[:1].upper()}{thing[1:]} {verb}"[:255]


def public_title(incident: Incident, severity: Severity) -> str:
    """The page headline names the customer-visible symptom, never an exception or a host."""
    return f"{affected_thing(incident)} {_verb(incident, severity)}"[:255]


def public_level(incident: Incident) -> Severity:
    """The level the page speaks at (`Classification.public_severity`): a rated incident's."""
    assert incident.severity is not None
    return incident.classification.public_severity if incident.classification else incident.severity


def first_status_post(
    incident: Incident, classification: Classification, now: datetime, settings: Settings, *, raised: bool = False
) -> StatusPost:
    """The first public notice: what is affected, since when, and when the next update comes.
    `raised`: the same page incident after a raise, said as news (not the first notice again),
    at the stage the incident has reached."""
    level = classification.public_severity
    due = _hhmm(next_update_at(now, classification.severity, settings))
    lead = "Update: this is more serious than first reported." if raised else "We are investigating an issue:"
    body = f"{lead} {_what(incident, level, settings, capital=raised)} We are working on it and will post the next update by {due} UTC."
    return _notice(incident, level, body, staged=raised)


_STAGES = (IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING)


def restated_post(
    incident: Incident, classification: Classification, now: datetime, settings: Settings, *, was: Severity
) -> StatusPost:
    """The page corrected to the level now decided, from the level it last spoke at (`was`), as news at the
    stage reached. Raised, it says so and keeps the update clock. Lowered by a person, it says so too, in the
    page's own terms: at P1 the clock goes on; at P2 no update clock runs, so it promises only word at the
    resolution (never a "next update" nobody will post); at P3 customers are not affected and the component
    is operational again."""
    thing = affected_thing(incident)
    level = classification.public_severity
    lead = f"Update: this is {'more' if level < was else 'less'} serious than previously reported."
    if level is Severity.P3:
        body = (
            f"{lead} On closer inspection it does not affect customers: {thing} is working. "
            "We will post here again when the issue is resolved."
        )
        return _notice(incident, level, body, staged=True, title=f"{thing}: not affecting customers")
    clock = (
        f"will post the next update by {_hhmm(next_update_at(now, classification.severity, settings))} UTC"
        if level.pages_customers
        else "will post here again when it is resolved"
    )
    body = f"{lead} {_what(incident, level, settings, capital=True)} We are working on it and {clock}."
    return _notice(incident, level, body, staged=True)


def _what(incident: Incident, level: Severity, settings: Settings, *, capital: bool) -> str:
    """'Checkout is failing for some customers since 02:00 UTC.': what a notice says is affected."""
    thing = affected_thing(incident)
    named = thing[:1].upper() + thing[1:] if capital else thing
    return f"{named} {_verb(incident, level)} for {_who(incident, settings)} since {_hhmm(incident.first_seen)} UTC."


def _notice(incident: Incident, level: Severity, body: str, *, staged: bool, title: str | None = None) -> StatusPost:
    """A page post at `level`: its impact and the component's status; `staged`, at the stage the incident has
    reached (a first notice is always 'investigating')."""
    stage = incident.status if staged and incident.status in _STAGES else IncidentStatus.INVESTIGATING
    return StatusPost(
        incident_id=incident.id,
        title=title or public_title(incident, level),
        status=stage,
        body=body,
        impact=IMPACT[level],
        # a data exposure says nothing of the component's availability: it may well be working
        components={}
        if _symptom(incident, level) is Symptom.AFFECTED
        else {affected_thing(incident): COMPONENT[level]},
        service=incident.service,
    )


def _eta(notes: NoteFacts, now: datetime | None) -> str | None:
    """The ETA as a time still ahead ("by 15:24 UTC"); one that has passed is not repeated."""
    if notes.eta_at is not None:
        return f"by {_hhmm(notes.eta_at)} UTC" if now is None or notes.eta_at > now else None
    return f"within {notes.eta_minutes} minutes" if notes.eta_minutes else None


def compose_update(incident: Incident, notes: NoteFacts, due: datetime, now: datetime | None = None) -> str:
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
    if eta := _eta(notes, now):
        parts.append(f"Expected fix {eta}.")
    elif notes.eta_at is not None:
        parts.append(f"The ETA of {_hhmm(notes.eta_at)} UTC has passed; no new ETA yet.")
    parts.append(f"Next update by {_hhmm(due)} UTC.")
    return " ".join(parts)


def compose_public_update(
    incident: Incident, notes: NoteFacts, due: datetime, settings: Settings, now: datetime | None = None
) -> str:
    """The status-page version of an update. Humans' notes are never quoted to the public (they
    name hosts, exceptions and colleagues); only what they establish: a cause found, an ETA."""
    thing = affected_thing(incident)
    parts = [
        f"Update: {thing} {_verb(incident, public_level(incident))} for {_who(incident, settings)} "
        f"since {_hhmm(incident.first_seen)} UTC."
    ]
    parts.append(
        "We have identified the cause and are working on a fix."
        if notes.cause or notes.fixed
        else "We are still investigating the cause."
    )
    if eta := _eta(notes, now):
        parts.append(f"We expect it to be fixed {eta}.")
    parts.append(f"Next update by {_hhmm(due)} UTC.")
    return " ".join(parts)


def update_post(
    incident: Incident, notes: NoteFacts, due: datetime, settings: Settings, now: datetime | None = None
) -> StatusPost:
    """The periodic update as a page post: the status as it stands, in `compose_public_update`'s words."""
    level = public_level(incident)
    return StatusPost(
        incident_id=incident.id,
        title=public_title(incident, level),
        status=incident.status,
        body=compose_public_update(incident, notes, due, settings, now),
        impact=IMPACT[level],
        service=incident.service,
    )


def resolved_post(
    incident: Incident, now: datetime, settings: Settings, *, customers_affected: bool = True
) -> StatusPost:
    """The all-clear on the status page: what was affected, from when to when, for what share; the
    component back to operational. `customers_affected` False: a person lowered it to P3 after the page
    spoke, and the page said customers were not affected; the all-clear does not say otherwise."""
    thing = affected_thing(incident)
    minutes = whole_minutes(now - incident.first_seen)
    share = customer_share(incident, settings)
    who = f" for about {format_percent(share)} of customers" if share else ""
    body = (
        f"Resolved: {thing} is working normally again. It was affected{who} from "
        f"{_hhmm(incident.first_seen)} to {_hhmm(now)} UTC ({minutes} minutes)."
        if customers_affected
        else f"Resolved: the issue behind this notice is fixed. As said above, it did not affect customers of {thing}."
    )
    return StatusPost(
        incident_id=incident.id,
        title=f"{thing}: resolved",
        status=IncidentStatus.RESOLVED,
        body=body,
        impact=Impact.NONE,
        components={thing: ComponentStatus.OPERATIONAL},
        service=incident.service,
    )


def _hhmm(moment: datetime) -> str:
    return moment.strftime("%H:%M")
