"""The retention statement on both databases: `raw` leaves the stored Alert (JSON on SQLite, JSONB
on PostgreSQL), every other field stays, the batch is bounded and oldest first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from warroom.alerts.retention import prune_raw_payloads, pruned_after_days
from warroom.alerts.tables import AlertRow
from warroom.db import table_of

ALERTS = table_of(AlertRow)
NOW = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


def test_a_batch_strips_raw_and_keeps_the_rest(db_warroom) -> None:
    dedup = f"api:{uuid.uuid4().hex}"
    rows = [
        {
            "delivery_key": f"api:{uuid.uuid4().hex}",
            "dedup_key": dedup,
            "source": "api",
            "event_type": "",
            "status": "firing",
            "title": f"alert {n}",
            "occurred_at": NOW - timedelta(days=days),
            "received_at": NOW - timedelta(days=days),
            "event_count": 1,
            "alert": {"source": "api", "title": f"alert {n}", "tags": {"n": str(n)}, "raw": {"payload": "x" * 50}},
        }
        for n, days in enumerate((120, 100, 95, 10))
    ]
    with db_warroom.engine.begin() as conn:
        conn.execute(ALERTS.insert(), rows)
        cutoff = NOW - timedelta(days=90)
        assert prune_raw_payloads(conn, received_before=cutoff, now=NOW, limit=2) == 2
        assert prune_raw_payloads(conn, received_before=cutoff, now=NOW, limit=2) == 1
        assert prune_raw_payloads(conn, received_before=cutoff, now=NOW, limit=2) == 0
        stored = conn.execute(
            select(ALERTS.c.title, ALERTS.c.alert, ALERTS.c.raw_pruned_at)
            .where(ALERTS.c.dedup_key == dedup)
            .order_by(ALERTS.c.received_at)
        ).all()
    assert [r.raw_pruned_at for r in stored] == [NOW, NOW, NOW, None]
    for n, row in enumerate(stored[:3]):
        assert row.alert == {"source": "api", "title": f"alert {n}", "tags": {"n": str(n)}}
    assert stored[3].alert["raw"] == {"payload": "x" * 50}


def test_days_after_which_an_incidents_payloads_went(db_warroom) -> None:
    with db_warroom.engine.connect() as conn:
        assert pruned_after_days(conn, 987654321) is None


def test_a_batch_walks_the_index_of_payloads_still_kept(tmp_path) -> None:
    """Each batch reads only what it prunes, however many were pruned before it."""
    from sqlalchemy import event

    from warroom.db import make_engine
    from warroom.migrations import upgrade

    url = f"sqlite:///{tmp_path / 'plan.db'}"
    upgrade(url)
    engine = make_engine(url)
    seen: list[tuple[str, object]] = []
    event.listen(engine, "before_cursor_execute", lambda c, cur, sql, params, ctx, many: seen.append((sql, params)))
    try:
        with engine.begin() as conn:
            prune_raw_payloads(conn, received_before=NOW, now=NOW, limit=10)
            [(sql, params)] = [s for s in seen if s[0].lstrip().startswith("UPDATE alerts")]
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    finally:
        engine.dispose()
    assert "USING INDEX ix_alerts_raw_kept (received_at<?)" in plan, plan
