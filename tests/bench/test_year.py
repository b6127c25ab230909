"""The year generator at a tiny scale: what it writes is what the app writes (a stamped delivery
is the real normaliser's output), the app reads all of it (the list pages through every incident
by cursor, every kind of page renders), retention's state is as a 90-day year leaves it, and the
baseline is the year's last days with the same ids and rows."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.composition import Warroom
from bench.year import YearConfig, YearSummary, generate
from bench.year_alerts import AlertKey, Stamp, _alertmanager_payload, _sentry_payload, alert_template
from tests.conftest import API_TOKEN
from tools.webhooks import alertmanager, sentry
from warroom.clock import FakeClock
from warroom.settings import Settings

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TINY = YearConfig().scaled(0.004)  # 80 incidents, 8,000 alerts
AUTH = {"authorization": f"Bearer {API_TOKEN}"}


def _key(source: str) -> AlertKey:
    rng = random.Random(5)
    while (key := AlertKey.draw(rng, 17)).source != source:
        pass
    return key


@pytest.mark.parametrize("source", ["sentry", "alertmanager"])
def test_a_stamped_delivery_is_what_the_normaliser_stores(source: str) -> None:
    key = _key(source)
    template, stored, _ = alert_template(key, random.Random(1))
    stamp = Stamp(key, stored)
    at = datetime(2026, 5, 17, 3, 4, 5, 678901, tzinfo=UTC)
    if source == "sentry":
        ident, who = "0123456789abcdef0123456789abcdef", "user-9-3"
        payload = json.loads(
            json.dumps(_sentry_payload(key, tuple(template.tags["browser"].rsplit(" ", 1)), template.tags["region"]))
        )
        text = json.dumps(payload).replace("5e171e15e171e15e171e15e171e15e17", ident).replace("usersentinelxq", who)
        payload = json.loads(text.replace("2001-02-03T04:05:06.123457Z", at.isoformat().replace("+00:00", "Z")))
        payload["data"]["event"]["timestamp"] = at.timestamp()
        [real] = sentry.normalise(payload, {"sentry-hook-resource": "event_alert"}, at)
    else:
        ident, who = key.fingerprint(7), "0001a"
        text = json.dumps(_alertmanager_payload(key)).replace("f1f2f3f4f5f6f7f8", ident).replace("podsentinelxq", who)
        [real] = alertmanager.normalise(
            json.loads(text.replace("2001-02-03T04:05:06.123457Z", at.isoformat().replace("+00:00", "Z"))), {}, at
        )
    assert json.loads(stamp(ident, at, who)) == json.loads(real.model_dump_json())
    assert stamp.keys(ident, at) == (real.delivery_key, real.dedup_key)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, YearSummary]:
    path = tmp_path_factory.mktemp("year") / "year.db"
    return path, generate(path, TINY, NOW)


@pytest.fixture(scope="module")
def served(year: tuple[Path, YearSummary], tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path, _ = year
    settings = Settings(database_url=f"sqlite:///{path}", data_dir=tmp_path_factory.mktemp("data"), api_token=API_TOKEN)
    warroom = Warroom.build(settings, FakeClock(NOW))
    with TestClient(create_app(warroom, run_worker=False)) as client:
        yield client
    warroom.close()


def test_the_year_has_its_proportions(year: tuple[Path, YearSummary]) -> None:
    path, summary = year
    rows = summary.rows
    assert (rows["incidents"], rows["alerts"]) == (TINY.incidents, TINY.alerts)
    for table in (
        "timeline_events",
        "incident_users",
        "drafts",
        "postmortem_versions",
        "action_items",
        "jobs",
        "outbox",
    ):
        assert rows.get(table, 0) > 0, table
    with sqlite3.connect(path) as db:
        open_, resolved = db.execute(
            "SELECT sum(status != 'resolved'), sum(status = 'resolved') FROM incidents"
        ).fetchone()
        first, last = db.execute("SELECT min(opened_at), max(opened_at) FROM incidents").fetchone()
        (unique,) = db.execute("SELECT count(DISTINCT delivery_key) FROM alerts").fetchone()
        counted = db.execute("SELECT sum(alert_count) = (SELECT count(*) FROM alerts) FROM incidents").fetchone()[0]
    assert open_ == TINY.open_incidents and resolved == TINY.incidents - TINY.open_incidents
    assert first < (NOW - timedelta(days=300)).strftime("%Y-%m-%d") < last
    assert unique == TINY.alerts and counted == 1


def test_raw_payloads_are_as_a_90_day_retention_leaves_them(year: tuple[Path, YearSummary]) -> None:
    path, summary = year
    aged = (NOW - timedelta(days=91)).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(path) as db:
        old = db.execute(
            "SELECT count(*), sum(raw_pruned_at IS NULL), sum(json_extract(alert, '$.raw') IS NOT NULL) "
            "FROM alerts WHERE received_at < ?",
            (aged,),
        ).fetchone()
        new = db.execute(
            "SELECT count(*), sum(raw_pruned_at IS NULL), min(length(json_extract(alert, '$.raw'))) "
            "FROM alerts WHERE received_at >= ?",
            (aged,),
        ).fetchone()
    assert old[0] > 0 and old[1] == 0 and old[2] == 0
    assert new[0] > 0 and new[1] == new[0] and new[2] > 300


def test_the_list_pages_through_every_incident_by_cursor(served: TestClient) -> None:
    seen, url = [], "/api/incidents?limit=17"
    while url:
        response = served.get(url, headers=AUTH)
        assert response.status_code == 200
        seen += [i["id"] for i in response.json()]
        link = response.headers.get("link")
        url = link.split(">", 1)[0].lstrip("<") if link else ""
    assert seen == list(range(TINY.incidents, 0, -1))


def test_every_page_renders(served: TestClient, year: tuple[Path, YearSummary]) -> None:
    path, summary = year
    with sqlite3.connect(path) as db:
        picked = [row[0] for row in db.execute("SELECT min(id) FROM incidents GROUP BY severity, status")]
        (reviewed,) = db.execute("SELECT max(incident_id) FROM postmortem_versions WHERE version = 2").fetchone()
    assert served.post("/login", data={"token": API_TOKEN, "next": "/incidents"}, follow_redirects=False).is_redirect
    pages: list[tuple[str, dict[str, Any] | None]] = [
        ("/incidents", None),
        (f"/incidents?before={summary.deep_cursor}", None),
        ("/status", None),
        ("/status.json", None),
        ("/digest", None),
        ("/api/digest", AUTH),
        ("/api/digest/trend", AUTH),
        ("/api/action-items", AUTH),
        ("/action-items", None),
        ("/approvals", None),
    ]
    for incident_id in picked:
        pages += [
            (f"/incidents/{incident_id}", None),
            (f"/api/incidents/{incident_id}", AUTH),
            (f"/api/incidents/{incident_id}/findings", AUTH),
            (f"/api/incidents/{incident_id}/war-room", AUTH),
        ]
    pages += [
        (f"/incidents/{reviewed}/postmortem/edit", None),
        (f"/api/incidents/{reviewed}/postmortem/versions", AUTH),
    ]
    for url, headers in pages:
        response = served.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text[:500])
    postmortem = served.get(f"/api/incidents/{reviewed}/postmortem", headers=AUTH)
    assert postmortem.status_code == 200 and "Root cause" in postmortem.json()["markdown"]


def test_the_baseline_is_the_years_last_days(year: tuple[Path, YearSummary], tmp_path: Path) -> None:
    path, summary = year
    week = tmp_path / "week.db"
    baseline = generate(week, TINY, NOW, keep_days=7)
    assert baseline.newest_storm == summary.newest_storm
    query = "SELECT * FROM incidents WHERE opened_at >= ? ORDER BY id"
    alerts = "SELECT a.* FROM alerts a JOIN incidents i ON i.id = a.incident_id WHERE i.opened_at >= ? ORDER BY a.id"
    since = (NOW - timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(path) as a, sqlite3.connect(week) as b:
        assert a.execute(query, (since,)).fetchall() == b.execute("SELECT * FROM incidents ORDER BY id").fetchall()
        assert a.execute(alerts, (since,)).fetchall() == b.execute("SELECT * FROM alerts ORDER BY id").fetchall()


def test_the_digest_and_its_trend_say_what_reading_everything_would(tmp_path: Path) -> None:
    """The digest reads ranges, refs and a tally; the trend two queries. On a busier slice of a
    year, both say what the straightforward read (every incident of the 90 days with its whole
    timeline, every item, every postmortem version) and twelve full digests say."""
    from dataclasses import replace

    from agents.coo.digest import week_window, weekly_digest
    from agents.coo.trends import trend
    from flows.tickets import LOOKBACK, build_digest, build_trend, last_week
    from warroom.action_items import store as action_items
    from warroom.drafts import store as drafts
    from warroom.incidents import store as incidents
    from warroom.postmortems import store as postmortems

    config = replace(YearConfig().scaled(0.05), alerts=3_000)  # 1,000 incidents: ~20 a week
    path = tmp_path / "busy.db"
    generate(path, config, NOW)
    warroom = Warroom.build(
        Settings(database_url=f"sqlite:///{path}", data_dir=tmp_path / "data", api_token=API_TOKEN), FakeClock(NOW)
    )
    try:
        ctx = warroom.context
        last = last_week(NOW)
        start, _ = week_window(last)
        labels = [
            f"{y}-W{w:02d}" for y, w, _ in ((start - timedelta(weeks=b)).isocalendar() for b in range(11, -1, -1))
        ]
        full_digests = []
        with warroom.engine.connect() as conn:
            items = action_items.list_items(conn)
            for label in labels:
                since, until = week_window(label)
                everything = incidents.opened_between(conn, since - LOOKBACK, until)
                expected = weekly_digest(
                    everything,
                    items,
                    now=NOW,
                    since=since,
                    until=until,
                    label=label,
                    ack_sla_minutes=ctx.settings.ack_sla_minutes,
                    drafts=[
                        d
                        for i in everything
                        if i.opened_at >= since
                        for d in drafts.list_drafts(conn, incident_id=i.id)
                    ],
                    postmortems={i.id: postmortems.history(conn, i.id) for i in everything},
                )
                full_digests.append(expected)
                assert build_digest(ctx, week=label).model_dump() == expected.model_dump(), label
        assert sum(d.incidents for d in full_digests) > 150
        assert any(d.recurred for d in full_digests) and any(d.overdue for d in full_digests)
        assert any(d.postmortems_overdue for d in full_digests)
        assert build_trend(ctx, week=last) == trend(full_digests, items)
    finally:
        warroom.close()
