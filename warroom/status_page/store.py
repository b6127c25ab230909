"""Reads and writes of the built-in status page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select, update

from warroom.db import table_of
from warroom.status_page import uptime
from warroom.status_page.models import (
    PageComponent,
    PageIncident,
    PageUpdate,
    StatusSummary,
)
from warroom.status_page.tables import (
    ComponentRow,
    PageIncidentComponentRow,
    PageIncidentRow,
    PageMarkRow,
    PageUpdateRow,
)
from warroom.upsert import insert_ignore

__all__ = [
    "COMPONENT_ORDER",
    "IMPACT_ORDER",
    "add_update",
    "create_page_incident",
    "mark_started",
    "record_components",
    "set_component",
    "summary",
    "version",
]

INCIDENTS = table_of(PageIncidentRow)
UPDATES = table_of(PageUpdateRow)
COMPONENTS = table_of(ComponentRow)
TOUCHED = table_of(PageIncidentComponentRow)
MARKS = table_of(PageMarkRow)
IMPACT_ORDER = ["none", "minor", "major", "critical"]
COMPONENT_ORDER = ["operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"]
"""Least to most severe; an unknown word ranks as operational."""


def _rank(order: list[str], value: str | None) -> int:
    return order.index(value) if value in order else 0


def create_page_incident(
    conn: Connection, *, incident_id: int, title: str, status: str, impact: str, body: str, now: datetime, key: str
) -> int:
    """Idempotent per incident: a second create returns the existing page incident untouched.
    `key` names the first update, as in `add_update`."""
    new_id = insert_ignore(
        conn,
        INCIDENTS,
        dict(
            incident_id=incident_id,
            title=title,
            status=status,
            impact=impact,
            peak_impact=impact,
            created_at=now,
            updated_at=now,
        ),
        ["incident_id"],
    )
    if new_id is None:
        return conn.execute(select(INCIDENTS.c.id).where(INCIDENTS.c.incident_id == incident_id)).scalar_one()
    conn.execute(UPDATES.insert().values(page_incident_id=new_id, status=status, body=body, at=now, key=key))
    return int(new_id)


def add_update(
    conn: Connection,
    page_incident_id: int,
    *,
    status: str,
    body: str,
    impact: str,
    now: datetime,
    key: str,
    title: str | None = None,
) -> bool:
    """Once per `key` (the post's mark): a second call with it changes nothing and returns False."""
    added = insert_ignore(
        conn, UPDATES, dict(page_incident_id=page_incident_id, status=status, body=body, at=now, key=key), ["key"]
    )
    if added is None:
        return False
    peak = conn.execute(select(INCIDENTS.c.peak_impact).where(INCIDENTS.c.id == page_incident_id)).scalar_one()
    values = dict(status=status, updated_at=now, impact=impact)
    if _rank(IMPACT_ORDER, impact) > _rank(IMPACT_ORDER, peak) or peak is None:
        values["peak_impact"] = impact
    if title:
        values["title"] = title
    if status == "resolved":
        values["resolved_at"] = now
    conn.execute(update(INCIDENTS).where(INCIDENTS.c.id == page_incident_id).values(**values))
    return True


def record_components(conn: Connection, page_incident_id: int, components: dict[str, str], now: datetime) -> None:
    """Each component's current status, and on the incident the worst status any of its posts gave
    each one (the all-clear's "operational" never lowers it): the history the uptime bars show."""
    for name, status in components.items():
        set_component(conn, name, status, now)
        key = (TOUCHED.c.page_incident_id == page_incident_id) & (TOUCHED.c.name == name)
        worst = conn.execute(select(TOUCHED.c.status).where(key)).scalar_one_or_none()
        if worst is None:
            insert_ignore(
                conn,
                TOUCHED,
                dict(page_incident_id=page_incident_id, name=name, status=status),
                ["page_incident_id", "name"],
            )
        elif _rank(COMPONENT_ORDER, status) > _rank(COMPONENT_ORDER, worst):
            conn.execute(update(TOUCHED).where(key).values(status=status))


def mark_started(conn: Connection, now: datetime) -> None:
    """The page began keeping history now, unless it did before (the first call wins)."""
    insert_ignore(conn, MARKS, dict(name="started", at=now), ["name"])


def set_component(conn: Connection, name: str, status: str, now: datetime) -> None:
    if insert_ignore(conn, COMPONENTS, dict(name=name, status=status, updated_at=now), ["name"]) is None:
        conn.execute(update(COMPONENTS).where(COMPONENTS.c.name == name).values(status=status, updated_at=now))


def summary(
    conn: Connection,
    *,
    name: str,
    now: datetime,
    history_days: int = 90,
    listed_days: int = 15,
    logo_url: str | None = None,
    configured_components: Iterable[str] = (),
) -> StatusSummary:
    """What the page shows at `now`: every component (those posts have named, and the configured
    ones never posted about, as operational) with its uptime over `history_days`, the active
    incidents, and those resolved within `listed_days` with their updates. The updates of older
    incidents are not read: their spans and worst statuses are all the uptime bars need, and a busy
    quarter's hundreds of past incidents with every update made the page grow with the history."""
    stored = [
        PageComponent(name=r.name, status=r.status, updated_at=r.updated_at) for r in conn.execute(select(COMPONENTS))
    ]
    known = {c.name.casefold() for c in stored}
    configured = [
        PageComponent(name=n, status="operational", updated_at=None)
        for n in dict.fromkeys(configured_components)
        if n.casefold() not in known
    ]
    components = sorted(stored + configured, key=lambda c: c.name.casefold())
    rows = conn.execute(
        select(INCIDENTS)
        .where((INCIDENTS.c.resolved_at.is_(None)) | (INCIDENTS.c.resolved_at >= now - timedelta(days=history_days)))
        .order_by(INCIDENTS.c.created_at.desc())
    ).all()
    listed_since = now - timedelta(days=listed_days)
    listed = [r.id for r in rows if r.resolved_at is None or r.resolved_at >= listed_since]
    updates: dict[int, list[PageUpdate]] = {}
    touched: dict[int, dict[str, str]] = {}
    if rows:
        for t in conn.execute(
            select(TOUCHED).where(TOUCHED.c.page_incident_id.in_([r.id for r in rows])).order_by(TOUCHED.c.name)
        ):
            touched.setdefault(t.page_incident_id, {})[t.name] = t.status
    if listed:
        for u in conn.execute(
            select(UPDATES)
            .where(UPDATES.c.page_incident_id.in_(listed))
            .order_by(UPDATES.c.at.desc(), UPDATES.c.id.desc())
        ):
            updates.setdefault(u.page_incident_id, []).append(PageUpdate(status=u.status, body=u.body, at=u.at))
    incidents = [
        PageIncident(
            id=r.id,
            title=r.title,
            status=r.status,
            impact=r.impact,
            created_at=r.created_at,
            updated_at=r.updated_at,
            resolved_at=r.resolved_at,
            peak_impact=r.peak_impact or r.impact,
            components=list(touched.get(r.id, {})),
            component_status=touched.get(r.id, {}),
            updates=updates.get(r.id, []),
        )
        for r in rows
    ]
    first_incident = conn.execute(select(func.min(INCIDENTS.c.created_at))).scalar_one()
    started = conn.execute(select(MARKS.c.at).where(MARKS.c.name == "started")).scalar_one_or_none()
    first_record = min((m for m in (started, first_incident) if m is not None), default=None)
    for c in components:
        c.uptime_percent = uptime.uptime_percent(
            uptime.outages_of(incidents, c.name), now=now, first_record=first_record
        )
    active = [i for i in incidents if i.status != "resolved"]
    indicator = max((i.impact for i in active), key=IMPACT_ORDER.index, default="none")
    description = {
        "none": "All systems operational",
        "minor": "Minor service disruption",
        "major": "Partial system outage",
        "critical": "Major system outage",
    }[indicator]
    return StatusSummary(
        name=name,
        logo_url=logo_url,
        indicator=indicator,
        description=description,
        components=components,
        active_incidents=active,
        recent_incidents=[
            i
            for i in incidents
            if i.status == "resolved" and i.resolved_at is not None and i.resolved_at >= listed_since
        ],
        history=incidents,
        first_record=first_record,
    )


def version(conn: Connection) -> tuple[object, ...]:
    """A cheap fingerprint of everything `summary` shows: it changes whenever a post, an
    incident's status or a component changes, so a cached page stays right without rebuilding
    it on every request."""
    return tuple(
        conn.execute(
            select(
                select(func.max(UPDATES.c.id)).scalar_subquery(),
                select(func.count()).select_from(UPDATES).scalar_subquery(),
                select(func.max(INCIDENTS.c.updated_at)).scalar_subquery(),
                select(func.max(COMPONENTS.c.updated_at)).scalar_subquery(),
                select(func.count()).select_from(COMPONENTS).scalar_subquery(),
            )
        ).one()
    )
