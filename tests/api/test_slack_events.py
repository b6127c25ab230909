"""Slack's Events API: the war-room channel's messages land on the incident, labelled ones as
notes; "ack" acknowledges and "resolve" resolves; unsigned or stale requests are refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pydantic import SecretStr

from api.scenarios import checkout_outage
from tests.conftest import SENTRY_SECRET
from tests.fakes.slack_server import signed_headers
from warroom.incidents import store as incidents
from warroom.settings import Settings

SECRET = "slack-signing-secret"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"slack_signing_secret": SecretStr(SECRET)})


def _post(client, clock, payload: dict, *, secret: str = SECRET, skew: float = 0):
    body = json.dumps(payload).encode()
    headers = signed_headers(body, secret, clock.now().timestamp() + skew, "application/json")
    return client.post("/slack/events", content=body, headers=headers)


def _message(text: str, ts: str, channel: str = "C0WARROOM") -> dict:
    return {
        "type": "event_callback",
        "event": {"type": "message", "channel": channel, "user": "U0ALICE", "text": text, "ts": ts},
    }


@pytest.fixture
def incident_id(client, warroom, clock) -> int:
    for delivery in checkout_outage(SENTRY_SECRET, events=20, minutes=1, start=clock.now() - timedelta(minutes=1)):
        incident_id = client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers).json()[
            "incident_id"
        ]
    warroom.scheduler.run_pending()
    with warroom.engine.begin() as conn:
        incidents.set_external_ref(conn, incident_id, "slack:channel", "C0WARROOM")
    return incident_id


def test_url_verification_is_answered(client, clock):
    assert _post(client, clock, {"type": "url_verification", "challenge": "abc"}).json() == {"challenge": "abc"}


def test_unsigned_or_stale_events_are_refused(client, clock, incident_id):
    assert _post(client, clock, _message("tried: x", "1.1"), secret="wrong").status_code == 401
    assert _post(client, clock, _message("tried: x", "1.2"), skew=-301).status_code == 401


def test_war_room_messages_reach_the_incident_and_labelled_ones_become_notes(client, clock, auth, incident_id):
    assert _post(client, clock, _message("looking at the deploy now", "1.1")).status_code == 200
    assert _post(client, clock, _message("tried: rolled back 2026.11.2", "1.2")).status_code == 200
    assert _post(client, clock, _message("tried: rolled back 2026.11.2", "1.2")).status_code == 200
    room = client.get(f"/api/incidents/{incident_id}/war-room", headers=auth).json()
    assert [m["text"] for m in room if m["author"] == "slack:U0ALICE"] == [
        "looking at the deploy now",
        "tried: rolled back 2026.11.2",
    ]
    notes = [
        e["text"]
        for e in client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
        if e["kind"] == "note"
    ]
    assert notes == ["tried: rolled back 2026.11.2"]
    assert _post(client, clock, _message("unrelated", "1.3", channel="C0OTHER")).json()["ignored"]


def test_ack_and_resolve_from_the_channel(client, warroom, clock, auth, incident_id):
    _post(client, clock, _message("ack", "2.1"))
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["acknowledged_by"] == "slack:U0ALICE"
    _post(client, clock, _message("resolve", "2.2"))
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert incident["status"] == "resolved"
    assert any(e["kind"] == "resolved" and "slack:U0ALICE" in e["text"] for e in incident["timeline"])
