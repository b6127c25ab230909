"""Reading an incident's findings and judging one: right, wrong or partly right.

A verdict may be given after resolution too (that is when people know); a later verdict replaces
an earlier one, and each is on the timeline. The evals read verdicts back (`evals.investigation`).
"""

from __future__ import annotations

from flows.actions.incidents import get_incident
from flows.context import Context
from warroom.actors import Actor
from warroom.errors import NotFound
from warroom.findings import store as findings
from warroom.findings.models import FindingRecord, Verdict
from warroom.incidents import store as incidents
from warroom.kinds import TimelineKind

__all__ = ["judge_finding", "list_findings"]


def list_findings(ctx: Context, incident_id: int) -> list[FindingRecord]:
    get_incident(ctx, incident_id)
    with ctx.engine.connect() as conn:
        return findings.list_findings(conn, incident_id)


def judge_finding(
    ctx: Context, incident_id: int, finding_id: int, verdict: Verdict, actor: Actor, note: str = ""
) -> FindingRecord:
    get_incident(ctx, incident_id)
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        finding = findings.get_finding(conn, finding_id)
        if finding is None or finding.incident_id != incident_id:
            raise NotFound(f"incident {incident_id} has no finding {finding_id}")
        findings.set_verdict(conn, finding_id, verdict, actor=actor.label, note=note.strip() or None, now=now)
        said = f": {note.strip()}" if note.strip() else ""
        incidents.add_timeline(
            conn,
            incident_id,
            now,
            TimelineKind.FINDING_VERDICT,
            f"{actor.label} marked the AI hypothesis #{finding_id} {verdict.value}{said}",
            actor=actor.label,
            data={"finding_id": finding_id, "verdict": verdict.value},
        )
        judged = findings.get_finding(conn, finding_id)
    assert judged is not None
    return judged
