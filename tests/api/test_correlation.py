"""Correlation across sources, resolve signals and incident counts, through the HTTP API.

An outage is one incident whichever tools noticed it, as long as they speak of the same thing
within `correlation_window_minutes`; a source's recovery is recorded on the incident and offered
to the human, never an automatic close.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import SENTRY_SECRET, WEBHOOK_TOKEN
from tests.fakes.spec import spec_payload
from tools.webhooks.base import hmac_sha256_hex
from warroom.incidents.tables import TimelineRow

PD_SECRET = "pd-secret"


@pytest.fixture
def send(client):
    """POST a delivery to `/webhooks/{source}` with the credentials that source really sends."""

    def post(source: str, payload: dict[str, Any], resource: str = "event_alert") -> dict[str, Any]:
        body = json.dumps(payload).encode()
        headers = {"content-type": "application/json"}
        if source == "sentry":
            headers |= {"sentry-hook-resource": resource, "sentry-hook-signature": hmac_sha256_hex(SENTRY_SECRET, body)}
        elif source == "pagerduty":
            headers["x-pagerduty-signature"] = f"v1={hmac_sha256_hex(PD_SECRET, body)}"
        else:
            headers["authorization"] = f"Bearer {WEBHOOK_TOKEN}"
        response = client.post(f"/webhooks/{source}", content=body, headers=headers)
        assert response.status_code == 202, response.text
        return response.json()

    return post


@pytest.fixture
def incident(client, auth):
    def get(incident_id: int) -> dict[str, Any]:
        response = client.get(f"/api/incidents/{incident_id}", headers=auth)
        assert response.status_code == 200, response.text
        return response.json()

    return get


def alertmanager_group(*alerts: dict[str, Any], status: str = "firing") -> dict[str, Any]:
    group = spec_payload("alertmanager-firing.json")
    group["status"] = status
    group["alerts"] = list(alerts)
    return group


def alertmanager_alert(
    fingerprint: str, service: str, summary: str, *, starts: datetime, ends: datetime | None = None
) -> dict[str, Any]:
    return {
        "status": "resolved" if ends else "firing",
        "labels": {"alertname": "HighErrorRate", "service": service, "severity": "critical", "env": "production"},
        "annotations": {"summary": summary},
        "startsAt": starts.isoformat().replace("+00:00", "Z"),
        "endsAt": ends.isoformat().replace("+00:00", "Z") if ends else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus-0:9090/graph",
        "fingerprint": fingerprint,
    }


def sentry_event(
    at: datetime, *, event_id: str = "e" * 32, path: str = "/api/checkout", user: str | None = "u-1"
) -> dict[str, Any]:
    """Sentry's documented event alert, moved to `path` on the shop and to time `at`."""
    payload = spec_payload("sentry-issue-alert.json")
    event = payload["data"]["event"]
    event["event_id"] = event_id
    event["datetime"] = at.isoformat().replace("+00:00", "Z")
    event["request"]["url"] = f"https://shop.example.com{path}"
    event["tags"] = [pair for pair in event["tags"] if pair[0] != "url"] + [["url", f"https://shop.example.com{path}"]]
    event["user"] = {"id": user, "email": f"{user}@example.com"} if user else None
    return payload


def test_alertmanager_and_sentry_on_checkout_within_the_window_are_one_incident(send, incident, clock):
    alert = alertmanager_alert("c0ffee01", "checkout", "checkout 5xx error rate above 5%", starts=clock.now())
    opened = send("alertmanager", alertmanager_group(alert))
    clock.advance(timedelta(minutes=20))
    joined = send("sentry", sentry_event(clock.now()))
    assert joined["incident_id"] == opened["incident_id"]
    found = incident(opened["incident_id"])
    assert (found["alert_count"], found["service"]) == (2, "checkout")
    assert found["endpoints"] == [{"endpoint": "/api/checkout", "count": 1}]


def test_the_same_signals_further_apart_than_the_window_are_two_incidents(send, clock, settings):
    alert = alertmanager_alert("c0ffee01", "checkout", "checkout 5xx error rate above 5%", starts=clock.now())
    opened = send("alertmanager", alertmanager_group(alert))
    clock.advance(timedelta(minutes=settings.correlation_window_minutes, seconds=1))
    later = send("sentry", sentry_event(clock.now()))
    assert later["incident_id"] != opened["incident_id"]


def test_the_window_counts_from_the_last_signal_not_the_first(send, clock, settings):
    window = timedelta(minutes=settings.correlation_window_minutes)
    first = send("sentry", sentry_event(clock.now(), event_id="a" * 32))
    clock.advance(window * 0.8)
    send("sentry", sentry_event(clock.now(), event_id="b" * 32))
    clock.advance(window * 0.8)
    alert = alertmanager_alert("c0ffee01", "checkout", "checkout 5xx error rate above 5%", starts=clock.now())
    assert send("alertmanager", alertmanager_group(alert))["incident_id"] == first["incident_id"]


def test_alertmanager_group_for_two_services_opens_two_incidents(send, incident, clock):
    group = alertmanager_group(
        alertmanager_alert("aaaa0001", "checkout", "checkout 5xx error rate above 5%", starts=clock.now()),
        alertmanager_alert("bbbb0002", "search", "search 5xx error rate above 5%", starts=clock.now()),
    )
    answer = send("alertmanager", group)
    ids = [a["incident_id"] for a in answer["alerts"]]
    assert len(set(ids)) == 2
    assert [incident(i)["service"] for i in ids] == ["checkout", "search"]


def test_alerts_about_unrelated_services_at_the_same_moment_stay_apart(send, clock):
    checkout = send("sentry", sentry_event(clock.now(), path="/api/checkout"))
    alert = alertmanager_alert("cccc0003", "search", "search latency above SLO", starts=clock.now())
    search = send("alertmanager", alertmanager_group(alert))
    assert checkout["incident_id"] != search["incident_id"]


def _alertmanager_pair(now: datetime) -> tuple[tuple[str, dict[str, Any], str], tuple[str, dict[str, Any], str]]:
    firing = alertmanager_alert("c0ffee01", "checkout", "checkout 5xx error rate above 5%", starts=now)
    resolved = alertmanager_alert(
        "c0ffee01", "checkout", "checkout 5xx error rate above 5%", starts=now, ends=now + timedelta(minutes=9)
    )
    return (
        ("alertmanager", alertmanager_group(firing), "event_alert"),
        ("alertmanager", alertmanager_group(resolved, status="resolved"), "event_alert"),
    )


def _pagerduty_pair(now: datetime) -> tuple[tuple[str, dict[str, Any], str], tuple[str, dict[str, Any], str]]:
    return (
        ("pagerduty", spec_payload("pagerduty-incident-triggered.json"), "event_alert"),
        ("pagerduty", spec_payload("pagerduty-incident-resolved.json"), "event_alert"),
    )


def _sentry_issue_pair(now: datetime) -> tuple[tuple[str, dict[str, Any], str], tuple[str, dict[str, Any], str]]:
    created = spec_payload("sentry-issue-created.json")
    resolved = copy.deepcopy(created)
    resolved["action"] = "resolved"
    resolved["data"]["issue"]["status"] = "resolved"
    return ("sentry", created, "issue"), ("sentry", resolved, "issue")


@pytest.mark.parametrize(
    "pair",
    [_alertmanager_pair, _pagerduty_pair, _sentry_issue_pair],
    ids=["alertmanager-resolved", "pagerduty-incident.resolved", "sentry-issue-resolved"],
)
def test_source_recovery_is_recorded_and_closes_only_a_p2_or_p3(send, incident, clock, warroom, pair):
    (source, firing, resource), (_, resolved, _) = pair(clock.now())
    opened = send(source, firing, resource)
    warroom.scheduler.run_pending()
    before = incident(opened["incident_id"])
    clock.advance(timedelta(minutes=9))
    recovered = send(source, resolved, resource)
    warroom.scheduler.run_pending()
    after = incident(opened["incident_id"])
    assert recovered["incident_id"] == opened["incident_id"]
    assert before["source_recovered_at"] is None
    assert datetime.fromisoformat(after["source_recovered_at"]) == clock.now()
    assert after["severity"] == before["severity"]
    if before["severity"] in ("P0", "P1"):
        assert after["status"] == "investigating" and after["resolved_at"] is None
    else:
        assert after["status"] == "resolved"
        assert any(e["text"].startswith("Auto-resolved") for e in after["timeline"])
    notes = [e["text"] for e in after["timeline"] if e["kind"] == "source_recovered"]
    assert len(notes) == 1 and notes[0].startswith(f"{source} reports recovery")


def test_a_repeated_resolve_notification_adds_one_timeline_entry(send, incident, clock):
    (_, firing, _), (_, resolved, _) = _alertmanager_pair(clock.now())
    opened = send("alertmanager", firing)
    send("alertmanager", resolved)
    again = send("alertmanager", resolved)
    assert again["deduplicated"] is True
    timeline = incident(opened["incident_id"])["timeline"]
    assert [e["kind"] for e in timeline].count("source_recovered") == 1


def test_a_resolve_with_no_open_incident_opens_nothing(send, client, auth, clock):
    (_, _, _), (_, resolved, _) = _alertmanager_pair(clock.now())
    answer = send("alertmanager", resolved)
    assert answer["incident_id"] is None
    assert client.get("/api/incidents", headers=auth).json() == []


def test_a_firing_after_recovery_joins_the_incident_and_withdraws_the_recovery(send, incident, clock):
    (_, firing, _), (_, resolved, _) = _alertmanager_pair(clock.now())
    opened = send("alertmanager", firing)
    send("alertmanager", resolved)
    clock.advance(timedelta(minutes=3))
    refired = alertmanager_alert("c0ffee01", "checkout", "checkout 5xx error rate above 5%", starts=clock.now())
    assert send("alertmanager", alertmanager_group(refired))["incident_id"] == opened["incident_id"]
    found = incident(opened["incident_id"])
    assert found["alert_count"] == 2
    assert found["source_recovered_at"] is None


def test_storm_counts_events_first_and_last_seen_distinct_users_and_endpoints(send, incident, clock):
    start = clock.now() - timedelta(minutes=5)
    events = [
        (0, "/api/checkout", "u-1"),
        (1, "/api/checkout", "u-2"),
        (2, "/api/checkout", "u-1"),
        (3, "/api/checkout/confirm", "u-3"),
        (4, "/api/checkout", None),
    ]
    answers = [
        send("sentry", sentry_event(start + timedelta(minutes=m), event_id=f"{i:032x}", path=path, user=user))
        for i, (m, path, user) in enumerate(events)
    ]
    assert len({a["incident_id"] for a in answers}) == 1
    found = incident(answers[0]["incident_id"])
    assert (found["event_count"], found["alert_count"], found["users_affected"]) == (5, 5, 3)
    assert datetime.fromisoformat(found["first_seen"]) == start
    assert datetime.fromisoformat(found["last_seen"]) == start + timedelta(minutes=4)
    assert found["endpoints"] == [
        {"endpoint": "/api/checkout", "count": 4},
        {"endpoint": "/api/checkout/confirm", "count": 1},
    ]


def test_a_late_event_moves_first_seen_back_and_leaves_last_seen(send, incident, clock):
    first = send("sentry", sentry_event(clock.now(), event_id="a" * 32))
    send("sentry", sentry_event(clock.now() - timedelta(minutes=10), event_id="b" * 32))
    found = incident(first["incident_id"])
    assert datetime.fromisoformat(found["first_seen"]) == clock.now() - timedelta(minutes=10)
    assert datetime.fromisoformat(found["last_seen"]) == clock.now()


def test_last_seen_from_a_sender_in_another_time_zone_is_kept_in_utc(client, auth, incident, clock):
    posts = [
        (clock.now() - timedelta(minutes=30)).isoformat(),
        (clock.now() - timedelta(minutes=10)).astimezone(timezone(timedelta(hours=2))).isoformat(),
    ]
    answers = [
        client.post(
            "/api/alerts", headers=auth, json={"title": "Checkout slow", "service": "checkout", "occurred_at": at}
        ).json()
        for at in posts
    ]
    found = incident(answers[0]["incident_id"])
    assert datetime.fromisoformat(found["last_seen"]) == clock.now() - timedelta(minutes=10)


def test_recovery_of_an_alert_with_the_longest_delivery_key_fits_the_timeline(client, auth, incident, warroom):
    alert = {"title": "Checkout slow", "service": "checkout", "source": "s" * 64}
    opened = client.post("/api/alerts", headers=auth, json={**alert, "delivery_key": "f" * 400}).json()
    client.post("/api/alerts", headers=auth, json={**alert, "delivery_key": "r" * 400, "status": "resolved"})
    with warroom.engine.connect() as conn:
        keys = conn.execute(select(TimelineRow.dedup_key).where(TimelineRow.kind == "source_recovered")).scalars().all()
    assert len(keys) == 1 and len(keys[0]) <= TimelineRow.__table__.c.dedup_key.type.length
    assert incident(opened["incident_id"])["source_recovered_at"] is not None


def test_one_fingerprint_recovering_while_another_fires_is_not_a_recovery(send, incident, clock):
    first = alertmanager_alert("f1f1f1f1", "checkout", "checkout 5xx error rate above 5%", starts=clock.now())
    second = alertmanager_alert("f2f2f2f2", "checkout", "checkout 5xx error rate above 5%", starts=clock.now())
    opened = send("alertmanager", alertmanager_group(first, second))
    clock.advance(timedelta(minutes=3))
    ended = alertmanager_alert(
        "f1f1f1f1", "checkout", "checkout 5xx error rate above 5%", starts=clock.now(), ends=clock.now()
    )
    send("alertmanager", alertmanager_group(ended, status="resolved"))
    assert incident(opened["incident_id"])["source_recovered_at"] is None
    ended_too = alertmanager_alert(
        "f2f2f2f2", "checkout", "checkout 5xx error rate above 5%", starts=clock.now(), ends=clock.now()
    )
    send("alertmanager", alertmanager_group(ended_too, status="resolved"))
    assert incident(opened["incident_id"])["source_recovered_at"] is not None


def test_a_recovery_of_an_unknown_alert_does_not_speak_for_a_neighbour(send, incident, clock):
    opened = send("sentry", sentry_event(clock.now(), path="/api/checkout"))
    unknown = alertmanager_alert("0dd0dd0d", "checkout", "checkout latency", starts=clock.now(), ends=clock.now())
    recovered = send("alertmanager", alertmanager_group(unknown, status="resolved"))
    assert recovered["incident_id"] is None
    assert incident(opened["incident_id"])["source_recovered_at"] is None


def test_users_a_source_reports_count_towards_the_incident(send, incident):
    issue = spec_payload("sentry-issue-created.json")
    issue["data"]["issue"]["userCount"] = 1300
    opened = send("sentry", issue, "issue")
    assert incident(opened["incident_id"])["users_affected"] == 1300
    later = copy.deepcopy(issue)
    later["data"]["issue"]["userCount"] = 1450
    later["data"]["issue"]["lastSeen"] = "2019-08-19T21:10:00.000000Z"
    send("sentry", later, "issue")
    assert incident(opened["incident_id"])["users_affected"] == 1450
