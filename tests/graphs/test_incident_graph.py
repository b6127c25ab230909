"""The incident graph end to end through the API: triage, status page, updates, resolution,
and resumption from its checkpoint in a fresh process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta

from fastapi.testclient import TestClient

from api.app import create_app
from api.composition import Warroom
from api.scenarios import checkout_outage
from tests.conftest import SENTRY_SECRET


def _storm(client, clock, events: int = 847, minutes: float = 3.0) -> int:
    deliveries = checkout_outage(
        SENTRY_SECRET, events=events, minutes=minutes, start=clock.now() - timedelta(minutes=minutes)
    )
    first = client.post("/webhooks/sentry", content=deliveries[0].body, headers=deliveries[0].headers).json()
    for delivery in deliveries[1:]:
        assert client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers).status_code == 202
    return first["incident_id"]


def test_demo_scenario_is_p0_because_checkout_is_a_revenue_path(client, warroom, clock, auth):
    incident_id = _storm(client, clock)
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert incident["severity"] == "P0"
    signals = {e["signal"] for e in incident["classification"]["evidence"]}
    assert {"critical_path", "critical_path_failing"} <= signals
    assert incident["classification"]["floor"] == "P0"
    assert "checkout" in incident["classification"]["reason"]


def test_first_alert_is_triaged_and_posted_before_the_storm_ends(client, warroom, clock, auth):
    deliveries = checkout_outage(SENTRY_SECRET, events=1, start=clock.now())
    incident_id = client.post("/webhooks/sentry", content=deliveries[0].body, headers=deliveries[0].headers).json()[
        "incident_id"
    ]
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert incident["severity"] == "P1"
    kinds = [e["kind"] for e in incident["timeline"]]
    assert kinds[0] == "severity"
    assert {"status_page", "war_room", "comms_drafted"} <= set(kinds)


def test_status_page_shows_the_incident_with_a_specific_first_message(client, warroom, clock):
    _storm(client, clock, events=40, minutes=1)
    warroom.scheduler.run_pending()
    page = client.get("/status.json").json()
    assert page["indicator"] == "critical"
    [active] = page["active_incidents"]
    assert active["title"] == "Checkout is failing"
    first_update = active["updates"][-1]["body"]
    started = (clock.now() - timedelta(minutes=1)).strftime("%H:%M")
    assert "Checkout" in first_update and f"since {started} UTC" in first_update
    assert "next update by" in first_update
    assert "TypeError" not in str(page), "internal exception text must not reach the public page"
    assert {c["name"]: c["status"] for c in page["components"]} == {"Checkout": "major_outage"}
    html = client.get("/status")
    assert html.status_code == 200
    assert "Checkout is failing" in html.text and "Major system outage" in html.text


def test_updates_come_at_the_p0_cadence_and_stop_after_resolution(client, warroom, clock, auth):
    incident_id = _storm(client, clock, events=40, minutes=1)
    warroom.scheduler.run_pending()

    def updates() -> list[dict]:
        timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
        return [e for e in timeline if e["kind"] == "update"]

    clock.advance(timedelta(minutes=14))
    warroom.scheduler.run_pending()
    assert updates() == []
    clock.advance(timedelta(minutes=1, seconds=1))
    warroom.scheduler.run_pending()
    assert len(updates()) == 1
    clock.advance(timedelta(minutes=15))
    warroom.scheduler.run_pending()
    assert len(updates()) == 2

    assert (
        client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "founder"}, headers=auth).status_code == 202
    )
    warroom.scheduler.run_pending()
    clock.advance(timedelta(hours=2))
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert incident["status"] == "resolved"
    assert len(updates()) == 2
    page = client.get("/status.json").json()
    assert page["active_incidents"] == [] and page["recent_incidents"][0]["status"] == "resolved"
    assert page["components"][0]["status"] == "operational"


def test_graph_resumes_from_its_checkpoint_in_a_new_process(client, warroom, clock, settings, auth, tmp_path):
    incident_id = _storm(client, clock, events=20, minutes=1)
    warroom.scheduler.run_pending()
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "founder"}, headers=auth)
    warroom.close()

    script = textwrap.dedent(f"""
        from datetime import datetime
        from api.composition import Warroom
        from warroom.clock import FakeClock
        from warroom.settings import Settings
        from graphs.incident import thread_config
        settings = Settings(database_url={settings.database_url!r}, api_token="x")
        clock = FakeClock(datetime.fromisoformat({clock.now().isoformat()!r}))
        w = Warroom.build(settings, clock)
        state = w.runner.graph.get_state(thread_config({incident_id}))
        print("waiting at", state.next, "severity", state.values["severity"])
        w.scheduler.run_pending()
        print("after", w.runner.graph.get_state(thread_config({incident_id})).next)
        w.close()
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "waiting at ('monitor',) severity P0" in result.stdout
    assert "after ()" in result.stdout


def test_api_needs_the_bearer_token(client):
    assert client.get("/api/incidents").status_code == 401
    assert client.get("/api/incidents", headers={"authorization": "Bearer wrong"}).status_code == 401


def test_unknown_incident_is_a_404(client, auth):
    assert client.get("/api/incidents/999", headers=auth).status_code == 404


def test_healthz_and_metrics(client, auth):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert "warroom_alerts_received_total" in client.get("/metrics", headers=auth).text


def test_a_restart_between_ticks_keeps_the_cadence(client, warroom, clock, settings, auth):
    incident_id = _storm(client, clock, events=40, minutes=1)
    warroom.scheduler.run_pending()
    clock.advance(timedelta(minutes=10))
    warroom.close()

    restarted = Warroom.build(settings, clock)
    try:
        with TestClient(create_app(restarted, run_worker=False)) as fresh:
            clock.advance(timedelta(minutes=4, seconds=59))
            restarted.scheduler.run_pending()
            timeline = fresh.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
            assert [e for e in timeline if e["kind"] == "update"] == []
            clock.advance(timedelta(seconds=2))
            restarted.scheduler.run_pending()
            timeline = fresh.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
            [update] = [e for e in timeline if e["kind"] == "update"]
            assert update["at"].startswith((clock.now()).strftime("%Y-%m-%dT%H:%M"))
    finally:
        restarted.close()
