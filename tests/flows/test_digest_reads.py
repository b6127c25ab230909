"""The digest's range reads on SQLite and PostgreSQL: the window's incidents with the timeline
kinds it counts, the earlier ones whose postmortem is overdue and unreviewed, plain rows for the
recurrence match, and the trend's two queries."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flows.tickets import LOOKBACK, build_digest, build_trend
from warroom.incidents import store as incidents
from warroom.incidents.tables import IncidentRow
from warroom.kinds import TimelineKind
from warroom.postmortems import store as postmortems

TABLE = IncidentRow.__table__


def _incident(conn, title: str, opened, *, severity: str = "P1") -> int:
    return conn.execute(
        TABLE.insert()
        .values(
            title=title, service="search", dedup_key=f"k-{uuid.uuid4().hex}", source="api", status="resolved",
            severity=severity, opened_at=opened, first_seen=opened, last_seen=opened, event_count=1, alert_count=1,
            resolved_at=opened + timedelta(minutes=30),
        )
        .returning(TABLE.c.id)
    ).scalar_one()  # fmt: skip


def test_the_ranges_the_digest_reads(db_warroom) -> None:
    now = db_warroom.clock.now()
    tag = uuid.uuid4().hex[:8]
    since = now - timedelta(days=7)
    with db_warroom.engine.begin() as conn:
        week = _incident(conn, f"zz{tag} queue stalled on worker", now - timedelta(days=2))
        earlier = _incident(conn, f"zz{tag} queue stalled on worker", now - timedelta(days=30))
        overdue = _incident(conn, f"yy{tag} disk filling", now - timedelta(days=40))
        reviewed = _incident(conn, f"xx{tag} disk filling", now - timedelta(days=41))
        for incident_id in (overdue, reviewed):
            incidents.add_timeline(
                conn, incident_id, now - timedelta(days=38), TimelineKind.POSTMORTEM_OVERDUE, "still in review"
            )
            incidents.add_timeline(conn, incident_id, now - timedelta(days=39), TimelineKind.NOTE, "tried: restart")
            postmortems.save_version(conn, incident_id, author="warroom", now=now - timedelta(days=39), markdown="# v1")
        postmortems.save_version(conn, reviewed, author="dana", now=now - timedelta(days=37), markdown="# v2")
    with db_warroom.engine.connect() as conn:
        window = incidents.opened_between(conn, since, now, timeline_kinds=[TimelineKind.POSTMORTEM_OVERDUE])
        assert week in [i.id for i in window] and earlier not in [i.id for i in window]
        waiting = incidents.opened_between(
            conn,
            since - LOOKBACK,
            since,
            timeline_kinds=[TimelineKind.POSTMORTEM_OVERDUE],
            having=TimelineKind.POSTMORTEM_OVERDUE,
            unreviewed=True,
        )
        assert [i.id for i in waiting if i.id in (overdue, reviewed)] == [overdue]
        [entry] = [i for i in waiting if i.id == overdue][0].timeline  # the note is not read
        assert entry.kind == TimelineKind.POSTMORTEM_OVERDUE
        refs = incidents.refs_opened_between(conn, since - LOOKBACK, since)
        assert {earlier, overdue, reviewed} <= {r.id for r in refs}
    digest = build_digest(db_warroom.context, days=7)
    assert week in {r.incident_id for r in digest.recurred} and overdue in digest.postmortems_overdue
    assert reviewed not in digest.postmortems_overdue
    assert sum(p.incidents for p in build_trend(db_warroom.context, weeks=12).weeks) >= 3
