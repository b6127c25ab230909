"""Found in review (of the raise-back re-draft): at P0 the update drafted ahead replaces an unapproved first message, so the
customers' first word was update 1. After a lower/raise back they are sent 'a first message' again:
the already-told skip only counts drafts of kind 'initial'."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import open_outage

STATES = ["pending_approval", "blocked", "approved", "sent", "rejected", "withdrawn"]


def _set(client, warroom, auth, incident_id, level):
    r = client.post(f"/api/incidents/{incident_id}/severity", json={"severity": level, "actor": "dana"}, headers=auth)
    assert r.status_code == 202, r.text
    warroom.scheduler.run_pending()


def _emails(client, auth, incident_id):
    drafts = client.get("/api/approvals", params={"incident_id": incident_id, "state": STATES}, headers=auth).json()
    return [d for d in drafts if d["channel"] == "email"]


def test_customers_already_sent_an_update_are_not_sent_a_first_message_again(client, warroom, clock, auth):
    incident_id = open_outage(client, warroom, clock)  # P0
    clock.advance(timedelta(minutes=11))
    warroom.scheduler.run_pending()
    [update] = [d for d in _emails(client, auth, incident_id) if d["state"] == "pending_approval"]
    assert update["kind"] == "update"
    assert client.post(f"/api/approvals/{update['id']}/approve", headers=auth).status_code == 200
    warroom.scheduler.run_pending()
    assert client.get(f"/api/approvals/{update['id']}", headers=auth).json()["state"] == "sent"

    _set(client, warroom, auth, incident_id, "P2")
    _set(client, warroom, auth, incident_id, "P0")
    again = [d for d in _emails(client, auth, incident_id) if d["state"] == "pending_approval"]
    assert again == [], (
        f"{len(again[0]['recipients'])} customers who were emailed update 1 are asked to be sent "
        f"'{again[0]['subject']}' (an initial) again"
    )
