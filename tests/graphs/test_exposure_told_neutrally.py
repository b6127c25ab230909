"""A data exposure is a P0 and the page speaks at once, but it does not say the thing is failing or
down: it may well work while it shows one customer's data to another. The page says the thing is
affected, claims nothing of the component's availability, and what happened to the data is for a
person to say once it is known."""

from __future__ import annotations

from datetime import timedelta

EXPOSED = {
    "title": "Invoices page shows another customer's invoices",
    "message": "A customer reports seeing invoices of a different account after login; cache key collision suspected",
    "service": "billing",
    "level": "warning",
    "environment": "production",
    "dedup_key": "grafana:invoices-cross-account",
    "users_affected": 2,
}


def test_the_page_says_affected_not_failing(client, warroom, auth):
    incident_id = client.post("/api/alerts", json=EXPOSED, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert (incident["severity"], incident["classification"]["rule"]) == ("P0", "data_exposed")
    assert incident["classification"]["facts"]["state"] == "failing", "read from the error events alone"
    [page] = client.get("/status.json").json()["active_incidents"]
    assert page["title"] == "Billing is affected"
    body = page["updates"][0]["body"]
    assert body.startswith("We are investigating an issue: Billing is affected for some customers since")
    assert "failing" not in body and "unavailable" not in body
    assert page["component_status"] == {}, "no claim about whether billing is up"
    assert page["impact"] == "critical"


def test_an_outage_read_beside_the_exposure_is_still_said(client, warroom, auth):
    down = {**EXPOSED, "title": "billing API 5xx ratio 0.9 over 5m; invoices of other accounts exposed in error pages"}
    client.post("/api/alerts", json=down, headers=auth)
    warroom.scheduler.run_pending()
    [page] = client.get("/status.json").json()["active_incidents"]
    assert page["title"] == "Billing is failing"


def test_the_all_clear_and_the_postmortem_keep_the_same_word(client, warroom, clock, auth):
    incident_id = client.post("/api/alerts", json=EXPOSED, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    clock.advance(timedelta(minutes=40))
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=auth)
    warroom.scheduler.run_pending()
    [page] = client.get("/status.json").json()["recent_incidents"]
    assert page["updates"][0]["body"].startswith("Resolved: Billing is working normally again. It was affected from")
    markdown = client.get(f"/api/incidents/{incident_id}/postmortem", headers=auth).json()["markdown"]
    assert "Billing was affected for 40 minutes" in markdown
    assert "failed" not in markdown.splitlines()[0]
