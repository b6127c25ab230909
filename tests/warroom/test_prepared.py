"""`Prepared` stores and reads exactly what `conn.execute` stores and reads, on both databases.

Compared on what the driver itself returns (`SELECT *` on the DB-API cursor), so a value bound
without its type's processing (a datetime in another text form, a zone not normalised) shows
even though both sides would read it back through SQLAlchemy alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, bindparam, select

from api.composition import Warroom
from warroom.alerts.models import Alert
from warroom.alerts.store import ALERT_COLUMNS, _statements
from warroom.db import table_of
from warroom.incidents.store import open_incident
from warroom.incidents.tables import IncidentRow
from warroom.prepared import Prepared

INDIA = timezone(timedelta(hours=5, minutes=30))


@pytest.fixture
def engines(two_warrooms: tuple[Warroom, Warroom]) -> tuple[Engine, Engine]:
    return two_warrooms[0].engine, two_warrooms[1].engine


def _raw(engine: Engine, table: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")
        return [tuple(row) for row in cursor.fetchall()]


def _incident(conn: Connection, when: datetime) -> int:
    alert = Alert(source="sentry", delivery_key="d", dedup_key="k", title="checkout failing", occurred_at=when)
    return open_incident(conn, alert, when)


def test_an_alert_insert_and_a_fold_store_what_core_stores(engines: tuple[Engine, Engine]) -> None:
    core, prepared = engines
    when = datetime(2026, 12, 4, 2, 13, 7, 123456, tzinfo=INDIA)  # not UTC: the type normalises it
    alert = {
        **dict.fromkeys(ALERT_COLUMNS),
        "delivery_key": "sentry:event:1",
        "dedup_key": "sentry:issue:1",
        "source": "sentry",
        "event_type": "event_alert.triggered",
        "status": "firing",
        "title": "CheckoutError",
        "endpoint": "/api/checkout",
        "occurred_at": when,
        "received_at": when + timedelta(seconds=1),
        "event_count": 3,
        "alert_json": '{"title": "CheckoutError", "raw": {"x": [1, 2.5, null]}}',
    }
    fold = {"n": 4, "alerts": 2, "users": 7, "first": when - timedelta(hours=1), "last": when + timedelta(hours=1)}
    answers = []
    for engine, run in ((core, "core"), (prepared, "prepared")):
        sql = _statements(engine.dialect.name)
        with engine.begin() as conn:
            alert["incident_id"] = iid = _incident(conn, when)
            if run == "core":
                inserted = conn.execute(sql.insert_alert, alert).scalar()
                after = conn.execute(sql.fold, {**fold, "iid": iid}).scalar()
            else:
                [(inserted,)] = Prepared(sql.insert_alert, conn.dialect, ALERT_COLUMNS).rows(conn, alert)
                [(after,)] = Prepared(sql.fold, conn.dialect).rows(conn, {**fold, "iid": iid})
            answers.append((inserted, after))

    assert answers[0] == answers[1] == (1, 5)  # the incident opened with 1 event, then 4
    assert _raw(prepared, "alerts") == _raw(core, "alerts")
    assert _raw(prepared, "incidents") == _raw(core, "incidents")


def test_a_select_returns_the_values_core_returns(engines: tuple[Engine, Engine]) -> None:
    core, _ = engines
    row = table_of(IncidentRow)
    when = datetime(2026, 12, 4, 2, 13, 7, 5, tzinfo=INDIA)
    query = select(row.c.id, row.c.title, row.c.last_seen, row.c.severity).where(row.c.dedup_key == bindparam("k"))
    with core.begin() as conn:
        _incident(conn, when)
        expected = [tuple(r) for r in conn.execute(query, {"k": "k"})]
        got = Prepared(query, conn.dialect).rows(conn, {"k": "k"})

    assert got == expected
    assert got[0][2] == when and got[0][2].tzinfo == UTC
