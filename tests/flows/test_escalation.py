"""Acknowledgement SLAs, escalation, and the content of the periodic updates."""

from __future__ import annotations

import json
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest

from tests.conftest import open_outage
from warroom.settings import Person, Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "on_call": Person(name="alice", email="alice@example.com"),
            "escalation": [
                Person(name="bob", email="bob@example.com"),
                Person(name="carol", email="carol@example.com"),
            ],
        }
    )


def _paged(settings: Settings) -> list[str]:
    folder = Path(settings.data_dir) / "outbox-email"
    messages = [message_from_bytes(p.read_bytes()) for p in folder.glob("*.eml")] if folder.exists() else []
    return sorted(m["To"] for m in messages if "needs you" in m["Subject"])


def test_unacknowledged_p0_pages_down_the_escalation_list(client, warroom, clock, auth, settings):
    incident_id = open_outage(client, warroom, clock)
    clock.advance(timedelta(seconds=59))
    warroom.scheduler.run_pending()
    assert _paged(settings) == ["alice@example.com"]
    clock.advance(timedelta(seconds=2))
    warroom.scheduler.run_pending()
    assert _paged(settings) == ["alice@example.com", "bob@example.com"]
    clock.advance(timedelta(minutes=1))
    warroom.scheduler.run_pending()
    assert _paged(settings) == ["alice@example.com", "bob@example.com", "carol@example.com"]
    room = client.get(f"/api/incidents/{incident_id}/war-room", headers=auth).json()
    assert sum("Paging bob" in m["text"] for m in room) == 1


def test_acknowledgement_stops_the_escalation(client, warroom, clock, auth, settings):
    incident_id = open_outage(client, warroom, clock)
    response = client.post(f"/api/incidents/{incident_id}/acknowledge", json={"actor": "alice"}, headers=auth)
    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == "alice" and response.json()["commander"] == "alice"
    assert (
        client.post(f"/api/incidents/{incident_id}/acknowledge", json={"actor": "bob"}, headers=auth).status_code == 409
    )
    clock.advance(timedelta(minutes=10))
    warroom.scheduler.run_pending()
    assert _paged(settings) == ["alice@example.com"]  # paged at open, nobody after the acknowledgement


def test_p0_open_past_two_hours_notifies_the_named_people(client, warroom, clock, auth, settings):
    incident_id = open_outage(client, warroom, clock)
    client.post(f"/api/incidents/{incident_id}/acknowledge", json={"actor": "alice"}, headers=auth)
    clock.advance(timedelta(minutes=119))
    warroom.scheduler.run_pending()
    assert _paged(settings) == ["alice@example.com"]
    clock.advance(timedelta(minutes=2))
    warroom.scheduler.run_pending()
    assert _paged(settings) == ["alice@example.com", "bob@example.com", "carol@example.com"]
    timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
    assert any(e["kind"] == "escalation" and "unresolved after 120" in e["text"] for e in timeline)


def test_the_on_call_is_paged_by_email_the_moment_a_p0_opens_without_slack(client, warroom, clock, auth, settings):
    assert settings.slack_bot_token is None
    incident_id = open_outage(client, warroom, clock)
    warroom.scheduler.run_pending()
    folder = Path(settings.data_dir) / "outbox-email"
    [page] = [
        m for m in (message_from_bytes(p.read_bytes()) for p in folder.glob("*.eml")) if "needs you" in m["Subject"]
    ]
    assert page["To"] == "alice@example.com" and page["Subject"].startswith("[P0]")
    assert f"/incidents/{incident_id}" in page.get_payload()
    timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
    assert [e["text"] for e in timeline if e["kind"] == "escalation"][0].startswith("Paging alice")


@pytest.mark.parametrize(
    ("on_call", "escalation", "paged", "said"),
    [
        (
            Person(name="alice"),
            [Person(name="bob", email="bob@example.com")],
            ["bob@example.com"],
            "standing in for alice",
        ),
        (Person(name="alice"), [], [], "Nobody could be paged"),
    ],
    ids=["stand-in", "nobody"],
)
def test_an_on_call_without_email_is_stood_in_for_or_said_on_the_timeline(
    client, warroom, clock, auth, settings, on_call, escalation, paged, said
):
    warroom.settings.on_call = on_call
    warroom.settings.escalation = escalation
    incident_id = open_outage(client, warroom, clock)
    warroom.scheduler.run_pending()
    assert _paged(settings) == paged
    timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
    assert any(said in e["text"] for e in timeline if e["kind"] == "escalation")


def test_updates_say_what_was_tried_the_hypothesis_and_the_eta(client, warroom, clock, auth):
    incident_id = open_outage(client, warroom, clock)
    client.post(
        f"/api/incidents/{incident_id}/notes",
        headers=auth,
        json={
            "author": "alice",
            "text": ("tried: rolled back the 2026.11.2 deploy\nhypothesis: payment provider timeouts\neta: 30 min"),
        },
    )
    clock.advance(timedelta(minutes=15, seconds=1))
    warroom.scheduler.run_pending()
    [update] = [
        e["text"]
        for e in client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
        if e["kind"] == "update"
    ]
    assert "Tried so far: rolled back the 2026.11.2 deploy." in update
    assert "Current hypothesis: payment provider timeouts." in update
    assert "Expected fix by 02:30 UTC." in update  # "eta: 30 min" written at 02:00
    assert "Next update by 02:30 UTC." in update
    public = client.get("/status.json").json()["active_incidents"][0]["updates"][0]["body"]
    assert "2026.11.2" not in public and "hypothesis" not in public, "notes are never quoted publicly"
    assert "Checkout is failing for some customers since 01:59 UTC" in public
    assert "We expect it to be fixed by 02:30 UTC. Next update by 02:30 UTC." in public


def test_a_note_naming_hosts_or_colleagues_never_reaches_the_public(client, warroom, clock, auth):
    incident_id = open_outage(client, warroom, clock)
    client.post(
        f"/api/incidents/{incident_id}/notes",
        headers=auth,
        json={
            "author": "alice",
            "text": ("cause: Sam forgot to update the config on payments-worker-2\nfixed: rolled back ip-10-0-3-17"),
        },
    )
    clock.advance(timedelta(minutes=15, seconds=1))
    warroom.scheduler.run_pending()
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "alice"}, headers=auth)
    warroom.scheduler.run_pending()
    public = json.dumps(client.get("/status.json").json())
    drafts = client.get(
        "/api/approvals",
        params={"incident_id": incident_id, "state": ["pending_approval", "sent", "blocked"]},
        headers=auth,
    ).json()
    public += json.dumps([d["body"] for d in drafts if d["channel"] != "slack_internal"])
    for leak in ("Sam", "payments-worker-2", "ip-10-0-3-17"):
        assert leak not in public
    assert "We have identified the cause" in public


def _p2_incident(client, warroom, auth) -> int:
    """A recommendations-widget error: P2, nothing public yet."""
    response = client.post(
        "/api/alerts",
        headers=auth,
        json={"title": "Recommendations widget errors", "service": "recommendations", "level": "error"},
    )
    warroom.scheduler.run_pending()
    return int(response.json()["incident_id"])


def test_severity_raise_from_p2_opens_the_status_page_path(client, warroom, clock, auth):
    incident_id = _p2_incident(client, warroom, auth)
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["severity"] == "P2"
    assert client.get("/status.json").json()["active_incidents"] == []
    assert (
        client.post(
            f"/api/incidents/{incident_id}/severity", json={"severity": "P1", "actor": "alice"}, headers=auth
        ).status_code
        == 202
    )
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert incident["severity"] == "P1" and incident["classification"]["decided_by"] == "human:alice"
    assert len(client.get("/status.json").json()["active_incidents"]) == 1


def test_a_note_is_echoed_in_the_war_room_once(client, warroom, clock, auth):
    incident_id = open_outage(client, warroom, clock)
    note = "tried: rolled back shop@2.34, errors continue"
    assert (
        client.post(
            f"/api/incidents/{incident_id}/notes", json={"author": "dana", "text": note}, headers=auth
        ).status_code
        < 300
    )
    warroom.scheduler.run_pending()
    room = client.get(f"/api/incidents/{incident_id}/war-room", headers=auth).json()
    assert [m["text"] for m in room if "Note from" in m["text"]] == [f"📝 Note from dana: {note}"]


def test_a_raise_announces_the_new_cadence_and_the_next_update_in_the_war_room(client, warroom, clock, auth):
    incident_id = _p2_incident(client, warroom, auth)
    for level in ("P1", "P0"):
        client.post(f"/api/incidents/{incident_id}/severity", json={"severity": level, "actor": "alice"}, headers=auth)
        warroom.scheduler.run_pending()
    room = [m["text"] for m in client.get(f"/api/incidents/{incident_id}/war-room", headers=auth).json()]
    [raised] = [t for t in room if t.startswith("Severity raised to P0")]
    due = clock.now() + timedelta(minutes=15)
    assert raised.endswith(f"Updates now every 15 minutes; the next by {due:%H:%M} UTC.")


def test_a_page_names_a_credential_the_alert_quoted_by_its_kind(client, warroom, clock, auth, settings):
    key = "AKIA" + "IOSFODNN7EXAMPLE"
    alert = {
        "title": f"IAM key {key} used from an unknown address: customer data exported",
        "service": "storage",
        "level": "critical",
        "environment": "production",
        "dedup_key": "esc:key",
    }
    incident_id = client.post("/api/alerts", json=alert, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()

    folder = Path(settings.data_dir) / "outbox-email"
    [page] = [
        m for m in (message_from_bytes(p.read_bytes()) for p in folder.glob("*.eml")) if "needs you" in m["Subject"]
    ]
    body = page.get_payload(decode=True).decode()
    assert key not in body and key not in page["Subject"]
    assert "IAM key [redacted AWS Access Key] used from an unknown address" in body
    room = client.get(f"/api/incidents/{incident_id}/war-room", headers=auth).json()
    assert not [m for m in room if m["text"].startswith("Paging") and key in m["text"]]
