"""Queries over incidents: opening one, reads for the API, and the writes the graph makes
(classification, status, timeline). Folding alerts into incidents is the ingest hot path's, in
`warroom.alerts.store`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, ScalarSelect, delete, func, select, update

from warroom import keys
from warroom.alerts.models import Alert
from warroom.db import table_of
from warroom.incidents.models import (
    EndpointCount,
    Incident,
    IncidentStatus,
    TimelineEvent,
)
from warroom.incidents.tables import (
    ExternalRefRow,
    IncidentEndpointRow,
    IncidentKeyRow,
    IncidentRow,
    IncidentUserRow,
    TimelineRow,
)
from warroom.kinds import JobKind, TimelineKind
from warroom.postmortems.tables import PostmortemVersionRow
from warroom.scheduler.store import schedule
from warroom.severity import Classification, Severity
from warroom.upsert import insert_ignore

__all__ = [
    "acknowledge",
    "add_timeline",
    "get_external_ref",
    "get_incident",
    "incident_for_ref",
    "list_incidents",
    "open_incident",
    "IncidentRef",
    "opened_between",
    "opened_ids",
    "refs_opened_between",
    "record_source_recovered",
    "set_classification",
    "set_enrichment",
    "set_external_ref",
    "set_status",
    "severities",
]

INCIDENTS = table_of(IncidentRow)
KEYS = table_of(IncidentKeyRow)
ENDPOINTS = table_of(IncidentEndpointRow)
USERS = table_of(IncidentUserRow)
TIMELINE = table_of(TimelineRow)
REFS = table_of(ExternalRefRow)
VERSIONS = table_of(PostmortemVersionRow)


def seen_at(alert: Alert, now: datetime) -> datetime:
    """When the source says it happened, unless that is implausible (a replay from last year, a
    skewed clock): then when we received it, so rates and durations stay meaningful."""
    if now - timedelta(days=1) <= alert.occurred_at <= now + timedelta(minutes=5):
        return alert.occurred_at.astimezone(UTC)
    return now


def open_incident(conn: Connection, alert: Alert, now: datetime) -> int:
    seen = seen_at(alert, now)
    return conn.execute(
        INCIDENTS.insert()
        .values(
            title=alert.title[:500],
            service=alert.service,
            dedup_key=alert.dedup_key,
            source=alert.source,
            status=IncidentStatus.INVESTIGATING.value,
            environment=alert.environment,
            level=alert.level,
            opened_at=now,
            first_seen=seen,
            last_seen=seen,
            event_count=alert.event_count,
            alert_count=1,
            reported_users=alert.users_affected or 0,
            links=[link.model_dump() for link in alert.links],
            runbook_url=alert.runbook_url,
        )
        .returning(INCIDENTS.c.id)
    ).scalar_one()


def record_source_recovered(conn: Connection, incident_id: int, alert: Alert, now: datetime) -> None:
    """The source says it recovered: noted and offered to the human. The incident's graph hears of
    it too; only a P2/P3 closes itself, never a P0/P1."""
    conn.execute(update(INCIDENTS).where(INCIDENTS.c.id == incident_id).values(source_recovered_at=now))
    if add_timeline(
        conn,
        incident_id,
        now,
        TimelineKind.SOURCE_RECOVERED,
        f"{alert.source} reports recovery: {alert.title}",
        actor=alert.source,
        data={"delivery_key": alert.delivery_key},
        dedup_key=keys.recovered_noted(alert.delivery_key),
    ):
        schedule(
            conn,
            key=keys.recovered(incident_id, alert.delivery_key),
            kind=JobKind.INCIDENT_EVENT,
            due_at=now,
            payload={"incident_id": incident_id, "event": {"type": "recovered", "actor": alert.source}},
            lane=keys.incident_lane(incident_id),
        )


def set_enrichment(conn: Connection, incident_id: int, enrichment: dict[str, Any], users: int | None) -> None:
    values: dict[str, Any] = {"enrichment": enrichment}
    if users:
        values["reported_users"] = (
            func.max(INCIDENTS.c.reported_users, users)
            if conn.dialect.name == "sqlite"
            else func.greatest(INCIDENTS.c.reported_users, users)
        )
    conn.execute(update(INCIDENTS).where(INCIDENTS.c.id == incident_id).values(**values))


def set_classification(conn: Connection, incident_id: int, classification: Classification) -> None:
    conn.execute(
        update(INCIDENTS)
        .where(INCIDENTS.c.id == incident_id)
        .values(severity=classification.severity.value, classification=classification.model_dump(mode="json"))
    )


def set_status(conn: Connection, incident_id: int, status: IncidentStatus, now: datetime) -> None:
    values: dict[str, Any] = {"status": status.value}
    if status is IncidentStatus.RESOLVED:
        values["resolved_at"] = now
        conn.execute(delete(KEYS).where(KEYS.c.incident_id == incident_id))
    conn.execute(update(INCIDENTS).where(INCIDENTS.c.id == incident_id).values(**values))


def acknowledge(conn: Connection, incident_id: int, actor: str, now: datetime) -> bool:
    result = conn.execute(
        update(INCIDENTS)
        .where(INCIDENTS.c.id == incident_id, INCIDENTS.c.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by=actor, commander=func.coalesce(INCIDENTS.c.commander, actor))
    )
    return result.rowcount == 1


def add_timeline(
    conn: Connection,
    incident_id: int,
    at: datetime,
    kind: TimelineKind,
    text: str,
    *,
    actor: str = "warroom",
    data: dict[str, Any] | None = None,
    dedup_key: str | None = None,
) -> bool:
    """Append to the timeline; with a `dedup_key` a replayed step adds nothing the second time."""
    values = dict(
        incident_id=incident_id, at=at, kind=kind, actor=actor, text=text, data=data or {}, dedup_key=dedup_key
    )
    if dedup_key is None:
        conn.execute(TIMELINE.insert().values(**values))
        return True
    return insert_ignore(conn, TIMELINE, values, ["dedup_key"]) is not None


def get_external_ref(conn: Connection, incident_id: int, system: str) -> str | None:
    return conn.execute(select(REFS.c.ref).where(REFS.c.incident_id == incident_id, REFS.c.system == system)).scalar()


def incident_for_ref(conn: Connection, system: str, ref: str) -> int | None:
    return conn.execute(select(REFS.c.incident_id).where(REFS.c.system == system, REFS.c.ref == ref)).scalar()


def set_external_ref(conn: Connection, incident_id: int, system: str, ref: str) -> None:
    insert_ignore(conn, REFS, {"incident_id": incident_id, "system": system, "ref": ref}, ["incident_id", "system"])


def _incident(row: Any, endpoints: list[EndpointCount], timeline: list[TimelineEvent], users: int) -> Incident:
    return Incident(
        id=row.id,
        title=row.title,
        service=row.service,
        dedup_key=row.dedup_key,
        source=row.source,
        status=IncidentStatus(row.status),
        severity=Severity(row.severity) if row.severity else None,
        classification=Classification.model_validate(row.classification) if row.classification else None,
        opened_at=row.opened_at,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        event_count=row.event_count,
        alert_count=row.alert_count,
        users_affected=max(users, row.reported_users or 0),
        environment=row.environment,
        level=row.level,
        source_recovered_at=row.source_recovered_at,
        acknowledged_at=row.acknowledged_at,
        resolved_at=row.resolved_at,
        endpoints=endpoints,
        timeline=timeline,
        acknowledged_by=row.acknowledged_by,
        commander=row.commander,
        links=row.links or [],
        runbook_url=row.runbook_url,
        enrichment=row.enrichment,
    )


def get_incident(conn: Connection, incident_id: int, *, with_timeline: bool = True) -> Incident | None:
    row = conn.execute(select(INCIDENTS).where(INCIDENTS.c.id == incident_id)).first()
    if row is None:
        return None
    endpoints = [
        EndpointCount(endpoint=e.endpoint, count=e._mapping["count"])
        for e in conn.execute(
            select(ENDPOINTS).where(ENDPOINTS.c.incident_id == incident_id).order_by(ENDPOINTS.c.count.desc())
        )
    ]
    timeline: list[TimelineEvent] = []
    if with_timeline:
        timeline = [
            TimelineEvent(
                id=t.id, incident_id=t.incident_id, at=t.at, kind=t.kind, actor=t.actor, text=t.text, data=t.data
            )
            for t in conn.execute(
                select(TIMELINE).where(TIMELINE.c.incident_id == incident_id).order_by(TIMELINE.c.at, TIMELINE.c.id)
            )
        ]
    users = conn.execute(select(func.count()).where(USERS.c.incident_id == incident_id)).scalar_one()
    return _incident(row, endpoints, timeline, users)


def severities(conn: Connection, incident_id: int) -> list[Severity]:
    """Every level the incident was rated at, oldest first (its severity entries on the timeline)."""
    rows = conn.execute(
        select(TIMELINE.c.data)
        .where(TIMELINE.c.incident_id == incident_id, TIMELINE.c.kind == TimelineKind.SEVERITY.value)
        .order_by(TIMELINE.c.at, TIMELINE.c.id)
    )
    return [Severity(row.data["severity"]) for row in rows if (row.data or {}).get("severity")]


OPEN_STATUSES = [s.value for s in IncidentStatus if s is not IncidentStatus.RESOLVED]


def list_incidents(
    conn: Connection,
    *,
    status: IncidentStatus | None = None,
    open_only: bool = False,
    limit: int = 100,
    before: int | None = None,
) -> list[Incident]:
    """Newest first; `before` is the keyset cursor (only incidents with a smaller id, i.e. opened
    earlier), so a page deep in a year costs what the first one does: the primary key (or the
    status index) is walked from the cursor, never counted off from the start."""
    query = select(INCIDENTS).order_by(INCIDENTS.c.id.desc()).limit(limit)
    if before is not None:
        query = query.where(INCIDENTS.c.id < before)
    if status is not None:
        query = query.where(INCIDENTS.c.status == status.value)
    if open_only:  # an IN the status index answers, not a `!=` that reads every resolved incident
        query = query.where(INCIDENTS.c.status.in_(OPEN_STATUSES))
    rows = conn.execute(query).all()
    user_counts: dict[int, int] = (
        dict(
            conn.execute(
                select(USERS.c.incident_id, func.count())
                .where(USERS.c.incident_id.in_([r.id for r in rows]))
                .group_by(USERS.c.incident_id)
            ).all()
        )
        if rows
        else {}
    )
    # Endpoints too (one query): what broke is named from them ("Checkout is failing"), in the list
    # as on the incident's own page.
    endpoints: dict[int, list[EndpointCount]] = {}
    if rows:
        for e in conn.execute(
            select(ENDPOINTS)
            .where(ENDPOINTS.c.incident_id.in_([r.id for r in rows]))
            .order_by(ENDPOINTS.c.incident_id, ENDPOINTS.c.count.desc())
        ):
            endpoints.setdefault(e.incident_id, []).append(
                EndpointCount(endpoint=e.endpoint, count=e._mapping["count"])
            )
    return [_incident(r, endpoints.get(r.id, []), [], user_counts.get(r.id, 0)) for r in rows]


@dataclass(frozen=True, slots=True)
class IncidentRef:
    """An incident as the recurrence match and the digest's trend read it
    (`agents.coo.recurrence.Matchable`, `agents.coo.trends.Rated`): a digest's 90-day lookback is
    thousands of them in a busy year, so they are plain rows, not whole incidents with timelines."""

    id: int
    title: str
    dedup_key: str
    opened_at: datetime
    resolved_at: datetime | None
    source_recovered_at: datetime | None
    severity: Severity | None


def refs_opened_between(conn: Connection, since: datetime, until: datetime) -> list[IncidentRef]:
    """The incidents opened in [since, until), oldest first, as `IncidentRef`s: one index range."""
    rows = conn.execute(
        select(
            INCIDENTS.c.id,
            INCIDENTS.c.title,
            INCIDENTS.c.dedup_key,
            INCIDENTS.c.opened_at,
            INCIDENTS.c.resolved_at,
            INCIDENTS.c.source_recovered_at,
            INCIDENTS.c.severity,
        )
        .where(INCIDENTS.c.opened_at >= since, INCIDENTS.c.opened_at < until)
        .order_by(INCIDENTS.c.opened_at, INCIDENTS.c.id)
    )
    return [IncidentRef(*row[:-1], Severity(row.severity) if row.severity else None) for row in rows]


def opened_ids(since: datetime, until: datetime) -> ScalarSelect[Any]:
    """The ids of the incidents opened in [since, until), as a subquery for `IN`."""
    return select(INCIDENTS.c.id).where(INCIDENTS.c.opened_at >= since, INCIDENTS.c.opened_at < until).scalar_subquery()


def opened_between(
    conn: Connection,
    since: datetime,
    until: datetime,
    *,
    timeline_kinds: Collection[str] | None = None,
    having: str | None = None,
    unreviewed: bool = False,
) -> list[Incident]:
    """Incidents opened in [since, until), oldest first, each with its endpoints, users count and
    timeline (only the entries of `timeline_kinds` when given); with `having`, only those whose
    timeline holds an entry of that kind; `unreviewed`: only those whose postmortem no person has
    saved a version of. Four queries, however many incidents, each walking an index from the
    range (`ix_incidents_opened_at`, `ix_timeline_events_kind`) instead of one incident at a time."""
    ids = opened_ids(since, until)
    if having is not None:
        query = select(TIMELINE.c.incident_id).where(TIMELINE.c.kind == having, TIMELINE.c.incident_id.in_(ids))
        if unreviewed:
            query = query.where(
                ~select(VERSIONS.c.incident_id)
                .where(
                    VERSIONS.c.incident_id == TIMELINE.c.incident_id,
                    VERSIONS.c.version > 1,
                    VERSIONS.c.author != "warroom",
                )
                .exists()
            )
        ids = query.distinct().scalar_subquery()
    rows = conn.execute(
        select(INCIDENTS).where(INCIDENTS.c.id.in_(ids)).order_by(INCIDENTS.c.opened_at, INCIDENTS.c.id)
    ).all()
    if not rows:
        return []
    endpoints: dict[int, list[EndpointCount]] = {}
    for e in conn.execute(
        select(ENDPOINTS)
        .where(ENDPOINTS.c.incident_id.in_(ids))
        .order_by(ENDPOINTS.c.incident_id, ENDPOINTS.c.count.desc())
    ):
        endpoints.setdefault(e.incident_id, []).append(EndpointCount(endpoint=e.endpoint, count=e._mapping["count"]))
    users: dict[int, int] = dict(
        conn.execute(
            select(USERS.c.incident_id, func.count()).where(USERS.c.incident_id.in_(ids)).group_by(USERS.c.incident_id)
        ).all()
    )
    entries = select(TIMELINE).where(TIMELINE.c.incident_id.in_(ids)).order_by(TIMELINE.c.at, TIMELINE.c.id)
    if timeline_kinds is not None:
        entries = entries.where(TIMELINE.c.kind.in_(list(timeline_kinds)))
    timelines: dict[int, list[TimelineEvent]] = {}
    for t in conn.execute(entries):
        timelines.setdefault(t.incident_id, []).append(
            TimelineEvent(
                id=t.id, incident_id=t.incident_id, at=t.at, kind=t.kind, actor=t.actor, text=t.text, data=t.data
            )
        )
    return [_incident(r, endpoints.get(r.id, []), timelines.get(r.id, []), users.get(r.id, 0)) for r in rows]
