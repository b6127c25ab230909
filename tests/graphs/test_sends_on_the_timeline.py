"""A send is one timeline line ("email draft #1 sent to 40 recipients"), never one per address:
the timeline the team reads and the postmortem built from it carry no customer addresses, and
the web page's live war-room poll answers."""

from __future__ import annotations

import re

from tests.conftest import API_TOKEN, open_outage


def test_one_timeline_entry_per_send_and_no_customer_address_in_timeline_or_postmortem(client, warroom, clock, auth):
    incident_id = open_outage(client, warroom, clock)
    [email] = [
        d
        for d in client.get("/api/approvals", params={"incident_id": incident_id}, headers=auth).json()
        if d["channel"] == "email"
    ]
    assert len(email["recipients"]) > 5
    assert client.post(f"/api/approvals/{email['id']}/approve", headers=auth).status_code == 200
    warroom.scheduler.run_pending()
    approved = client.get(f"/api/approvals/{email['id']}", headers=auth).json()
    assert approved["state"] == "sent"
    timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
    sends = [e for e in timeline if e["kind"] == "comms_sent" and e["data"]["channel"] == "email"]
    assert [e["text"] for e in sends] == [
        f"email draft #{email['id']} sent to {len(approved['recipients'])} recipients"
    ]

    assert client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=auth).status_code == 202
    warroom.scheduler.run_pending()
    postmortem = client.get(f"/api/incidents/{incident_id}/postmortem", headers=auth).json()
    text = str(postmortem)
    addresses = [r for r in approved["recipients"] if r in text]
    assert addresses == []
    assert "@customers.example.com" not in str(
        client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
    )


def test_the_war_room_poll_of_the_incident_page_answers(client, warroom, clock):
    incident_id = open_outage(client, warroom, clock)
    assert client.post("/login", data={"token": API_TOKEN, "next": "/incidents"}, follow_redirects=False).is_redirect
    page = client.get(f"/incidents/{incident_id}").text
    [poll] = re.findall(r'hx-get="(/incidents/\d+/war-room)"', page)
    first = client.get(poll)
    assert first.status_code == 200
    assert re.findall(r'hx-get="(/incidents/\d+/war-room)"', first.text) == [poll]  # polls again from the fragment
