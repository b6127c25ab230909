"""The recurrence guard: an outage that comes back while the last one's action items are still open
says so once, naming the open tickets, on the timeline, in the war room, among the evidence and on
the incident page; once every item is done it says nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from api.scenarios import checkout_outage
from tests.conftest import API_TOKEN, SENTRY_SECRET, open_outage
from tests.flows.test_history import _send

ACTION = "action: add a circuit breaker in front of the payment provider"


def _resolved_outage_with_items(client, warroom, clock, auth) -> tuple[int, list[dict]]:
    """A P0 checkout outage, a note asking for an action, resolved: the postmortem files its items."""
    incident_id = open_outage(client, warroom, clock)
    client.post(f"/api/incidents/{incident_id}/notes", json={"author": "dana", "text": ACTION}, headers=auth)
    clock.advance(timedelta(minutes=20))
    assert client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=auth).status_code == 202
    warroom.scheduler.run_pending()
    items = client.get("/api/action-items", params={"incident_id": incident_id}, headers=auth).json()
    assert items and any("circuit breaker" in i["title"] for i in items)
    return incident_id, items


def _again(client, warroom, clock, auth) -> dict:
    """Three days later the same Sentry issue fails again (new events, so new deliveries)."""
    clock.advance(timedelta(days=3))
    start = clock.now() - timedelta(minutes=1)
    for delivery in checkout_outage(SENTRY_SECRET, events=40, minutes=1, start=start, seed=3):
        response = client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers)
    warroom.scheduler.run_pending()
    return client.get(f"/api/incidents/{response.json()['incident_id']}", headers=auth).json()


def _said(client, incident: dict, auth) -> tuple[list[str], list[str]]:
    room = client.get(f"/api/incidents/{incident['id']}/war-room", headers=auth).json()
    return (
        [e["text"] for e in incident["timeline"] if e["kind"] == "recurrence"],
        [m["text"] for m in room if "looks like #" in m["text"]],
    )


def test_a_recurring_outage_names_the_open_action_items_once(client, warroom, clock, auth):
    past, items = _resolved_outage_with_items(client, warroom, clock, auth)
    assert all(i["status"] == "open" for i in items)
    incident = _again(client, warroom, clock, auth)
    assert incident["id"] != past and incident["severity"] == "P0"

    [line], [message] = _said(client, incident, auth)
    assert line == message
    assert line.startswith(f"This looks like #{past} (Checkout was failing, ")
    for item in items:
        assert f"AI-{item['id']} '{item['title']}'" in line
    [evidence] = [e for e in incident["classification"]["evidence"] if e["signal"] == "recurrence"]
    assert f"#{past} ({len(items)} open" in evidence["detail"] and evidence["points_to"] is None
    assert incident["classification"]["evidence"][-1]["signal"] == "decision"  # the conclusion stays last

    # a later triage on new evidence keeps the evidence line and says nothing twice
    assert client.post(f"/api/incidents/{incident['id']}/severity", json={"severity": "P1"}, headers=auth).is_success
    warroom.scheduler.run_pending()
    clock.advance(timedelta(minutes=16))
    warroom.scheduler.run_pending()
    again = client.get(f"/api/incidents/{incident['id']}", headers=auth).json()
    assert tuple(map(len, _said(client, again, auth))) == (1, 1)

    assert client.post("/login", data={"token": API_TOKEN, "next": "/incidents"}, follow_redirects=False).is_redirect
    page = client.get(f"/incidents/{incident['id']}").text
    notice = re.search(r'<div class="recurrence" id="recurrence".*?</div>', page, re.S)
    assert notice is not None and f'href="/incidents/{past}"' in notice.group(0)
    assert all(f"AI-{item['id']}" in notice.group(0) for item in items)

    # the last week's digest counts it: 1 of its 2 incidents recurred, 50% against a goal of < 15%
    digest = client.get("/api/action-items/digest", params={"days": 7}, headers=auth).json()
    assert digest["recurred"] == [{"incident_id": incident["id"], "recurs": past}]
    assert digest["recurrence_rate"] == 0.5
    assert "goal < 15%: MISSED" in digest["text"]
    web = client.get("/digest").text
    assert "Recurred within 90 days <strong>" in web and "&lt; 15%" in web


def test_nothing_is_said_when_every_action_item_is_done(client, warroom, clock, auth):
    past, items = _resolved_outage_with_items(client, warroom, clock, auth)
    for item in items:
        assert client.post(f"/api/action-items/{item['id']}/complete", headers=auth).status_code == 200
    incident = _again(client, warroom, clock, auth)
    assert incident["id"] != past
    assert _said(client, incident, auth) == ([], [])
    assert all(e["signal"] != "recurrence" for e in incident["classification"]["evidence"])
    assert client.post("/login", data={"token": API_TOKEN, "next": "/incidents"}, follow_redirects=False).is_redirect
    assert 'id="recurrence"' not in client.get(f"/incidents/{incident['id']}").text
    # the digest's rate does not care whether the items got done: the same cause came back
    digest = client.get("/api/action-items/digest", params={"days": 7}, headers=auth).json()
    assert digest["recurred"] == [{"incident_id": incident["id"], "recurs": past}]


def test_a_recurring_incident_below_p1_is_told_in_its_room_at_once(client, warroom, clock, auth):
    """No war room opens below P1, so the guard's message goes to the built-in room at triage."""
    past = _send(client, clock, "firing")["incident_id"]
    warroom.scheduler.run_pending()
    client.post(f"/api/incidents/{past}/notes", json={"author": "dana", "text": ACTION}, headers=auth)
    assert client.post(f"/api/incidents/{past}/resolve", json={"actor": "dana"}, headers=auth).status_code == 202
    warroom.scheduler.run_pending()
    assert client.get("/api/action-items", params={"incident_id": past}, headers=auth).json()
    clock.advance(timedelta(days=1))
    incident_id = _send(client, clock, "firing")["incident_id"]
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert incident_id != past and incident["severity"] in ("P2", "P3")
    [line], [message] = _said(client, incident, auth)
    assert line == message and line.startswith(f"This looks like #{past} (")
