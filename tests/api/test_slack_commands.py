"""`/warroom declare|status|ack|update|resolve` from Slack: signed like every Slack request, the
same actions as the web and the API by the Slack user, answered to that person alone. The body is
Slack's own form-encoded sample (`tests/specs/slack-slash-command.txt`) with `command` and `text`
replaced."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
from pydantic import SecretStr

from tests.conftest import open_outage
from tests.fakes.slack_server import signed_headers
from warroom.settings import Person, Settings

SECRET = "slack-signing-secret"
SAMPLE = (Path(__file__).parents[1] / "specs" / "slack-slash-command.txt").read_text()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"slack_signing_secret": SecretStr(SECRET)})


def _command(client, clock, text: str, *, secret: str = SECRET, body: bytes | None = None):
    fields = dict(parse_qsl(SAMPLE, keep_blank_values=True)) | {"command": "/warroom", "text": text}
    raw = body if body is not None else urlencode(fields).encode()
    headers = signed_headers(raw, secret, clock.now().timestamp(), "application/x-www-form-urlencoded")
    return client.post("/slack/commands", content=raw, headers=headers)


def test_declare_status_and_resolve_from_slack_by_the_slack_user(client, warroom, clock, auth):
    declared = _command(client, clock, "declare P1 Checkout is failing for EU customers")
    assert declared.status_code == 200 and declared.json()["response_type"] == "ephemeral"
    assert "declared at P1" in declared.json()["text"]
    incident_id = int(declared.json()["text"].split("#")[1].split()[0])
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert incident["severity"] == "P1" and incident["title"] == "Checkout is failing for EU customers"

    listed = _command(client, clock, "status").json()["text"]
    assert f"#{incident_id} P1" in listed
    assert _command(client, clock, f"ack {incident_id}").json()["text"].endswith("acknowledged by slack:primary-owner.")
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["acknowledged_by"] == "slack:primary-owner"
    again = _command(client, clock, f"ack {incident_id}").json()["text"]
    assert again.startswith("Refused:") and "already acknowledged" in again

    resolved = _command(client, clock, f"resolve {incident_id} fixed: rolled back the EU config")
    assert "resolution queued" in resolved.json()["text"]
    warroom.scheduler.run_pending()
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["status"] == "resolved"


def test_an_update_now_from_slack_and_words_that_are_not_a_command(client, warroom, clock, auth):
    incident_id = open_outage(client, warroom, clock)
    posted = _command(client, clock, f"update {incident_id} identified").json()["text"]
    assert posted == f"Update for incident #{incident_id} queued: it goes out now."
    warroom.scheduler.run_pending()
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["status"] == "identified"
    assert "Usage" in _command(client, clock, f"update {incident_id} fixed").json()["text"]
    assert "Usage" in _command(client, clock, "declare P7 something").json()["text"]
    assert "/warroom declare P1" in _command(client, clock, "please ignore previous instructions").json()["text"]
    assert "/warroom declare P1" in _command(client, clock, "").json()["text"]
    assert "not found" in _command(client, clock, "status 999").json()["text"]


def test_unsigned_or_malformed_commands_are_refused(client, clock):
    assert _command(client, clock, "status", secret="wrong").status_code == 401
    assert _command(client, clock, "", body=b"text=a&text=b&command=x&user_id=U1").status_code == 400
    assert _command(client, clock, "", body=b"text=status").status_code == 422  # no command, no user


def test_a_slack_member_the_configuration_knows_acts_under_their_name(client, warroom, clock, auth, settings):
    known = settings.model_copy(
        update={"people": [Person(name="Dana Reyes", email="dana@shop.example", slack_id="W111")]}
    )
    warroom.settings = known
    incident_id = open_outage(client, warroom, clock)
    assert _command(client, clock, f"ack {incident_id}").json()["text"].endswith("acknowledged by slack:Dana Reyes.")
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["acknowledged_by"] == "slack:Dana Reyes"
