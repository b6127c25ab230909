"""Past incidents that look like this one, with how they ended: the memory behind severity.

Found by the same alert key or by full-text search over titles and services (SQLite FTS5,
PostgreSQL tsvector), then kept by the one match the COO's recurrence guard and recurrence rate
use too (`agents.coo.recurrence.alike`). An alert pattern that, more often than not, recovered
by itself within minutes with nobody touching it is a false positive in the making (DESIGN.md:
P3 for alerts that historically self-resolved in under 5 minutes).
"""

from __future__ import annotations

from sqlalchemy import Connection, func, or_, select, text

from agents.coo.recurrence import WINDOW, alike, words
from agents.cto.severity import PastIncident
from warroom.db import table_of
from warroom.incidents.models import Incident, IncidentStatus
from warroom.incidents.tables import IncidentRow, TimelineRow
from warroom.kinds import TimelineKind
from warroom.severity import Severity

__all__ = ["similar_past"]

INCIDENTS = table_of(IncidentRow)
TIMELINE = table_of(TimelineRow)
HUMAN_KINDS = (TimelineKind.NOTE, TimelineKind.ACKNOWLEDGED, TimelineKind.COMMS_DECISION)


def _search(conn: Connection, terms: frozenset[str], since_id: int, limit: int = 200) -> list[int]:
    """Ids of incidents from `since_id` on whose title or service shares any of `terms`, best
    matches first. Only the window's incidents are ranked: over a year, a common word (a service's
    name) matches thousands, and ranking them all cost the triage and the incident page more than
    the rest of the search."""
    if not terms:
        return []
    if conn.dialect.name == "sqlite":
        query = " OR ".join(f'"{w}"' for w in sorted(terms))
        return list(
            conn.execute(
                text(
                    "SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH :q AND rowid >= :lo "
                    "ORDER BY rank LIMIT :n"
                ),
                {"q": query, "lo": since_id, "n": limit},
            ).scalars()
        )
    query = " | ".join(sorted(terms))
    return list(
        conn.execute(
            text(
                "SELECT id FROM incidents WHERE to_tsvector('simple', title || ' ' || coalesce(service, '')) "
                "@@ to_tsquery('simple', :q) AND id >= :lo ORDER BY id DESC LIMIT :n"
            ),
            {"q": query, "lo": since_id, "n": limit},
        ).scalars()
    )


def similar_past(conn: Connection, incident: Incident, limit: int = 20) -> list[PastIncident]:
    """Closed or recovered incidents with the same alert key, or whose title shares most of this
    one's words, newest first."""
    # `id + 0`: a bare min(id) lets SQLite walk the primary key from the oldest incident until one
    # is in the window (a year's worth of rows); this way it reads the opening-time index's range.
    first = conn.execute(
        select(func.min(INCIDENTS.c.id + 0)).where(INCIDENTS.c.opened_at >= incident.opened_at - WINDOW)
    ).scalar()
    matches = _search(conn, words(incident.title), first or incident.id)
    rows = conn.execute(
        select(INCIDENTS)
        .where(
            INCIDENTS.c.id != incident.id,
            INCIDENTS.c.opened_at >= incident.opened_at - WINDOW,
            INCIDENTS.c.opened_at < incident.opened_at,
            or_(INCIDENTS.c.dedup_key == incident.dedup_key, INCIDENTS.c.id.in_(matches)),
            or_(INCIDENTS.c.status == IncidentStatus.RESOLVED.value, INCIDENTS.c.source_recovered_at.is_not(None)),
        )
        .order_by(INCIDENTS.c.opened_at.desc())
        .limit(200)
    ).all()
    similar = [r for r in rows if alike(incident.title, incident.dedup_key, r.title, r.dedup_key)][:limit]
    if not similar:
        return []
    touched = set(
        conn.execute(
            select(TIMELINE.c.incident_id).where(
                TIMELINE.c.incident_id.in_([r.id for r in similar]), TIMELINE.c.kind.in_(HUMAN_KINDS)
            )
        ).scalars()
    )
    past = []
    for row in similar:
        minutes = None
        if row.source_recovered_at is not None and row.id not in touched:
            minutes = max((row.source_recovered_at - row.first_seen).total_seconds() / 60, 0.0)
        past.append(
            PastIncident(
                id=row.id,
                title=row.title,
                severity=Severity(row.severity) if row.severity else None,
                self_resolved_minutes=minutes,
            )
        )
    return past
