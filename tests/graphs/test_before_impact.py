"""Alerts that warn before any impact (a certificate expiring within hours) call the team at P1, but
customers are not told that something "is degraded" when nothing has failed: the public page waits
until the alerts show impact, or a person decides customers should hear it now."""

from __future__ import annotations

EXPIRING = {
    "title": "TLS certificate for checkout.example.com expires in 6 hours",
    "message": "",
    "service": "checkout",
    "level": "critical",
    "environment": "production",
    "dedup_key": "grafana:checkout-cert",
}


def _incident(client, auth, incident_id: int) -> dict:
    return client.get(f"/api/incidents/{incident_id}", headers=auth).json()


def _room(client, auth, incident_id: int) -> list[str]:
    return [m["text"] for m in client.get(f"/api/incidents/{incident_id}/war-room", headers=auth).json()]


def _expiring(client, warroom, auth) -> int:
    incident_id = client.post("/api/alerts", json=EXPIRING, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    classification = _incident(client, auth, incident_id)["classification"]
    assert (classification["severity"], classification["rule"]) == ("P1", "expiry_imminent")
    return incident_id


def test_the_team_is_called_and_the_page_waits_for_impact(client, warroom, auth):
    incident_id = _expiring(client, warroom, auth)
    assert client.get("/status.json").json()["active_incidents"] == []
    drafted = [e["text"] for e in _incident(client, auth, incident_id)["timeline"] if e["kind"] == "comms_drafted"]
    assert drafted == ["1 initial draft for users"]  # one draft, and nobody counted yet: no "(0 affected)"
    room = _room(client, auth, incident_id)
    assert any(t.startswith("Not on the public status page: nothing has failed yet") for t in room)
    [question] = [t for t in room if t.startswith("The rules were not sure this is P1")]
    assert question.endswith(
        "\nNothing has failed yet, so the public status page is quiet. Setting P0 or P1 tells customers on it now "
        "that it is at risk; P2 keeps it quiet until someone raises the level."
    )

    expired = {**EXPIRING, "title": "checkout TLS handshake failures: certificate expired", "source": "prometheus"}
    assert client.post("/api/alerts", json=expired, headers=auth).json()["incident_id"] == incident_id
    warroom.scheduler.run_pending()
    assert _incident(client, auth, incident_id)["severity"] == "P0"
    room = _room(client, auth, incident_id)
    settled = "The question above about P1 no longer applies: the rules rate it P0 now, on what came in since."
    assert room.count(settled) == 1  # the room no longer reads as asking about P1 under a P0
    assert room.index(settled) > room.index(question)
    [page] = client.get("/status.json").json()["active_incidents"]
    assert page["title"] == "Checkout is unavailable"
    assert page["updates"][0]["body"].startswith("We are investigating an issue: Checkout is unavailable")


def test_a_person_can_tell_customers_now_in_words_that_promise_nothing_false(client, warroom, auth):
    incident_id = _expiring(client, warroom, auth)
    answer = client.post(
        f"/api/incidents/{incident_id}/severity", json={"severity": "P1", "actor": "dana"}, headers=auth
    )
    assert answer.status_code == 202, answer.text
    warroom.scheduler.run_pending()
    [page] = client.get("/status.json").json()["active_incidents"]
    assert page["title"] == "Checkout is at risk of disruption"
    room = _room(client, auth, incident_id)
    assert "dana set P1: the public status page is opened." in room
    assert "The question above about P1 is answered: P1, confirmed by dana." in room
