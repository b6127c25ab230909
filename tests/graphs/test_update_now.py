"""'Post an update now': the next update runs at once from the stage the responder picks, the cadence
restarts from it, nothing goes out twice, and below P1 (no customer is told) it is refused."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import open_outage
from warroom import keys
from warroom.scheduler import store as jobs
from warroom.settings import Settings
from warroom.severity import Severity


def _ticks(warroom, incident_id: int) -> list[tuple[str, object]]:
    prefix = keys.ticks(incident_id)
    with warroom.engine.connect() as conn:
        return [(k, due) for k, due in jobs.pending_by_prefix(conn, prefix) if k[len(prefix) :].count(":") == 1]


def _updates(client) -> list[dict]:
    [page] = client.get("/status.json").json()["active_incidents"]
    return page["updates"]


def test_an_update_posted_now_goes_out_at_once_from_the_picked_stage_and_the_cadence_restarts(
    client, warroom, clock, auth, settings: Settings
):
    incident_id = open_outage(client, warroom, clock)
    before = _updates(client)
    [(_, due)] = _ticks(warroom, incident_id)
    clock.advance(timedelta(minutes=4))
    assert clock.now() < due

    response = client.post(
        f"/api/incidents/{incident_id}/updates", json={"stage": "identified", "actor": "dana"}, headers=auth
    )
    assert response.status_code == 202
    warroom.scheduler.run_pending()

    after = _updates(client)
    assert len(after) == len(before) + 1 and after[0]["status"] == "identified"
    [(_, next_due)] = _ticks(warroom, incident_id)
    assert next_due == clock.now() + timedelta(minutes=settings.cadence_for(Severity.P0))
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert incident["status"] == "identified"
    forward = [e["text"] for e in incident["timeline"] if e["kind"] == "update" and "brought forward" in e["text"]]
    assert forward and "dana" in forward[0]
    room = [m["text"] for m in client.get(f"/api/incidents/{incident_id}/war-room", headers=auth).json()]
    assert sum("identified" in t.lower() for t in room) >= 1

    warroom.scheduler.run_pending()
    assert len(_updates(client)) == len(after), "nothing twice"
    clock.advance(due - clock.now())  # the old due time passes: no second post for the same update
    warroom.scheduler.run_pending()
    assert len(_updates(client)) == len(after)


def test_an_update_now_is_refused_below_p1_and_after_resolution(client, warroom, clock, auth):
    declared = client.post("/api/incidents", json={"title": "Exports are slow", "severity": "P2"}, headers=auth)
    p2 = declared.json()["incident_id"]
    warroom.scheduler.run_pending()
    refused = client.post(f"/api/incidents/{p2}/updates", json={}, headers=auth)
    assert refused.status_code == 409 and "P2" in refused.json()["detail"]

    incident_id = open_outage(client, warroom, clock)
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=auth)
    warroom.scheduler.run_pending()
    assert client.post(f"/api/incidents/{incident_id}/updates", json={}, headers=auth).status_code == 409
    bad = client.post(f"/api/incidents/{incident_id}/updates", json={"stage": "resolved"}, headers=auth)
    assert bad.status_code == 422
