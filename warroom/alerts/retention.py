"""Raw-payload retention: the payload a source sent is the bulk of an alert row (about 1 KB of a
Sentry event against a few hundred bytes of normalised fields), and nothing reads it once the
incident is long over. Pruning removes `raw` from the stored Alert and stamps `raw_pruned_at`;
the row, its columns, the incident's counts, endpoints and users stay as they were.

Batches walk the partial index of alerts still holding a payload (`ix_alerts_raw_kept`), oldest
first, so each batch reads only the rows it prunes however many were pruned before it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, literal, select, update
from sqlalchemy.dialects import postgresql

from warroom.alerts.tables import AlertRow
from warroom.db import table_of

__all__ = ["prune_raw_payloads", "pruned_after_days"]

ALERTS = table_of(AlertRow)


def prune_raw_payloads(conn: Connection, *, received_before: datetime, now: datetime, limit: int) -> int:
    """Remove the raw payload from at most `limit` alerts received before `received_before`, the
    oldest first; how many were pruned (0: none is left). Idempotent: a pruned alert is never
    touched again. The caller owns the transaction; one batch is one short write."""
    batch = (
        select(ALERTS.c.id)
        .where(ALERTS.c.raw_pruned_at.is_(None), ALERTS.c.received_at < received_before)
        .order_by(ALERTS.c.received_at)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        stripped = ALERTS.c.alert.op("-", return_type=postgresql.JSONB)(literal("raw"))
    else:
        stripped = func.json_remove(ALERTS.c.alert, "$.raw")
    result = conn.execute(
        update(ALERTS)
        .where(ALERTS.c.id.in_(batch.scalar_subquery()))
        .values(alert=stripped, raw_pruned_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def pruned_after_days(conn: Connection, incident_id: int) -> int | None:
    """How many days after arriving the incident's alerts lost their raw payloads, if they did.
    Pruning goes oldest first, so the incident's first alert answers for all of them (one index
    probe, whatever the storm)."""
    first = conn.execute(
        select(ALERTS.c.received_at, ALERTS.c.raw_pruned_at)
        .where(ALERTS.c.incident_id == incident_id)
        .order_by(ALERTS.c.received_at)
        .limit(1)
    ).first()
    if first is None or first.raw_pruned_at is None:
        return None
    return (first.raw_pruned_at - first.received_at).days
