"""Action items for the draft: those humans wrote down, plus one per gap the numbers show.

Every item leaves here with an owner (a configured person or role, defaulting to the incident
commander / on-call) and a due date set by its priority, so the COO agent can file it as is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from agents.cto.postmortem.causes import NoteAction
from agents.cto.postmortem.impact import target_phrase
from agents.cto.postmortem.models import (
    ActionItemDraft,
    Owners,
    PostmortemInput,
    RelatedIncident,
    SlaBreach,
)
from warroom.durations import spell_duration
from warroom.severity import Severity

__all__ = ["due_by_policy", "plan_actions"]

MAX_ITEMS = 5
"""A postmortem a team acts on asks for a few things (Google's SRE template: a handful, each owned and
dated): the humans' own items always, then the machine's, most pressing first, up to this many."""

_FALLBACK_DUE_DAYS = {Severity.P0: 7, Severity.P1: 14, Severity.P2: 30, Severity.P3: 90}


def due_by_policy(now: datetime, priority: Severity) -> datetime:
    """The default due date for an item of this priority (P0 a week, P1 two, P2 a month, P3 a quarter)."""
    return _due(now, priority, {})


def _due(now: datetime, priority: Severity, days: dict[Severity, int]) -> datetime:
    return now + timedelta(days=days.get(priority, _FALLBACK_DUE_DAYS[priority]))


def _named_owner(hint: str, owners: Owners) -> str:
    """A role written in a note resolves to its person; a person gets their role alongside."""
    if hint in owners.roles:
        return owners.owner_for(hint)
    role = owners.role_of(hint)
    return hint if role in {"responder", "warroom"} else f"{hint} ({role})"


def _breach_action(breach: SlaBreach, service: str, owners: Owners) -> tuple[str, str, Severity]:
    """(title, owner, priority) for closing the gap one missed target shows."""
    target = target_phrase(breach.target)
    took = f" (this time: {spell_duration(breach.actual)})" if breach.actual is not None else ""
    service_owner = next(iter(owners.service_owners), None)
    match breach.measure:
        case "time_to_detect":
            return (
                f"Alert on {service} errors within the {target}{took}",
                owners.owner_for(service, "service owner", fallback=service_owner),
                Severity.P1,
            )
        case "time_to_acknowledge":
            return (
                f"Check the paging route and escalation so pages are acknowledged within the {target}{took}",
                owners.owner_for("on-call", fallback=owners.on_call),
                Severity.P1,
            )
        case "time_to_first_status_post":
            return (
                f"Get the first status-page post out within the {target}{took}: pre-approved wording "
                "or auto-post for P0/P1",
                owners.owner_for("comms", "support"),
                Severity.P1,
            )
        case "time_to_first_comms":
            return (
                f"Get the first customer comms out within the {target}{took}: pre-approved templates "
                "or auto-send for P0/P1",
                owners.owner_for("comms", "support"),
                Severity.P1,
            )
        case "update_cadence":
            return (
                f"Keep status-page updates on the {target_phrase(breach.target, 'cadence')}{took}",
                owners.owner_for("comms", "support"),
                Severity.P2,
            )
        case _:
            return (
                f"Write or refresh the {service} runbook to resolve within the {target}{took}",
                owners.owner_for(service, "service owner", fallback=service_owner),
                Severity.P2,
            )


def plan_actions(
    inp: PostmortemInput,
    root_cause: str | None,
    note_actions: list[NoteAction],
    breaches: list[SlaBreach],
    related: list[RelatedIncident],
) -> list[ActionItemDraft]:
    """Human-written items first (in the order written), then root cause, repeats and gaps, at most
    `MAX_ITEMS` in all unless the humans wrote more. The root cause gets its own item only when
    nobody wrote one: "we'll add a contract test" is the guard, a generic "fix the root cause" beside
    it is noise."""
    owners = inp.owners
    severity = inp.incident.severity or Severity.P2
    service = inp.incident.service or "the affected service"
    service_owner = next(iter(owners.service_owners), None)
    planned: list[tuple[str, str, Severity, str]] = []

    for action in note_actions:
        owner = _named_owner(action.owner_hint, owners) if action.owner_hint else owners.default
        planned.append((action.title, owner, action.priority or severity, action.source))

    written = len(planned)
    if not written and root_cause:
        planned.append(
            (
                f"Fix the root cause and add a guard so it cannot recur: {root_cause}",
                owners.owner_for(service, "service owner", fallback=service_owner),
                severity,
                "root cause",
            )
        )
    elif not root_cause:
        planned.append(
            ("Complete the root-cause analysis and the five whys", owners.default, severity, "root cause unknown")
        )

    for past in related:
        if past.same_cause and past.open_action_items:
            planned.append(
                (
                    f"Finish the open action items from incident #{past.id}: " + "; ".join(past.open_action_items),
                    owners.default,
                    Severity.most_severe(severity, Severity.P1),
                    f"related incident #{past.id}",
                )
            )

    gaps = [(*_breach_action(breach, service, owners), f"missed target: {breach.measure}") for breach in breaches]
    planned += sorted(gaps, key=lambda gap: gap[2].rank)
    planned = planned[: max(written, MAX_ITEMS)]

    return [
        ActionItemDraft(
            title=title, owner=owner, priority=priority, source=source, due=_due(inp.now, priority, inp.action_due_days)
        )
        for title, owner, priority, source in planned
    ]
