"""Findings: saved once per key (a replayed graph step saves nothing new), listed, judged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from warroom.db import table_of
from warroom.findings.models import Finding, FindingRecord, Verdict
from warroom.findings.tables import FindingRow
from warroom.upsert import insert_ignore

__all__ = ["get_finding", "list_findings", "save_finding", "set_verdict", "verdict_counts"]

FINDINGS = table_of(FindingRow)


def save_finding(conn: Connection, *, key: str, incident_id: int, finding: Finding, now: datetime) -> int | None:
    """The new finding's id, or None when one with this key is already stored."""
    values = dict(
        key=key,
        incident_id=incident_id,
        made_by=finding.made_by.value,
        created_at=now,
        finding=finding.model_dump(mode="json"),
    )
    return insert_ignore(conn, FINDINGS, values, ["key"])


def _record(row: Any) -> FindingRecord:
    return FindingRecord.model_validate(
        {
            **row.finding,
            "id": row.id,
            "incident_id": row.incident_id,
            "created_at": row.created_at,
            "verdict": row.verdict,
            "verdict_by": row.verdict_by,
            "verdict_at": row.verdict_at,
            "verdict_note": row.verdict_note,
        }
    )


def list_findings(conn: Connection, incident_id: int) -> list[FindingRecord]:
    """Oldest first: the rules' first look, then the model's finding if there is one."""
    rows = conn.execute(select(FINDINGS).where(FINDINGS.c.incident_id == incident_id).order_by(FINDINGS.c.id))
    return [_record(r) for r in rows]


def get_finding(conn: Connection, finding_id: int) -> FindingRecord | None:
    row = conn.execute(select(FINDINGS).where(FINDINGS.c.id == finding_id)).first()
    return _record(row) if row else None


def set_verdict(
    conn: Connection, finding_id: int, verdict: Verdict, *, actor: str, note: str | None, now: datetime
) -> None:
    """A later verdict replaces an earlier one (a responder may change their mind); the timeline keeps both."""
    conn.execute(
        update(FINDINGS)
        .where(FINDINGS.c.id == finding_id)
        .values(verdict=verdict.value, verdict_by=actor, verdict_at=now, verdict_note=note)
    )


def verdict_counts(conn: Connection) -> dict[tuple[str, str | None], int]:
    """(made_by, verdict or None for not judged yet) -> how many findings, over every incident."""
    rows = conn.execute(
        select(FINDINGS.c.made_by, FINDINGS.c.verdict, func.count()).group_by(FINDINGS.c.made_by, FINDINGS.c.verdict)
    )
    return {(made_by, verdict): n for made_by, verdict, n in rows}
