"""False-positive learning: an alert that keeps recovering by itself within minutes, untouched,
is rated P3 with that history as evidence, and skips the customer path. P2/P3 incidents close
themselves when their source recovers; P0/P1 never do."""

from __future__ import annotations

import copy
from datetime import timedelta

from tests.conftest import WEBHOOK_TOKEN
from tests.fakes.spec import spec_payload


def _group(clock, status: str, service: str = "search") -> dict:
    group = spec_payload("alertmanager-firing.json")
    alert = copy.deepcopy(group["alerts"][0])
    alert["labels"].update(
        {"alertname": f"{service.capitalize()}Errors", "service": service, "job": service, "severity": "critical"}
    )
    alert["annotations"]["summary"] = f"{service} 5xx error rate above 5%"
    alert["fingerprint"] = f"{service}-0000000001"
    starts = clock.now() - timedelta(seconds=30)
    alert["startsAt"] = starts.isoformat().replace("+00:00", "Z")
    alert["status"] = status
    if status == "resolved":
        alert["endsAt"] = clock.now().isoformat().replace("+00:00", "Z")
    group.update(
        {
            "status": status,
            "alerts": [alert],
            "commonLabels": alert["labels"],
            "groupLabels": {"alertname": "SearchErrors"},
        }
    )
    return group


def _send(client, clock, status: str, service: str = "search") -> dict:
    response = client.post(
        "/webhooks/alertmanager",
        json=_group(clock, status, service),
        headers={"authorization": f"Bearer {WEBHOOK_TOKEN}"},
    )
    assert response.status_code == 202, response.text
    return response.json()


def _flap(client, warroom, clock, auth) -> int:
    incident_id = _send(client, clock, "firing")["incident_id"]
    warroom.scheduler.run_pending()
    clock.advance(timedelta(minutes=2))
    _send(client, clock, "resolved")
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    if incident["status"] != "resolved":
        assert (
            client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "alice"}, headers=auth).status_code
            == 202
        )
        warroom.scheduler.run_pending()
    clock.advance(timedelta(hours=6))
    return incident_id


def test_an_alert_that_keeps_self_resolving_becomes_p3_and_skips_comms(client, warroom, clock, auth):
    first = _flap(client, warroom, clock, auth)
    assert client.get(f"/api/incidents/{first}", headers=auth).json()["severity"] in ("P1", "P2")
    for _ in range(2):
        _flap(client, warroom, clock, auth)
    incident_id = _send(client, clock, "firing")["incident_id"]
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert incident["severity"] == "P3"
    assert incident["classification"]["skip_comms"] is True
    [evidence] = [e for e in incident["classification"]["evidence"] if e["signal"] == "self_resolving"]
    assert "under 5 min" in evidence["detail"]
    assert client.get("/api/approvals", params={"incident_id": incident_id}, headers=auth).json() == []


def test_an_alert_someone_worked_on_is_not_learned_as_noise(client, warroom, clock, auth):
    for _ in range(3):
        incident_id = _send(client, clock, "firing")["incident_id"]
        warroom.scheduler.run_pending()
        client.post(
            f"/api/incidents/{incident_id}/notes",
            json={"text": "tried: restarted search", "author": "bob"},
            headers=auth,
        )
        clock.advance(timedelta(minutes=2))
        _send(client, clock, "resolved")
        client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "bob"}, headers=auth)
        warroom.scheduler.run_pending()
        clock.advance(timedelta(hours=6))
    incident_id = _send(client, clock, "firing")["incident_id"]
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert incident["severity"] in ("P1", "P2")
    assert all(e["signal"] != "self_resolving" for e in incident["classification"]["evidence"])


DISK = {
    "labels": {"alertname": "DiskFillingUp", "service": "batch", "severity": "warning"},
    "annotations": {"summary": "disk on batch-1 is 85% full", "description": "capacity warning"},
    "fingerprint": "d15c000000000001",
}


def test_a_p3_closes_itself_when_its_source_recovers_but_a_p1_does_not(client, warroom, clock, auth):
    low = client.post(
        "/webhooks/alertmanager",
        headers={"authorization": f"Bearer {WEBHOOK_TOKEN}"},
        json={**_group(clock, "firing"), "alerts": [{**_group(clock, "firing")["alerts"][0], **DISK}]},
    ).json()["incident_id"]
    high = _send(client, clock, "firing", service="checkout")["incident_id"]
    warroom.scheduler.run_pending()
    clock.advance(timedelta(minutes=3))
    resolved = _group(clock, "resolved", service="checkout")
    resolved["alerts"].append({**resolved["alerts"][0], **DISK})
    client.post("/webhooks/alertmanager", json=resolved, headers={"authorization": f"Bearer {WEBHOOK_TOKEN}"})
    warroom.scheduler.run_pending()
    low_incident = client.get(f"/api/incidents/{low}", headers=auth).json()
    high_incident = client.get(f"/api/incidents/{high}", headers=auth).json()
    assert low_incident["severity"] == "P3" and low_incident["status"] == "resolved"
    assert any(e["text"].startswith("Auto-resolved") for e in low_incident["timeline"])
    assert high_incident["severity"] == "P1" and high_incident["status"] == "investigating"
    assert high_incident["source_recovered_at"] is not None


def test_similar_past_incidents_are_found_by_words_not_only_by_key(client, warroom, clock, auth):
    first = _send(client, clock, "firing")["incident_id"]
    warroom.scheduler.run_pending()
    client.post(
        f"/api/incidents/{first}/notes", json={"text": "tried: restarted search", "author": "bob"}, headers=auth
    )
    client.post(f"/api/incidents/{first}/resolve", json={"actor": "bob"}, headers=auth)
    warroom.scheduler.run_pending()
    clock.advance(timedelta(hours=6))
    other = client.post(
        "/api/alerts",
        headers=auth,
        json={
            "title": "search 5xx error rate above 5% on replica",
            "service": "search-replica",
            "level": "error",
            "dedup_key": "script:search-replica",
        },
    ).json()["incident_id"]
    warroom.scheduler.run_pending()
    evidence = client.get(f"/api/incidents/{other}", headers=auth).json()["classification"]["evidence"]
    [similar] = [e for e in evidence if e["signal"] == "similar_past"]
    assert f"#{first} " in similar["detail"]
