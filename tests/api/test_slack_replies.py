"""Refusals in Slack go to the person who asked, alone: an ephemeral reply through the outbox
(chat.postEphemeral on the fake checked against the Web API spec), once per click or message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.composition import Warroom
from tests.conftest import open_outage
from tests.fakes.slack_server import FakeChannel, FakeSlack, signed_headers
from tests.fakes.spec import spec_payload
from warroom.incidents import store as incidents
from warroom.settings import Settings

SECRET = "slack-signing-secret"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake
    assert fake.violations == []


@pytest.fixture
def slack_warroom(settings: Settings, clock, slack: FakeSlack) -> Iterator[tuple[Warroom, TestClient]]:
    configured = settings.model_copy(
        update={
            "slack_signing_secret": SecretStr(SECRET),
            "slack_bot_token": SecretStr(slack.token),
            "slack_api_url": slack.base_url,
        }
    )
    warroom = Warroom.build(configured, clock)
    with TestClient(create_app(warroom, run_worker=False)) as client:
        yield warroom, client
    warroom.close()


def _room(slack_warroom, slack: FakeSlack, clock) -> tuple[int, FakeChannel]:
    warroom, client = slack_warroom
    incident_id = open_outage(client, warroom, clock)
    with warroom.engine.connect() as conn:
        channel_id = incidents.get_external_ref(conn, incident_id, "slack:channel")
    channel = slack.channels[str(channel_id)]
    channel.members.add("U0ALICE")
    return incident_id, channel


def _event(client, clock, text: str, ts: str, channel: str) -> dict:
    payload = {
        "type": "event_callback",
        "event": {"type": "message", "channel": channel, "user": "U0ALICE", "text": text, "ts": ts},
    }
    body = json.dumps(payload).encode()
    headers = signed_headers(body, SECRET, clock.now().timestamp(), "application/json")
    return client.post("/slack/events", content=body, headers=headers).json()


def test_a_second_ack_in_the_channel_is_refused_to_that_person_alone(slack_warroom, slack, clock):
    warroom, client = slack_warroom
    incident_id, channel = _room(slack_warroom, slack, clock)
    assert _event(client, clock, "ack", "3.1", channel.id) == {"ok": True}
    refused = _event(client, clock, "ack", "3.2", channel.id)
    assert refused["refused"] == f"incident {incident_id} was already acknowledged by slack:U0ALICE"
    _event(client, clock, "ack", "3.2", channel.id)  # Slack retries the same message
    warroom.scheduler.run_pending()
    assert channel.ephemeral == [{"user": "U0ALICE", "text": refused["refused"]}]


def test_a_button_on_a_draft_already_decided_is_refused_to_the_clicker(slack_warroom, slack, clock, auth):
    warroom, client = slack_warroom
    incident_id, channel = _room(slack_warroom, slack, clock)
    drafts = client.get("/api/approvals", params={"incident_id": incident_id}, headers=auth).json()
    [draft] = [d for d in drafts if d["channel"] == "email"]
    payload = spec_payload("slack-block-actions.json")
    payload["actions"][0].update({"action_id": "approve_draft", "value": str(draft["id"])})
    payload["user"]["id"], payload["channel"]["id"] = "U0ALICE", channel.id
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = signed_headers(body, SECRET, clock.now().timestamp(), "application/x-www-form-urlencoded")

    first = client.post("/slack/interactions", content=body, headers=headers).json()
    second = client.post("/slack/interactions", content=body, headers=headers).json()
    warroom.scheduler.run_pending()

    assert first["results"][0]["state"] == "approved"
    assert second["results"][0]["refused"].startswith(f"draft {draft['id']} was already")
    assert channel.ephemeral == [{"user": "U0ALICE", "text": second["results"][0]["refused"]}]
