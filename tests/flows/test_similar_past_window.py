"""The past incidents triage and the incident page compare with: by words or by alert key, and
only from the 90 days before (the word search ranks the window's incidents alone), on SQLite's
FTS5 and PostgreSQL's tsvector alike."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from flows.history import similar_past
from warroom.incidents import store as incidents
from warroom.incidents.tables import IncidentRow

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TABLE = IncidentRow.__table__


def _incident(conn, title: str, days_ago: float, key: str) -> int:
    opened = NOW - timedelta(days=days_ago)
    return conn.execute(
        TABLE.insert()
        .values(
            title=title, service="search", dedup_key=key, source="api", status="resolved", opened_at=opened,
            first_seen=opened, last_seen=opened, event_count=1, alert_count=1, resolved_at=opened + timedelta(hours=1),
        )
        .returning(TABLE.c.id)
    ).scalar_one()  # fmt: skip


def test_by_words_and_by_key_within_the_window_only(db_warroom) -> None:
    tag = uuid.uuid4().hex[:8]
    title = f"zq{tag} index rebuild stalled on replica"
    with db_warroom.engine.begin() as conn:
        too_old = _incident(conn, title, 120, f"k-old-{tag}")
        by_words = _incident(conn, title, 40, f"k-words-{tag}")
        by_key = _incident(conn, f"something else entirely {tag}", 30, f"k-same-{tag}")
        unrelated = _incident(conn, f"checkout {tag} payments", 10, f"k-other-{tag}")
        now_id = _incident(conn, title, 0, f"k-same-{tag}")
    with db_warroom.engine.connect() as conn:
        incident = incidents.get_incident(conn, now_id)
        assert incident is not None and conn.execute(select(TABLE.c.id).where(TABLE.c.id == too_old)).scalar()
        found = [p.id for p in similar_past(conn, incident)]
    assert found == [by_key, by_words]  # newest first; the 120-day-old one and the unrelated one are not
    assert too_old not in found and unrelated not in found
