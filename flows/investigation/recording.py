"""The investigation's one write: a grounded finding stored, put on the timeline and posted to the
war room, all keyed so a replayed graph step records it once. Nothing goes to the status page or
to customers: a finding is the team's working hypothesis, not a public statement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from agents.cto.investigation.report import timeline_text, war_room_text
from flows.effects import post_to_war_room
from warroom import keys
from warroom.findings import store as findings
from warroom.findings.models import Finding
from warroom.incidents import store as incidents
from warroom.kinds import TimelineKind
from warroom.settings import Settings

__all__ = ["record_finding", "record_note"]


def record_finding(
    conn: Connection, settings: Settings, *, key: str, incident_id: int, finding: Finding, now: datetime
) -> int | None:
    """The stored finding's id; None when this key was recorded before (nothing is posted again)."""
    finding_id = findings.save_finding(conn, key=key, incident_id=incident_id, finding=finding, now=now)
    if finding_id is None:
        return None
    incidents.add_timeline(
        conn,
        incident_id,
        now,
        TimelineKind.FINDING,
        timeline_text(finding),
        data={"finding_id": finding_id, "made_by": finding.made_by.value, "citations": finding.citations},
        dedup_key=keys.finding_noted(key),
    )
    link = f"{settings.public_url.rstrip('/')}/incidents/{incident_id}#findings"
    post_to_war_room(
        conn, key=keys.finding_posted(key), incident_id=incident_id, text=war_room_text(finding, link), now=now
    )
    return finding_id


def record_note(conn: Connection, *, key: str, incident_id: int, text: str, now: datetime) -> None:
    """Why the model's investigation added nothing (timed out, over budget, nothing cited)."""
    incidents.add_timeline(conn, incident_id, now, TimelineKind.LLM, text, dedup_key=key)
