"""The ingest hot path: store one alert and fold it into its incident in one short transaction.

Kept in SQLAlchemy Core (no ORM session): measured on 2-core machines an ORM session per
request costs 3-7x the throughput of a bare insert-or-ignore (DESIGN.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select, text, update

from warroom.alerts.models import Alert, AlertStatus
from warroom.alerts.tables import AlertRow
from warroom.incidents import store as incidents
from warroom.scheduler.store import schedule
from warroom.upsert import insert_ignore

__all__ = ["IngestOutcome", "correlation_keys", "ingest_alert"]

ALERTS = AlertRow.__table__
NOISE_SEGMENTS = {"api", "v1", "v2", "v3", "internal", "public", "www", "app", ""}


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    alert_id: int
    incident_id: int | None
    deduplicated: bool
    opened_incident: bool


def correlation_keys(alert: Alert) -> list[str]:
    """The alert's own dedup key first, then the names of what it is about ("svc:checkout"),
    which let different sources' alerts for one outage join one incident within the window."""
    keys = [alert.dedup_key]
    topics: list[str] = []
    if alert.service:
        topics.append(alert.service.lower())
    if alert.endpoint and alert.endpoint.startswith("/"):
        segments = [s for s in re.split(r"[/?#]", alert.endpoint.lower()) if s not in NOISE_SEGMENTS]
        if segments and not segments[0].isdigit():
            topics.append(segments[0])
    keys.extend(f"svc:{topic}" for topic in dict.fromkeys(topics))
    return keys


def ingest_alert(conn: Connection, alert: Alert, now: datetime, window: timedelta) -> IngestOutcome:
    """Idempotent on `alert.delivery_key`; the caller owns the transaction."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": alert.dedup_key})
    keys = correlation_keys(alert)
    incident_id = incidents.find_open(conn, keys, since=now - window)
    values = dict(
        delivery_key=alert.delivery_key, dedup_key=alert.dedup_key, source=alert.source,
        event_type=alert.event_type, status=alert.status.value, title=alert.title,
        service=alert.service, endpoint=alert.endpoint, environment=alert.environment,
        level=alert.level, occurred_at=alert.occurred_at, received_at=now,
        event_count=alert.event_count, incident_id=incident_id, alert=alert.model_dump(mode="json"),
    )
    alert_id = insert_ignore(conn, ALERTS, values, ["delivery_key"])
    if alert_id is None:
        existing = conn.execute(
            select(ALERTS.c.id, ALERTS.c.incident_id).where(ALERTS.c.delivery_key == alert.delivery_key)
        ).one()
        return IngestOutcome(existing.id, existing.incident_id, True, False)

    if alert.status is AlertStatus.RESOLVED:
        if incident_id is not None:
            incidents.record_source_recovered(conn, incident_id, alert, now)
        return IngestOutcome(alert_id, incident_id, False, False)

    opened = incident_id is None
    if incident_id is None:
        incident_id = incidents.open_incident(conn, alert, now)
        conn.execute(update(ALERTS).where(ALERTS.c.id == alert_id).values(incident_id=incident_id))
        schedule(conn, key=f"incident:{incident_id}:start", kind="incident.start", due_at=now,
                 payload={"incident_id": incident_id}, lane=f"incident:{incident_id}")
    else:
        before, after = incidents.fold_alert(conn, incident_id, alert, now)
        if _crossed_decade(before, after):
            schedule(conn, key=f"incident:{incident_id}:reassess:{len(str(after))}", kind="incident.reassess",
                     due_at=now, payload={"incident_id": incident_id}, lane=f"incident:{incident_id}")
    incidents.register_keys(conn, incident_id, keys)
    incidents.count_endpoint_and_user(conn, incident_id, alert)
    return IngestOutcome(alert_id, incident_id, False, opened)


def _crossed_decade(before: int, after: int) -> bool:
    """True when the event count passed 10, 100, 1000...: new evidence worth a second look."""
    return len(str(max(before, 1))) != len(str(max(after, 1)))


def count_alerts(conn: Connection, incident_id: int) -> int:
    return conn.execute(select(func.count()).where(ALERTS.c.incident_id == incident_id)).scalar_one()
