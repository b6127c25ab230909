"""Owners are people: the email a named owner is reached at, for the tracker's assignee and for
reminders."""

from __future__ import annotations

from warroom.settings import Settings

__all__ = ["owner_email"]


def owner_email(owner: str, settings: Settings) -> str | None:
    """The email of a named owner ("Dana Reyes (incident commander)" → Dana's, "@dana" → the
    person with that handle, an email → itself), from the people warroom knows (on-call,
    escalation list, people); None for a role, a team of several, or someone unknown."""
    name = owner.split(" (", 1)[0].strip()
    if "@" in name and not name.startswith("@"):
        return name
    for person in (settings.on_call, *settings.escalation, *settings.people):
        if person.name.strip().lower() == name.lower() and person.email:
            return person.email
    named = [p for p in settings.people_named(name) if p.email]
    return named[0].email if len(named) == 1 else None
