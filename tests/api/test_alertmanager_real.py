"""A real Alertmanager delivering to a real warroom server over loopback.

Alerts go in through Alertmanager's own API (as Prometheus sends them) and come out as the
webhooks Alertmanager really sends: its grouping, its `User-Agent`, its bearer credentials and
its resolve notification. The test fails, never skips, when Alertmanager is not installed:
`make test` installs it (tests/system-deps.sh).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

import api.server
from api.server import serve_in_thread
from tests.conftest import API_TOKEN, WEBHOOK_TOKEN
from tests.fakes.alertmanager import DeliveryRecorder, running_alertmanager, wait_for
from warroom.alerts.tables import AlertRow

AUTH = {"authorization": f"Bearer {API_TOKEN}"}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def recorder(monkeypatch) -> DeliveryRecorder:
    """Wraps the app `serve_in_thread` builds, so the test can see the requests' headers."""
    recorder = DeliveryRecorder(app=None)
    build = api.server.create_app

    def wrapped(warroom, run_worker: bool):
        recorder.app = build(warroom, run_worker=run_worker)
        return recorder

    monkeypatch.setattr(api.server, "create_app", wrapped)
    return recorder


@pytest.fixture
def stack(warroom, recorder, tmp_path):
    with (
        serve_in_thread(warroom, run_worker=False) as base_url,
        running_alertmanager(f"{base_url}/webhooks/alertmanager", WEBHOOK_TOKEN, tmp_path / "alertmanager") as am,
    ):
        yield base_url, am


def _incidents(base_url: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{base_url}/api/incidents", headers=AUTH, timeout=5)
    response.raise_for_status()
    return response.json()


def _incident(base_url: str, incident_id: int) -> dict[str, Any]:
    response = httpx.get(f"{base_url}/api/incidents/{incident_id}", headers=AUTH, timeout=5)
    response.raise_for_status()
    return response.json()


def test_alert_pushed_to_alertmanager_opens_an_incident_and_its_resolve_is_recorded(stack, recorder, warroom):
    base_url, am = stack
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    labels = {
        "alertname": "CheckoutHighErrorRate",
        "service": "checkout",
        "severity": "critical",
        "env": "production",
        "route": "/api/checkout",
    }
    alert = {
        "labels": labels,
        "startsAt": _iso(starts),
        "generatorURL": "http://prometheus.test/graph?g0.expr=up",
        "annotations": {
            "summary": "checkout 5xx error rate above 5%",
            "description": "5xx ratio for checkout is 7.3% over the last 5m",
        },
    }
    am.push([alert])

    [opened] = wait_for(lambda: _incidents(base_url), what="warroom to open an incident", details=am.log)
    incident = _incident(base_url, opened["id"])
    assert (incident["title"], incident["service"], incident["source"]) == (
        "checkout 5xx error rate above 5%",
        "checkout",
        "alertmanager",
    )
    assert incident["endpoints"] == [{"endpoint": "/api/checkout", "count": 1}]
    with warroom.engine.connect() as conn:
        [stored] = conn.execute(select(AlertRow.alert).where(AlertRow.incident_id == opened["id"])).scalars().all()
    assert stored["tags"] == labels
    assert stored["raw"]["group"]["receiver"] == "warroom"
    assert stored["raw"]["alert"]["startsAt"].startswith(_iso(starts)[:-1])
    deliveries = [headers for method, path, headers in recorder.requests if path == "/webhooks/alertmanager"]
    assert deliveries and all(h["user-agent"].startswith("Alertmanager/") for h in deliveries)
    assert deliveries[0]["authorization"] == f"Bearer {WEBHOOK_TOKEN}"

    am.push([{**alert, "endsAt": _iso(datetime.now(UTC) - timedelta(seconds=5))}])

    recovered = wait_for(
        lambda: (found := _incident(base_url, opened["id"]))["source_recovered_at"] and found,
        what="warroom to record Alertmanager's resolve",
        details=am.log,
    )
    assert recovered["status"] == "investigating"
    assert any(
        e["kind"] == "source_recovered" and e["text"].startswith("alertmanager reports recovery")
        for e in recovered["timeline"]
    )
    assert len(_incidents(base_url)) == 1


def test_one_alertmanager_group_for_two_services_opens_two_incidents(stack):
    base_url, am = stack
    starts = _iso(datetime.now(UTC) - timedelta(minutes=1))
    am.push(
        [
            {
                "labels": {"alertname": "HighErrorRate", "service": service, "severity": "critical"},
                "annotations": {"summary": f"{service} 5xx error rate above 5%"},
                "startsAt": starts,
            }
            for service in ("checkout", "search")
        ]
    )

    opened = wait_for(lambda: len(found := _incidents(base_url)) == 2 and found, what="two incidents", details=am.log)
    assert sorted(i["service"] for i in opened) == ["checkout", "search"]
