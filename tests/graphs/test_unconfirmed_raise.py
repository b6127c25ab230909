"""A P0 that only the alert's resemblance to labelled P0s raised, over a level that tells no customer:
the on-call is paged and asked, and the public status page waits for a person's P0 or P1. Over a P1,
the page speaks at P1 (what the rules established) until a person, or the rules themselves, say P0."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agents.cto.resemblance import look
from agents.cto.resemblance.detector import Neighbour, Resemblance

EXPORT_SLOW = {
    "title": "Nightly export job slow",
    "message": "export took 48 minutes instead of 20",
    "service": "reports",
    "level": "warning",
    "environment": "production",
    "dedup_key": "grafana:export-slow",
}


@pytest.fixture(autouse=True)
def reads_like_p0(monkeypatch: pytest.MonkeyPatch) -> None:
    read = Resemblance(p0_probability=0.97, nearest=[Neighbour(case="some-p0", p0=True, similarity=0.8)])
    monkeypatch.setattr(look, "resemblance", lambda text: read)


def _raised(client, warroom, auth) -> int:
    incident_id = client.post("/api/alerts", json=EXPORT_SLOW, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    classification = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["classification"]
    assert (classification["severity"], classification["rule"]) == ("P0", "resembles_p0")
    assert classification["floor"] in ("P2", "P3") and classification["asks_confirmation"]
    return incident_id


def _page_posts(client, auth, incident_id: int) -> list[str]:
    timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
    return [e["text"] for e in timeline if e["kind"] == "status_page"]


def _room(client, auth, incident_id: int) -> list[str]:
    return [m["text"] for m in client.get(f"/api/incidents/{incident_id}/war-room", headers=auth).json()]


def _set(client, warroom, auth, incident_id: int, level: str) -> None:
    answer = client.post(
        f"/api/incidents/{incident_id}/severity", json={"severity": level, "actor": "dana", "asked": "P0"}, headers=auth
    )
    assert answer.status_code == 202, answer.text
    warroom.scheduler.run_pending()


def test_the_page_waits_for_a_person_and_opens_when_they_confirm(client, warroom, clock, auth):
    incident_id = _raised(client, warroom, auth)
    assert _page_posts(client, auth, incident_id) == []
    assert client.get("/status.json").json()["active_incidents"] == []
    room = _room(client, auth, incident_id)
    assert any(t.startswith("Not on the public status page yet: the rules alone rated this P") for t in room)
    assert any("not sure this is P0" in t for t in room), "the on-call is asked"

    clock.advance(timedelta(minutes=20))
    warroom.scheduler.run_pending()
    assert _page_posts(client, auth, incident_id) == [], "the 15-minute update stays off the page too"

    _set(client, warroom, auth, incident_id, "P0")
    assert len(_page_posts(client, auth, incident_id)) == 1
    assert "dana set P0: the public status page is opened." in _room(client, auth, incident_id)
    assert len(client.get("/status.json").json()["active_incidents"]) == 1

    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=auth)
    warroom.scheduler.run_pending()
    assert len(_page_posts(client, auth, incident_id)) == 2


def test_a_person_who_says_p1_opens_the_page_at_p1(client, warroom, auth):
    incident_id = _raised(client, warroom, auth)
    assert _page_posts(client, auth, incident_id) == []
    _set(client, warroom, auth, incident_id, "P1")
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert incident["severity"] == "P1"
    assert len(_page_posts(client, auth, incident_id)) == 1


def test_the_question_offers_the_rules_level_back_and_one_click_takes_it(client, warroom, auth):
    incident_id = _raised(client, warroom, auth)
    rules_level = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["classification"]["floor"]
    [question] = [t for t in _room(client, auth, incident_id) if "not sure this is P0" in t]
    assert f"or put it back to {rules_level}, what the rules alone said" in question
    other = "P3" if rules_level == "P2" else "P2"
    jump = client.post(
        f"/api/incidents/{incident_id}/severity",
        json={"severity": other, "actor": "dana", "asked": "P0"},
        headers=auth,
    )
    assert jump.status_code == 422, "only the rules' own level may be more than one step from the question"
    _set(client, warroom, auth, incident_id, rules_level)
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["severity"] == rules_level
    assert _page_posts(client, auth, incident_id) == []


def test_lowered_below_p1_it_closes_without_a_word_on_the_public_page(client, warroom, auth):
    incident_id = _raised(client, warroom, auth)
    answer = client.post(
        f"/api/incidents/{incident_id}/severity", json={"severity": "P2", "actor": "dana"}, headers=auth
    )
    assert answer.status_code == 202, answer.text
    warroom.scheduler.run_pending()
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=auth)
    warroom.scheduler.run_pending()
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["status"] == "resolved"
    assert _page_posts(client, auth, incident_id) == []
    assert client.get("/status.json").json()["active_incidents"] == []


def test_the_page_opens_when_the_rules_reach_p0_on_their_own(client, warroom, auth):
    slow = {**EXPORT_SLOW, "title": "checkout p95 latency 1.4s (SLO 1s)", "message": "", "service": "checkout"}
    slow["dedup_key"] = "grafana:checkout"
    incident_id = client.post("/api/alerts", json=slow, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    raised = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["classification"]
    assert (raised["rule"], raised["floor"]) == ("resembles_p0", "P2")
    assert _page_posts(client, auth, incident_id) == []

    failing = {**slow, "title": "checkout 5xx ratio 0.6 over 5m", "source": "prometheus"}
    assert client.post("/api/alerts", json=failing, headers=auth).json()["incident_id"] == incident_id
    warroom.scheduler.run_pending()
    now = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["classification"]
    assert (now["severity"], now["rule"]) == ("P0", "critical_path_failing")
    assert len(_page_posts(client, auth, incident_id)) == 1
    room = _room(client, auth, incident_id)
    assert "The rules now rate it P0 on their own: the public status page is opened." in room


SEARCH_ERRORS = {
    "title": "search unavailable in eu-west-1",
    "message": "search requests in one region time out",
    "service": "search",
    "level": "critical",
    "environment": "production",
    "dedup_key": "grafana:search-errors",
}


def _page(client) -> dict:
    [incident] = client.get("/status.json").json()["active_incidents"]
    return incident


def test_over_a_p1_the_page_speaks_at_the_rules_level_until_a_person_says_p0(client, warroom, clock, auth):
    incident_id = client.post("/api/alerts", json=SEARCH_ERRORS, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    classification = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["classification"]
    assert (classification["severity"], classification["rule"], classification["floor"]) == ("P0", "resembles_p0", "P1")
    page = _page(client)
    assert (page["impact"], page["component_status"]) == ("major", {"Search": "partial_outage"}), "the rules' P1"
    assert [u["body"] for u in page["updates"]][0].startswith("We are investigating an issue: Search is unavailable")

    clock.advance(timedelta(minutes=16))
    warroom.scheduler.run_pending()
    page = _page(client)
    assert len(page["updates"]) == 2 and page["impact"] == "major", "the 15-minute update says no more either"

    _set(client, warroom, auth, incident_id, "P0")
    page = _page(client)
    assert (page["impact"], page["component_status"]) == ("critical", {"Search": "major_outage"})
    assert page["updates"][0]["body"].startswith("Update: this is more serious than previously reported.")
    assert "dana set P0: the public status page now says so." in _room(client, auth, incident_id)
    warroom.scheduler.run_pending()
    assert len(_page(client)["updates"]) == 3, "said once"


def test_a_raise_only_resemblance_made_over_a_posted_p1_adds_nothing_to_the_page(client, warroom, auth, monkeypatch):
    monkeypatch.setattr(look, "resemblance", lambda text: Resemblance(p0_probability=0.1, nearest=[]))
    incident_id = client.post("/api/alerts", json=SEARCH_ERRORS, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["severity"] == "P1"
    assert len(_page(client)["updates"]) == 1

    read = Resemblance(p0_probability=0.97, nearest=[Neighbour(case="some-p0", p0=True, similarity=0.8)])
    monkeypatch.setattr(look, "resemblance", lambda text: read)
    again = {**SEARCH_ERRORS, "message": "search requests in one region still time out"}
    assert client.post("/api/alerts", json=again, headers=auth).json()["incident_id"] == incident_id
    warroom.scheduler.run_pending()
    classification = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["classification"]
    assert (classification["severity"], classification["rule"]) == ("P0", "resembles_p0")
    page = _page(client)
    assert len(page["updates"]) == 1 and page["impact"] == "major", "a guess is not news for customers"
    assert any("P0" in t for t in _room(client, auth, incident_id)), "the team hears of the raise"


def test_the_page_says_p0_at_once_when_the_rules_reach_it_on_their_own(client, warroom, auth):
    slow = {**SEARCH_ERRORS, "title": "checkout p99 latency 4.1s over SLO 1s for 10m", "message": ""}
    slow["service"] = "checkout"
    slow["dedup_key"] = "grafana:checkout"
    incident_id = client.post("/api/alerts", json=slow, headers=auth).json()["incident_id"]
    warroom.scheduler.run_pending()
    raised = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["classification"]
    assert (raised["rule"], raised["floor"]) == ("resembles_p0", "P1")
    assert _page(client)["impact"] == "major"

    failing = {**slow, "title": "checkout 5xx ratio 0.6 over 5m", "message": "", "source": "prometheus"}
    assert client.post("/api/alerts", json=failing, headers=auth).json()["incident_id"] == incident_id
    warroom.scheduler.run_pending()
    now = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["classification"]
    assert (now["severity"], now["rule"]) == ("P0", "critical_path_failing")
    page = _page(client)
    assert (page["impact"], len(page["updates"])) == ("critical", 2)
    assert "The rules now rate it P0 on their own: the public status page now says so." in _room(
        client, auth, incident_id
    )
