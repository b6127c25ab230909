"""A person lowers the level after the public page spoke: the page says so at once, in its own terms,
and promises only what will be kept. Before, a P1 lowered to P2 left "partial outage" up and a "next
update by 02:30" that never came (P2 runs no public update clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.graphs.steps import set_level

CHECKOUT_DOWN = {
    "title": "checkout 5xx ratio 0.6 over 5m",
    "service": "checkout",
    "level": "critical",
    "environment": "production",
    "dedup_key": "prometheus:checkout-5xx",
}
LOGIN_DEGRADED = {
    "title": "login failures 22% over 10m",
    "service": "auth",
    "level": "warning",
    "environment": "production",
    "dedup_key": "grafana:login-failures",
}


def _open(client, warroom, auth, alert: dict, level: str) -> int:
    incident_id = client.post("/api/alerts", json=alert, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["severity"] == level
    return incident_id


def _page(client) -> tuple[dict, dict[str, str]]:
    status = client.get("/status.json").json()
    [incident] = status["active_incidents"]
    return incident, {c["name"]: c["status"] for c in status["components"]}


def _room(client, auth, incident_id: int) -> list[str]:
    return [m["text"] for m in client.get(f"/api/incidents/{incident_id}/war-room", headers=auth).json()]


def test_lowered_to_p2_the_page_says_less_serious_and_promises_only_word_at_the_resolution(
    client, warroom, clock, auth
):
    incident_id = _open(client, warroom, auth, LOGIN_DEGRADED, "P1")
    page, components = _page(client)
    assert (page["impact"], components) == ("major", {"Login": "partial_outage"})
    assert "next update by 02:30 UTC" in page["updates"][0]["body"]

    set_level(client, warroom, auth, incident_id, "P2")
    page, components = _page(client)
    assert (page["impact"], components) == ("minor", {"Login": "degraded_performance"})
    newest = page["updates"][0]["body"]
    assert newest.startswith("Update: this is less serious than previously reported. Login is failing intermittently")
    assert newest.endswith("will post here again when it is resolved.") and "next update" not in newest
    assert "dana set P2: the public status page now says it is less serious." in _room(client, auth, incident_id)

    clock.advance(timedelta(minutes=31))
    warroom.scheduler.run_pending()
    assert len(_page(client)[0]["updates"]) == 2, "no public update clock at P2, and the correction is said once"

    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=auth)
    warroom.scheduler.run_pending()
    status = client.get("/status.json").json()
    assert status["active_incidents"] == [] and status["components"][0]["status"] == "operational"
    assert status["recent_incidents"][0]["updates"][0]["body"].startswith("Resolved: Login is working normally")


def test_lowered_from_p0_to_p1_the_outage_becomes_partial_and_the_update_clock_goes_on(client, warroom, clock, auth):
    incident_id = _open(client, warroom, auth, CHECKOUT_DOWN, "P0")
    assert _page(client)[1] == {"Checkout": "major_outage"}

    set_level(client, warroom, auth, incident_id, "P1")
    page, components = _page(client)
    assert (page["impact"], components) == ("major", {"Checkout": "partial_outage"})
    assert page["updates"][0]["body"].startswith("Update: this is less serious than previously reported.")
    assert "next update by" in page["updates"][0]["body"]

    clock.advance(timedelta(minutes=31))
    warroom.scheduler.run_pending()
    page, components = _page(client)
    assert len(page["updates"]) >= 3 and components == {"Checkout": "partial_outage"}


def test_lowered_then_raised_again_each_correction_is_posted_once(client, warroom, auth):
    incident_id = _open(client, warroom, auth, LOGIN_DEGRADED, "P1")
    set_level(client, warroom, auth, incident_id, "P2")
    set_level(client, warroom, auth, incident_id, "P1")
    page, components = _page(client)
    assert (page["impact"], components) == ("major", {"Login": "partial_outage"})
    assert page["updates"][0]["body"].startswith("Update: this is more serious than previously reported.")
    assert "next update by" in page["updates"][0]["body"], "back at P1, the update clock is promised again"
    set_level(client, warroom, auth, incident_id, "P2")
    warroom.scheduler.run_pending()
    bodies = [u["body"] for u in _page(client)[0]["updates"]]
    assert len(bodies) == 4 and bodies[0].startswith("Update: this is less serious")
    assert sum("dana set" in t and "public status page" in t for t in _room(client, auth, incident_id)) == 3


def test_lowered_to_p3_the_page_says_customers_are_not_affected(client, warroom, auth):
    incident_id = _open(client, warroom, auth, LOGIN_DEGRADED, "P1")
    set_level(client, warroom, auth, incident_id, "P2")
    set_level(client, warroom, auth, incident_id, "P3")
    page, components = _page(client)
    assert (page["impact"], components) == ("none", {"Login": "operational"})
    assert "does not affect customers" in page["updates"][0]["body"]


def test_a_confirmed_level_adds_nothing_to_the_page(client, warroom, auth):
    incident_id = _open(client, warroom, auth, LOGIN_DEGRADED, "P1")
    set_level(client, warroom, auth, incident_id, "P1")
    assert len(_page(client)[0]["updates"]) == 1


@pytest.mark.parametrize(
    ("alert", "level", "lowered", "cadence"), [(LOGIN_DEGRADED, "P1", "P2", 30), (CHECKOUT_DOWN, "P0", "P1", 15)]
)
def test_raised_back_the_promised_next_update_comes(client, warroom, clock, auth, alert, level, lowered, cadence):
    incident_id = _open(client, warroom, auth, alert, level)
    set_level(client, warroom, auth, incident_id, lowered)
    clock.advance(timedelta(minutes=cadence + 1))  # the tick fires at the lower level: the next one on its cadence
    warroom.scheduler.run_pending()
    set_level(client, warroom, auth, incident_id, level)
    page, _ = _page(client)
    assert "next update by" in page["updates"][0]["body"]
    before = len(page["updates"])
    clock.advance(timedelta(minutes=cadence + 1))
    warroom.scheduler.run_pending()
    assert len(_page(client)[0]["updates"]) > before, f"the page promised the next update within {cadence} minutes"


def test_lowered_to_p3_the_all_clear_does_not_say_customers_were_affected(client, warroom, clock, auth):
    incident_id = _open(client, warroom, auth, LOGIN_DEGRADED, "P1")
    set_level(client, warroom, auth, incident_id, "P3")
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=auth)
    warroom.scheduler.run_pending()
    status = client.get("/status.json").json()
    body = status["recent_incidents"][0]["updates"][0]["body"]
    assert "It was affected" not in body and "did not affect customers" in body


def test_after_a_correction_an_update_can_still_be_posted_now(client, warroom, clock, auth):
    incident_id = _open(client, warroom, auth, CHECKOUT_DOWN, "P0")
    set_level(client, warroom, auth, incident_id, "P1")
    now = client.post(f"/api/incidents/{incident_id}/updates", json={"actor": "dana"}, headers=auth)
    assert now.status_code == 202, now.text
