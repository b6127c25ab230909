"""Whether a draft still speaks for its incident, and withdrawing the ones that do not.

A draft is written for one moment: "we're investigating" at P1, update #3 with 126 users. Once
the incident is resolved, its severity changes, or a newer draft for the same audience replaces
it, approving the old one would tell customers something no longer true, so every way of
deciding or sending a draft asks `stale_reason` first, in the transaction that acts on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection

from warroom import keys
from warroom.drafts import store as drafts
from warroom.drafts.models import CommsKind, DraftRecord, DraftState
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.kinds import JobKind, TimelineKind
from warroom.scheduler.store import schedule

__all__ = [
    "WHILE_OPEN",
    "Stale",
    "resolved_reason",
    "stale_reason",
    "was_replaced",
    "withdraw",
    "withdraw_on_resolve",
    "withdraw_superseded",
    "withdraw_undecided",
]

WHILE_OPEN = [CommsKind.INITIAL.value, CommsKind.UPDATE.value]
"""Drafts that say the incident is still going on: meaningless once it is resolved."""


_REPLACED = "replaced it with newer facts"


def was_replaced(draft: DraftRecord) -> bool:
    """Withdrawn because a newer draft for everyone it would reach replaced it (not for the level or the all-clear):
    its people were not told by it, and whatever replaced it may itself have been withdrawn since."""
    return draft.state is DraftState.WITHDRAWN and _REPLACED in (draft.withdrawn_reason or "")


class Stale(NamedTuple):
    reason: str
    final: bool
    """True when nothing can make the draft current again (withdraw it); False when a re-draft
    in place is on its way (a severity change re-drafts the first message)."""


def stale_reason(conn: Connection, draft: DraftRecord, incident: Incident | None = None) -> Stale | None:
    """Why sending `draft` now would say something no longer true; None while it is current."""
    if draft.kind not in WHILE_OPEN:
        return None
    incident = incident or incidents.get_incident(conn, draft.incident_id, with_timeline=False)
    if incident is None:
        return Stale("its incident no longer exists", final=True)
    resolved = resolved_reason(draft, incident)
    if resolved:
        return Stale(resolved, final=True)
    # A newer draft replaces this one only if it reaches everyone this one would: a first message to people hit
    # later does not replace the update waiting for everyone else.
    newer = [
        d for d in drafts.newer_drafts(conn, draft.id, kinds=WHILE_OPEN) if set(draft.recipients) <= set(d.recipients)
    ]
    if newer:  # asked first: a P2 account notice the P1 first message replaced is not re-drafted in place
        return Stale(f"{draft.channel} draft #{newer[0].id} {_REPLACED}", final=True)
    if draft.written_for and incident.severity and draft.written_for != incident.severity.value:
        return Stale(
            f"it was written for {draft.written_for} and the incident is {incident.severity.value} now; "
            "a draft for the current severity replaces it",
            final=draft.kind != CommsKind.INITIAL.value,
        )
    return None


def resolved_reason(draft: DraftRecord, incident: Incident) -> str | None:
    """Why a "still going on" message must not go out any more, even approved: the all-clear."""
    if draft.kind not in WHILE_OPEN or incident.status is not IncidentStatus.RESOLVED:
        return None
    at = f" at {incident.resolved_at:%H:%M} UTC" if incident.resolved_at else ""
    return (
        f"the incident was resolved{at}, after this draft was written "
        f"({draft.created_at:%H:%M} UTC): it would tell customers the problem is still going on"
    )


def withdraw(conn: Connection, draft: DraftRecord, reason: str, now: datetime, *, approved_too: bool = False) -> bool:
    """Withdraw an undecided draft (`approved_too`: or an approved one not sent yet), say so on
    the timeline and wake its approval thread so it ends; False when it was decided first."""
    if not drafts.withdraw(conn, draft.id, reason=reason, now=now, approved_too=approved_too):
        return False
    incidents.add_timeline(
        conn,
        draft.incident_id,
        now,
        TimelineKind.COMMS_DECISION,
        f"{draft.channel} draft #{draft.id} withdrawn, never sent: {reason}",
        actor="warroom",
        data={"draft_id": draft.id, "decision": "withdrawn", "reason": reason},
        dedup_key=keys.draft_withdrawn(draft.id),
    )
    schedule(
        conn,
        key=keys.draft_wake(draft.id, "withdrawn"),
        kind=JobKind.DRAFT_WAKE,
        due_at=now,
        payload={"draft_id": draft.id, "incident_id": draft.incident_id},
        lane=keys.draft_lane(draft.id),
    )
    return True


def _undecided(conn: Connection, incident_id: int) -> list[DraftRecord]:
    return [
        d
        for d in drafts.list_drafts(conn, incident_id=incident_id, states=[DraftState.PENDING, DraftState.BLOCKED])
        if d.kind in WHILE_OPEN
    ]


def withdraw_on_resolve(conn: Connection, incident_id: int, now: datetime) -> list[int]:
    """In the transaction that resolves the incident: every undecided "still going on" draft."""
    reason = f"the incident was resolved at {now:%H:%M} UTC before anyone approved it; the all-clear replaces it"
    return withdraw_undecided(conn, incident_id, reason, now)


def withdraw_undecided(conn: Connection, incident_id: int, reason: str, now: datetime) -> list[int]:
    """Every undecided "still going on" draft of the incident, for `reason`."""
    return [d.id for d in _undecided(conn, incident_id) if withdraw(conn, d, reason, now)]


def withdraw_superseded(conn: Connection, incident_id: int, now: datetime) -> list[int]:
    """After a round of drafting: older undecided drafts that a newer one for the same audience
    replaces, and updates written for a severity the incident no longer has. (A first message
    is re-drafted in place when the severity changes, so it is not withdrawn for that.)"""
    withdrawn: list[int] = []
    incident = incidents.get_incident(conn, incident_id, with_timeline=False)
    for draft in _undecided(conn, incident_id):
        stale = stale_reason(conn, draft, incident)
        if stale and stale.final and withdraw(conn, draft, stale.reason, now):
            withdrawn.append(draft.id)
    return withdrawn
