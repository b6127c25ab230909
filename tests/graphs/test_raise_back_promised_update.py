"""Found in review (of the raise-back re-draft): the first message re-drafted on a P0 raise back promises "Next update by
HH:MM", but the update round it promises reuses a label ('update-n') whose drafts the lowering
withdrew, so no update email is drafted and the war room is never reminded."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import open_outage

STATES = ["pending_approval", "blocked", "approved", "sent", "rejected", "withdrawn"]


def _set(client, warroom, auth, incident_id, level):
    r = client.post(f"/api/incidents/{incident_id}/severity", json={"severity": level, "actor": "dana"}, headers=auth)
    assert r.status_code == 202, r.text
    warroom.scheduler.run_pending()


def _emails(client, auth, incident_id):
    drafts = client.get("/api/approvals", params={"incident_id": incident_id, "state": STATES}, headers=auth).json()
    return [d for d in drafts if d["channel"] == "email"]


def test_the_update_promised_by_the_first_message_after_a_raise_back_is_drafted(client, warroom, clock, auth):
    incident_id = open_outage(client, warroom, clock)  # P0
    clock.advance(timedelta(minutes=11))  # update 1 is drafted ahead of its tick, nobody approves yet
    warroom.scheduler.run_pending()
    assert [d["kind"] for d in _emails(client, auth, incident_id) if d["state"] == "pending_approval"] == ["update"]

    _set(client, warroom, auth, incident_id, "P2")
    _set(client, warroom, auth, incident_id, "P0")
    [again] = [d for d in _emails(client, auth, incident_id) if d["state"] == "pending_approval"]
    assert again["kind"] == "initial"
    assert client.post(f"/api/approvals/{again['id']}/approve", headers=auth).status_code == 200
    warroom.scheduler.run_pending()
    sent = client.get(f"/api/approvals/{again['id']}", headers=auth).json()
    promised = datetime.fromisoformat(sent["facts_used"]["next_update_at"])
    assert sent["state"] == "sent" and f"Next update by {promised:%H:%M} UTC" in sent["body"]

    clock.advance(promised - clock.now() - timedelta(seconds=30))  # just before the promise falls due
    warroom.scheduler.run_pending()
    later = [d for d in _emails(client, auth, incident_id) if d["kind"] == "update" and d["id"] > again["id"]]
    room = [m["text"] for m in client.get(f"/api/incidents/{incident_id}/war-room", headers=auth).json()]
    reminded = [t for t in room if "Customers were promised" in t]
    assert later or reminded, (
        f"customers were emailed 'Next update by {promised:%H:%M} UTC': no update email drafted, nobody reminded"
    )
