"""What needs a person: waiting drafts, the acknowledgement, the promised next update, nobody to page."""

from __future__ import annotations

from datetime import timedelta

from flows.needs_you import needs_you, open_needs
from warroom.incidents import store as incidents


def _needs(warroom, incident_id: int):
    with warroom.engine.connect() as conn:
        incident = incidents.get_incident(conn, incident_id, with_timeline=False)
        return needs_you(conn, incident, warroom.settings)


def test_a_new_p0_asks_for_its_drafts_its_acknowledgement_and_an_address_to_page(
    p0_incident, warroom, clock, client, auth
):
    needs = _needs(warroom, p0_incident)
    pending = client.get("/api/approvals", params={"incident_id": p0_incident}, headers=auth).json()
    assert [d.id for d in needs.waiting] == [d["id"] for d in pending] and needs.waiting
    assert needs.unacknowledged and needs.nobody_to_page
    assert needs.next_update_due is not None and clock.now() < needs.next_update_due <= clock.now() + timedelta(
        minutes=15
    )
    assert needs.count == len(pending) + 2


def test_acknowledged_decided_and_resolved_incidents_ask_less_then_nothing(p0_incident, warroom, client, auth):
    client.post(f"/api/incidents/{p0_incident}/acknowledge", json={"actor": "dana"}, headers=auth)
    for draft in client.get("/api/approvals", params={"incident_id": p0_incident}, headers=auth).json():
        client.post(f"/api/approvals/{draft['id']}/reject", json={"actor": "dana"}, headers=auth)
    needs = _needs(warroom, p0_incident)
    assert (needs.waiting, needs.unacknowledged) == ([], False)
    client.post(f"/api/incidents/{p0_incident}/resolve", json={"actor": "dana"}, headers=auth)
    warroom.scheduler.run_pending()
    assert _needs(warroom, p0_incident) is None
    with warroom.engine.connect() as conn:
        assert [n.incident_id for n in open_needs(conn, warroom.settings)] == []


def test_the_most_severe_incident_comes_first(p0_incident, warroom, client, auth):
    alert = {"title": "search slow", "service": "search", "level": "warning", "dedup_key": "t:search"}
    other = client.post("/api/alerts", json=alert, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    with warroom.engine.connect() as conn:
        order = [n.incident_id for n in open_needs(conn, warroom.settings)]
    assert order == [p0_incident, other]
