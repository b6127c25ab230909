"""Owners are people: the email a named owner is reached at, for the tracker's assignee and for
reminders."""

from __future__ import annotations

from warroom.settings import Settings

__all__ = ["owner_email"]


def owner_email(owner: str, settings: Settings) -> str | None:
    """The email of a named owner ("Dana Reyes (incident commander)" → Dana's), from the people
    warroom knows (on-call, escalation list); None for a role or someone unknown."""
    name = owner.split(" (", 1)[0].strip().lower()
    for person in (settings.on_call, *settings.escalation):
        if person.name.strip().lower() == name and person.email:
            return person.email
    return None
