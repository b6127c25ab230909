"""How the CTO agent runs the war room: who is in it, what is pinned, what it is told when it
opens, when the severity is raised, and when it closes."""

from __future__ import annotations

from datetime import datetime, timedelta

from agents.cto.status_posts import public_title
from warroom.durations import whole_minutes
from warroom.incidents.models import Incident
from warroom.settings import Settings
from warroom.severity import Severity
from warroom.war_room.models import RoomSetup

__all__ = ["closing_summary", "owners_line", "raised_notice", "room_setup"]


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
    links.append(f"Status page: {settings.war_room_status_link}")
    people = [settings.on_call, *(p for owner in owners for p in settings.people_named(owner))]
    emails = [p.email for p in people if p.email and not p.slack_id]
    emails += [o for o in owners if "@" in o and not o.startswith("@") and not settings.people_named(o)]
    slack_ids = [p.slack_id for p in people if p.slack_id]
    intro = (
        f"Incident #{incident.id}: {incident.title}\nSeverity {severity}. Incident commander: {commander} "
        f"(on-call). warroom is scribe and timekeeper: updates every "
        f"{settings.cadence_for(severity):g} minutes. Owners of the affected paths: "
        f"{owners_line(owners, settings)}."
    )
    return RoomSetup(
        incident_id=incident.id,
        opened_at=now,
        title=public_title(incident, severity),
        topic=f"{severity} · {incident.status.value} · IC {commander}",
        member_emails=list(dict.fromkeys(emails)),
        member_slack_ids=list(dict.fromkeys(slack_ids)),
        pins=links,
        intro=intro,
    )


def owners_line(owners: list[str], settings: Settings) -> str:
    """CODEOWNERS owners with the people they mean: "@acme/payments (Ana Ortiz, Raj Patel)"; a
    handle nobody answers to says so, since nobody was invited for it."""
    if not owners:
        return "none found in CODEOWNERS"
    parts = []
    for owner in owners:
        names = [p.name for p in settings.people_named(owner)]
        if names:
            parts.append(f"{owner} ({', '.join(names)})")
        elif owner.startswith("@"):
            parts.append(f"{owner} (nobody in warroom.toml has this handle: not invited)")
        else:
            parts.append(owner)
    return "; ".join(parts)


def raised_notice(incident: Incident, settings: Settings, now: datetime) -> str:
    """A raise changes the rhythm: the room hears the new level, why, and when the next update is."""
    assert incident.classification is not None and incident.severity is not None
    cadence = settings.cadence_for(incident.severity)
    due = now + timedelta(minutes=cadence)
    return (
        f"Severity raised to {incident.severity}: {incident.classification.reason}. "
        f"Updates now every {cadence:g} minutes; the next by {due:%H:%M} UTC."
    )


def closing_summary(incident: Incident, actor: str, now: datetime, settings: Settings) -> str:
    """The room's last word: who resolved it, after how long (from the first error, as customers
    were told), how big it was in what was actually counted, and where the postmortem is."""
    minutes = whole_minutes(now - incident.first_seen)
    size = [f"{incident.event_count} error events"] if incident.event_count else []
    if incident.users_affected:
        size.append(f"{incident.users_affected} user{'' if incident.users_affected == 1 else 's'} affected")
    measured = f" ({', '.join(size)})" if size else ""
    link = f"{settings.public_url.rstrip('/')}/incidents/{incident.id}#postmortem"
    return f"Resolved by {actor} after {minutes} minutes{measured}. The postmortem draft: {link}"
