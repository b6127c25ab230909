"""An uncertain P1 is put to the on-call in the war room, and one click answers it: the Slack
buttons (a signed `block_actions` click, posted through the fake Slack checked against the Web API
spec) and the REST door both go through the service layer's set-severity action, which refuses a
stale answer."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from tests.api.conftest import SLACK_SECRET
from tests.fakes.slack_server import FakeChannel, FakeSlack, signed_headers
from tests.fakes.spec import spec_payload
from warroom.incidents import store as incidents

CLICKER = "slack:primary-owner"
"""The actor the spec's sample click names (its `user.username`)."""
UNCERTAIN_P1 = {
    "title": "login failures 22% over 10m",
    "service": "auth",
    "level": "warning",
    "environment": "production",
    "dedup_key": "grafana:login-failures",
}

UNPLACED_P0 = {
    **UNCERTAIN_P1,
    "title": "probe_success == 0 for 4m on 6/6 canary apps from all probe sites",
    "service": "routing-mesh",
    "level": "page",
    "dedup_key": "grafana:canary-probes",
}
"""A total failure no word places in one feature: an uncertain P0."""


def _uncertain_p1(slack_warroom, slack: FakeSlack, auth) -> tuple[int, FakeChannel]:
    warroom, client = slack_warroom
    incident_id = client.post("/api/alerts", json=UNCERTAIN_P1, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    with warroom.engine.connect() as conn:
        channel_id = incidents.get_external_ref(conn, incident_id, "slack:channel")
    channel = slack.channels[str(channel_id)]
    channel.members.add("U0ALICE")
    return incident_id, channel


def _click(client, clock, channel: FakeChannel, action_id: str, value: str, ts: str) -> dict:
    payload = spec_payload("slack-block-actions.json")
    payload["actions"][0].update({"action_id": action_id, "value": value, "action_ts": ts})
    payload["user"]["id"], payload["channel"]["id"] = "U0ALICE", channel.id
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = signed_headers(body, SLACK_SECRET, clock.now().timestamp(), "application/x-www-form-urlencoded")
    return client.post("/slack/interactions", content=body, headers=headers).json()


def _buttons(warroom, slack: FakeSlack, incident_id: int) -> list[tuple[str, str]]:
    """(action id, value) of the buttons under the incident's severity question in its Slack channel."""
    with warroom.engine.connect() as conn:
        channel = slack.channels[str(incidents.get_external_ref(conn, incident_id, "slack:channel"))]
    [question] = [m for m in channel.messages.values() if m["blocks"] and "not sure" in (m["text"] or "")]
    blocks = json.loads(question["blocks"]) if isinstance(question["blocks"], str) else question["blocks"]
    return [(b["action_id"], b["value"]) for b in blocks[1]["elements"]]


def test_an_uncertain_p1_is_asked_in_the_war_room_with_confirm_raise_and_lower(slack_warroom, slack, auth):
    incident_id, channel = _uncertain_p1(slack_warroom, slack, auth)
    _, client = slack_warroom
    classification = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["classification"]
    assert (classification["severity"], classification["confidence"]) == ("P1", "uncertain")
    assert classification["asks_confirmation"] is True

    [question] = [m for m in channel.messages.values() if m["blocks"] and "not sure" in (m["text"] or "")]
    blocks = json.loads(question["blocks"]) if isinstance(question["blocks"], str) else question["blocks"]
    buttons = blocks[1]["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("confirm_severity", f"{incident_id}:P1:P1"),
        ("raise_severity", f"{incident_id}:P1:P0"),
        ("lower_severity", f"{incident_id}:P1:P2"),
    ]
    assert f"/incidents/{incident_id}" in question["text"]


def test_one_click_confirms_the_level_and_the_timeline_says_who(slack_warroom, slack, clock, auth):
    warroom, client = slack_warroom
    incident_id, channel = _uncertain_p1(slack_warroom, slack, auth)

    result = _click(client, clock, channel, "confirm_severity", f"{incident_id}:P1:P1", "1.1")
    warroom.scheduler.run_pending()

    assert result["results"] == [{"incident_id": incident_id, "severity": "P1"}]
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert incident["classification"]["decided_by"] == f"human:{CLICKER}"
    assert incident["classification"]["asks_confirmation"] is False
    assert incident["classification"]["rule"] == "critical_path_degraded"
    assert any(e["kind"] == "severity" and f"confirmed by {CLICKER}" in e["text"] for e in incident["timeline"])


def test_a_stale_click_after_a_raise_is_refused_to_the_clicker_alone(slack_warroom, slack, clock, auth):
    warroom, client = slack_warroom
    incident_id, channel = _uncertain_p1(slack_warroom, slack, auth)

    _click(client, clock, channel, "raise_severity", f"{incident_id}:P1:P0", "2.1")
    warroom.scheduler.run_pending()
    late = _click(client, clock, channel, "lower_severity", f"{incident_id}:P1:P2", "2.2")
    warroom.scheduler.run_pending()

    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["severity"] == "P0"
    refused = late["results"][0]["refused"]
    assert refused == f"incident {incident_id} is already P0, decided by {CLICKER}"
    assert channel.ephemeral == [{"user": "U0ALICE", "text": refused}]


def test_the_rest_door_answers_the_same_question_and_refuses_a_jump_of_two_levels(client, warroom, auth):
    incident_id = client.post("/api/alerts", json=UNCERTAIN_P1, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()

    jump = client.post(
        f"/api/incidents/{incident_id}/severity", json={"severity": "P3", "asked": "P1", "actor": "dana"}, headers=auth
    )
    stale = client.post(
        f"/api/incidents/{incident_id}/severity", json={"severity": "P1", "asked": "P2", "actor": "dana"}, headers=auth
    )
    lower = client.post(
        f"/api/incidents/{incident_id}/severity", json={"severity": "P2", "asked": "P1", "actor": "dana"}, headers=auth
    )
    warroom.scheduler.run_pending()

    assert jump.status_code == 422 and "one level" in jump.json()["detail"]
    assert stale.status_code == 409 and "is P1 now, not P2" in stale.json()["detail"]
    assert lower.status_code == 202
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["severity"] == "P2"


def test_a_p0_only_the_alerts_resemblance_raised_is_put_to_the_on_call_who_can_lower_it(slack_warroom, slack, auth):
    warroom, client = slack_warroom
    lockout = {
        **UNCERTAIN_P1,
        "title": "Customers locked out: SSO provider returns 500 on every callback",
        "service": "idp",
        "dedup_key": "grafana:sso-callback",
    }
    incident_id = client.post("/api/alerts", json=lockout, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    classification = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["classification"]
    assert (classification["severity"], classification["rule"]) == ("P0", "resembles_p0")
    assert (classification["floor"], classification["asks_confirmation"]) == ("P1", True)

    assert _buttons(warroom, slack, incident_id) == [
        ("confirm_severity", f"{incident_id}:P0:P0"),
        ("lower_severity", f"{incident_id}:P0:P1"),
    ]


def test_a_p0_the_rules_were_not_sure_of_is_put_to_the_on_call_who_can_lower_it(slack_warroom, slack, auth):
    """'A total failure no word places in one feature: the product, until the on-call says otherwise': the page goes
    out as a P0, and the war room carries the question that lets the on-call say otherwise."""
    warroom, client = slack_warroom
    incident_id = client.post("/api/alerts", json=UNPLACED_P0, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    classification = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["classification"]
    assert (classification["severity"], classification["rule"], classification["confidence"]) == (
        "P0",
        "total_failure_unplaced",
        "uncertain",
    )
    assert classification["asks_confirmation"] is True

    assert _buttons(warroom, slack, incident_id) == [
        ("confirm_severity", f"{incident_id}:P0:P0"),
        ("lower_severity", f"{incident_id}:P0:P1"),
    ]


def test_lowering_an_uncertain_p0_by_its_question_corrects_the_public_page(slack_warroom, slack, clock, auth):
    """Why an uncertain P0 could not be asked before: a one-click 'Lower to P1' left the page at major outage."""
    warroom, client = slack_warroom
    incident_id = client.post("/api/alerts", json=UNPLACED_P0, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    [component] = client.get("/status.json").json()["components"]
    assert component["status"] == "major_outage"
    with warroom.engine.connect() as conn:
        channel = slack.channels[str(incidents.get_external_ref(conn, incident_id, "slack:channel"))]
    channel.members.add("U0ALICE")

    _click(client, clock, channel, "lower_severity", f"{incident_id}:P0:P1", "3.1")
    warroom.scheduler.run_pending()

    status = client.get("/status.json").json()
    assert [c["status"] for c in status["components"]] == ["partial_outage"]
    [page] = status["active_incidents"]
    assert page["impact"] == "major"
    assert page["updates"][0]["body"].startswith("Update: this is less serious than previously reported.")
