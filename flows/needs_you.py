"""What needs a person right now, per incident and across them: the "needs you" strip, the
approvals inbox and the count in the web UI's header read it; REST and Slack can too.

Drafts waiting for a decision, an incident nobody acknowledged, when the next update is due
(customers were promised it), and nobody to page. Reads only: every answer is one of the
actions in `flows.actions`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from agents.cto.status_posts import headline
from flows.comms import promised_next_update
from flows.staleness import stale_reason
from warroom.drafts import store as drafts
from warroom.drafts.models import DraftRecord, DraftState
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.settings import Settings
from warroom.severity import Severity

__all__ = ["NeedsYou", "needs_you", "open_needs", "waiting_drafts"]

WAITING = [DraftState.PENDING, DraftState.BLOCKED]


class NeedsYou(BaseModel):
    """One open incident's asks of a person, most urgent first in `count`'s eyes."""

    incident_id: int
    severity: Severity | None
    title: str
    waiting: list[DraftRecord] = Field(default_factory=list, description="drafts a person must approve, edit or reject")
    unacknowledged: bool = False
    next_update_due: datetime | None = Field(default=None, description="when customers were promised the next update")
    nobody_to_page: bool = Field(default=False, description="P0/P1 with no on-call or escalation address")

    @property
    def count(self) -> int:
        return len(self.waiting) + self.unacknowledged + self.nobody_to_page


def waiting_drafts(
    conn: Connection, incident_id: int | None = None, incident: Incident | None = None
) -> list[DraftRecord]:
    """Undecided drafts a decision would still act on (stale ones are being replaced: not asked)."""
    found = drafts.list_drafts(conn, incident_id=incident_id, states=WAITING, limit=500)
    return [d for d in found if stale_reason(conn, d, incident) is None]


def needs_you(conn: Connection, incident: Incident, settings: Settings) -> NeedsYou | None:
    """None for a resolved incident: nothing of it waits for anyone."""
    if incident.status is IncidentStatus.RESOLVED:
        return None
    severity = incident.severity
    paged = severity is not None and severity.pages_customers
    due = (
        promised_next_update(conn, incident, "initial", settings.cadence_for(severity)) if paged and severity else None
    )
    return NeedsYou(
        incident_id=incident.id,
        severity=severity,
        title=headline(incident),
        waiting=waiting_drafts(conn, incident.id, incident),
        unacknowledged=paged and incident.acknowledged_at is None,
        next_update_due=due,
        nobody_to_page=paged and not settings.pageable,
    )


def open_needs(conn: Connection, settings: Settings) -> list[NeedsYou]:
    """Every open incident's asks, the most severe first, then the most waiting drafts."""
    found = [
        n for i in incidents.list_incidents(conn, open_only=True, limit=500) if (n := needs_you(conn, i, settings))
    ]
    return sorted(found, key=lambda n: (n.severity.rank if n.severity else 9, -len(n.waiting), -n.incident_id))
