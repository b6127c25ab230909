"""Every alert source through the real HTTP API: PagerDuty, Alertmanager, Grafana, Datadog, `POST /api/alerts`.

Each source is authenticated the way it can be (PagerDuty signs, the others carry a bearer token),
refuses a wrong credential, names the field of a wrong shape, answers 202 to events that are not
alerts and keeps them with the reason, and recognises a redelivery.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import API_TOKEN, SENTRY_SECRET, WEBHOOK_TOKEN
from tests.fakes.spec import spec_payload
from tools.webhooks.base import hmac_sha256_hex
from warroom.alerts.ignored import MAX_BODY_BYTES, recent_ignored
from warroom.alerts.tables import AlertRow
from warroom.incidents.tables import IncidentRow

PD_SECRET = "pd-secret"
PATHS = {
    "pagerduty": "/webhooks/pagerduty",
    "alertmanager": "/webhooks/alertmanager",
    "grafana": "/webhooks/grafana",
    "datadog": "/webhooks/datadog",
    "api": "/api/alerts",
    "sentry": "/webhooks/sentry",
}
GENERIC_ALERT = {
    "title": "Checkout latency above SLO",
    "service": "checkout",
    "endpoint": "/api/checkout",
    "level": "critical",
    "tags": {"team": "payments"},
}
FIRING = {
    "pagerduty": ("pagerduty-incident-triggered.json", "A little bump in the road"),
    "alertmanager": ("alertmanager-firing.json", "checkout 5xx error rate above 5%"),
    "grafana": ("grafana-firing.json", "This alert was triggered for zone us-1"),
    "datadog": ("datadog.json", "checkout 5xx error rate high"),
    "api": (None, "Checkout latency above SLO"),
}
SOURCES = list(FIRING)


def firing_payload(source: str) -> dict[str, Any]:
    name = FIRING[source][0]
    return copy.deepcopy(GENERIC_ALERT) if name is None else spec_payload(name)


def credentials(source: str, body: bytes) -> dict[str, str]:
    """The headers the real sender would attach to `body`."""
    if source == "pagerduty":
        return {"x-pagerduty-signature": f"v1={hmac_sha256_hex(PD_SECRET, body)}"}
    if source == "sentry":
        return {"sentry-hook-signature": hmac_sha256_hex(SENTRY_SECRET, body), "sentry-hook-resource": "installation"}
    return {"authorization": f"Bearer {API_TOKEN if source == 'api' else WEBHOOK_TOKEN}"}


def wrong_credentials(source: str, body: bytes) -> dict[str, str]:
    """Plausible but wrong: another secret's signature, or the token of the other front door."""
    if source == "pagerduty":
        return {"x-pagerduty-signature": f"v1={hmac_sha256_hex('not-the-secret', body)}"}
    return {"authorization": f"Bearer {WEBHOOK_TOKEN if source == 'api' else API_TOKEN}"}


def deliver(client, source: str, payload: Any, headers: dict[str, str] | None = None):
    body = json.dumps(payload).encode()
    sent = {
        "content-type": "application/json",
        "user-agent": f"{source}-test/1.0",
        **(credentials(source, body) if headers is None else headers),
    }
    return client.post(PATHS[source], content=body, headers=sent)


def counts(warroom) -> tuple[int, int]:
    with warroom.engine.connect() as conn:
        alerts = conn.execute(select(func.count()).select_from(AlertRow)).scalar_one()
        incidents = conn.execute(select(func.count()).select_from(IncidentRow)).scalar_one()
    return alerts, incidents


@pytest.mark.parametrize("source", SOURCES)
def test_valid_delivery_is_accepted_and_opens_an_incident(client, warroom, auth, source):
    response = deliver(client, source, firing_payload(source))
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["deduplicated"] is False
    incident = client.get(f"/api/incidents/{body['incident_id']}", headers=auth).json()
    assert incident["title"] == FIRING[source][1]
    assert incident["status"] == "investigating"


@pytest.mark.parametrize("source", SOURCES)
def test_wrong_credentials_are_a_401_and_store_nothing(client, warroom, source):
    payload = firing_payload(source)
    response = deliver(client, source, payload, wrong_credentials(source, json.dumps(payload).encode()))
    assert response.status_code == 401
    assert counts(warroom) == (0, 0)


@pytest.mark.parametrize("source", SOURCES)
def test_missing_credentials_are_a_401(client, warroom, source):
    response = deliver(client, source, firing_payload(source), headers={})
    assert response.status_code == 401
    assert counts(warroom) == (0, 0)


@pytest.mark.parametrize("order", ["old secret first", "new secret first"])
def test_pagerduty_accepts_any_matching_v1_signature_while_secrets_rotate(client, order):
    body = json.dumps(spec_payload("pagerduty-incident-triggered.json")).encode()
    signatures = [f"v1={hmac_sha256_hex('retired-secret', body)}", f"v1={hmac_sha256_hex(PD_SECRET, body)}"]
    if order == "new secret first":
        signatures.reverse()
    response = client.post(PATHS["pagerduty"], content=body, headers={"x-pagerduty-signature": ",".join(signatures)})
    assert response.status_code == 202, response.text


@pytest.mark.parametrize("header", ["v1=00ff,v1=abcd", "v0={good}", "{good}", "v1="])
def test_pagerduty_refuses_when_no_v1_signature_matches(client, warroom, header):
    body = json.dumps(spec_payload("pagerduty-incident-triggered.json")).encode()
    response = client.post(
        PATHS["pagerduty"],
        content=body,
        headers={"x-pagerduty-signature": header.format(good=hmac_sha256_hex(PD_SECRET, body))},
    )
    assert response.status_code == 401
    assert counts(warroom) == (0, 0)


def _without(payload: dict[str, Any], *path: str | int) -> dict[str, Any]:
    target: Any = payload
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return payload


WRONG_SHAPES = [
    ("pagerduty", lambda p: _without(p, "event", "data", "title"), "event.data.title"),
    ("pagerduty", lambda p: {**p, "event": {**p["event"], "data": "PGR0VU2"}}, "event.data"),
    ("alertmanager", lambda p: _without(p, "alerts", 1, "labels"), "alerts[1].labels"),
    ("alertmanager", lambda p: {**p, "version": "3"}, "version"),
    ("grafana", lambda p: _without(p, "alerts", 0, "fingerprint"), "alerts[0].fingerprint"),
    ("datadog", lambda p: _without(p, "id"), "id"),
    ("api", lambda p: {**p, "servce": "checkout"}, "servce"),
    ("api", lambda p: {**p, "links": [{"label": "runbook"}]}, "links[0].url"),
]


@pytest.mark.parametrize(
    ("source", "mutate", "field"), WRONG_SHAPES, ids=[f"{source}-{field}" for source, _, field in WRONG_SHAPES]
)
def test_wrong_shape_is_quarantined_and_named_202_or_422_as_the_source_retries(client, warroom, source, mutate, field):
    """PagerDuty disables a subscription after three 4xx answers: it gets a 202; the others a 422."""
    payload = mutate(firing_payload(source))
    response = deliver(client, source, payload)
    if source == "pagerduty":
        assert response.status_code == 202, response.text
        assert response.json()["quarantined"].startswith(f"{field}: ")
    else:
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field
    assert counts(warroom) == (0, 0)
    with warroom.engine.connect() as conn:
        [kept] = recent_ignored(conn, quarantined=True)
    assert (kept.source, json.loads(kept.body)) == (source, payload)
    assert kept.reason.startswith(f"{field}: ")


def _pagerduty_event(event_type: str) -> dict[str, Any]:
    payload = spec_payload("pagerduty-incident-triggered.json")
    payload["event"]["event_type"] = event_type
    return payload


NOT_ALERTS = [
    ("pagerduty", _pagerduty_event("pagey.ping"), "unknown PagerDuty event type 'pagey.ping'"),
    ("pagerduty", spec_payload("pagerduty-incident-acknowledged.json"), "incident.acknowledged"),
    ("pagerduty", _pagerduty_event("incident.annotated"), "incident.annotated: PagerDuty bookkeeping"),
    ("alertmanager", {**spec_payload("alertmanager-firing.json"), "alerts": []}, "the group carries no alerts"),
    ("grafana", {**spec_payload("grafana-firing.json"), "alerts": []}, "the group carries no alerts"),
    ("sentry", {"action": "created", "data": {"installation": {"uuid": "a8e5d37a"}}}, "'installation'"),
]


@pytest.mark.parametrize(
    ("source", "payload", "reason"), NOT_ALERTS, ids=[f"{source}-{reason[:30]}" for source, _, reason in NOT_ALERTS]
)
def test_event_that_is_not_an_alert_is_a_202_ignored_and_kept_with_its_reason(
    client, warroom, clock, source, payload, reason
):
    response = deliver(client, source, payload)
    assert response.status_code == 202, response.text
    body = response.json()
    assert reason in body["ignored"]
    assert (body["alert_id"], body["incident_id"]) == (None, None)
    assert counts(warroom) == (0, 0)
    with warroom.engine.connect() as conn:
        [kept] = recent_ignored(conn)
    assert (kept.source, kept.reason, kept.received_at) == (source, body["ignored"], clock.now())
    assert json.loads(kept.body) == payload
    assert kept.headers["user-agent"] == f"{source}-test/1.0"
    assert not {"authorization", "x-pagerduty-signature", "sentry-hook-signature"} & set(kept.headers)


def test_ignored_body_is_kept_up_to_64_kib(client, warroom):
    payload = {"action": "created", "data": {"installation": {"uuid": "x" * (200 * 1024)}}}
    response = deliver(client, "sentry", payload)
    assert response.status_code == 202
    with warroom.engine.connect() as conn:
        [kept] = recent_ignored(conn, source="sentry")
    assert len(kept.body) == MAX_BODY_BYTES
    assert kept.body_size == len(json.dumps(payload).encode())


def test_ignored_deliveries_are_listed_newest_first_per_source(client, warroom):
    deliver(client, "pagerduty", _pagerduty_event("pagey.first"))
    deliver(client, "grafana", {**spec_payload("grafana-firing.json"), "alerts": []})
    deliver(client, "pagerduty", _pagerduty_event("pagey.second"))
    with warroom.engine.connect() as conn:
        pagerduty = recent_ignored(conn, source="pagerduty")
        everything = recent_ignored(conn)
    assert ["pagey.second" in d.reason for d in pagerduty] == [True, False]
    assert [d.source for d in everything] == ["pagerduty", "grafana", "pagerduty"]


@pytest.mark.parametrize("source", SOURCES)
def test_redelivery_is_recognised_and_stored_once(client, warroom, source):
    payload = firing_payload(source)
    first = deliver(client, source, payload).json()
    stored = counts(warroom)
    again = deliver(client, source, payload)
    assert again.status_code == 202
    assert again.json() == {
        **first,
        "deduplicated": True,
        **({"alerts": [{**a, "deduplicated": True} for a in first["alerts"]]} if "alerts" in first else {}),
    }
    assert counts(warroom) == stored


def test_alertmanager_group_stores_each_alert_and_answers_for_each(client, warroom):
    response = deliver(client, "alertmanager", spec_payload("alertmanager-firing.json"))
    body = response.json()
    assert [a["deduplicated"] for a in body["alerts"]] == [False, False]
    assert len({a["alert_id"] for a in body["alerts"]}) == 2
    assert counts(warroom) == (2, 1)
