"""`POST /webhooks/sentry`: signatures, bad input, storms and redeliveries."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

from sqlalchemy import func, select

from api.scenarios import checkout_outage
from tests.conftest import SENTRY_SECRET
from tests.fakes.spec import spec_payload
from tools.webhooks.base import hmac_sha256_hex
from warroom.alerts.ignored import IgnoredDelivery, recent_ignored
from warroom.alerts.tables import AlertRow
from warroom.incidents.tables import IncidentRow


def _counts(warroom) -> tuple[int, int]:
    with warroom.engine.connect() as conn:
        alerts = conn.execute(select(func.count()).select_from(AlertRow)).scalar_one()
        incidents = conn.execute(select(func.count()).select_from(IncidentRow)).scalar_one()
    return alerts, incidents


def test_signed_sample_payloads_are_accepted(post_sentry, warroom):
    for name, resource in [
        ("sentry-issue-alert.json", "event_alert"),
        ("sentry-issue-created.json", "issue"),
        ("sentry-error-created.json", "error"),
        ("sentry-metric-alert.json", "metric_alert"),
    ]:
        response = post_sentry(spec_payload(name), resource)
        assert response.status_code == 202, response.text
        body = response.json()
        assert set(body) >= {"alert_id", "incident_id", "deduplicated"}
        assert body["deduplicated"] is False


def test_wrong_signature_is_refused_and_stores_nothing(post_sentry, warroom):
    response = post_sentry(spec_payload("sentry-issue-alert.json"), signature="0" * 64)
    assert response.status_code == 401
    assert _counts(warroom) == (0, 0)


def test_missing_signature_is_refused(client, warroom):
    response = client.post(
        "/webhooks/sentry",
        json=spec_payload("sentry-issue-alert.json"),
        headers={"sentry-hook-resource": "event_alert"},
    )
    assert response.status_code == 401
    assert "Sentry-Hook-Signature" in response.json()["detail"]


def test_signature_over_a_different_body_is_refused(client):
    body = b'{"action": "triggered", "data": {}}'
    response = client.post(
        "/webhooks/sentry", content=body + b" ", headers={"sentry-hook-signature": hmac_sha256_hex(SENTRY_SECRET, body)}
    )
    assert response.status_code == 401


def _quarantined(warroom) -> list[IgnoredDelivery]:
    with warroom.engine.connect() as conn:
        return recent_ignored(conn, quarantined=True)


def test_signed_body_that_is_not_json_is_quarantined_and_answered_202(post_sentry, warroom):
    """Sentry disables an integration whose webhook keeps failing: a 4xx would cost later alerts."""
    response = post_sentry(b"not json at all")
    assert response.status_code == 202
    assert "not JSON" in response.json()["quarantined"]
    assert _counts(warroom) == (0, 0)
    [kept] = _quarantined(warroom)
    assert (kept.body, kept.source) == ("not json at all", "sentry")


def test_signed_wrong_shape_is_quarantined_naming_the_field(post_sentry, warroom):
    payload = spec_payload("sentry-issue-alert.json")
    del payload["data"]["event"]["issue_id"]
    response = post_sentry(payload)
    assert response.status_code == 202
    assert response.json()["quarantined"] == "data.event.issue_id: is required"
    assert _counts(warroom) == (0, 0)
    [kept] = _quarantined(warroom)
    assert json.loads(kept.body) == payload and kept.reason == "data.event.issue_id: is required"


def test_oversized_body_is_a_413(post_sentry, warroom):
    payload = spec_payload("sentry-issue-alert.json")
    payload["data"]["event"]["message"] = "x" * (1024 * 1024)
    response = post_sentry(payload)
    assert response.status_code == 413
    assert _counts(warroom) == (0, 0)


def test_storm_of_one_issue_opens_one_incident(post_sentry, client, warroom, clock, auth):
    deliveries = checkout_outage(SENTRY_SECRET, events=120, minutes=1, start=clock.now() - timedelta(minutes=1))
    incident_ids = set()
    for delivery in deliveries:
        response = client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers)
        assert response.status_code == 202
        incident_ids.add(response.json()["incident_id"])
    assert len(incident_ids) == 1
    assert _counts(warroom) == (120, 1)
    incident = client.get(f"/api/incidents/{incident_ids.pop()}", headers=auth).json()
    assert incident["event_count"] == 120
    assert incident["alert_count"] == 120
    assert incident["endpoints"] == [{"endpoint": "/api/checkout", "count": 120}]
    assert 0 < incident["users_affected"] <= 135


def test_redelivery_with_a_new_request_id_is_recognised(post_sentry, client, warroom):
    payload = spec_payload("sentry-issue-alert.json")
    first = post_sentry(payload).json()
    body = json.dumps(payload).encode()
    retried = client.post(
        "/webhooks/sentry",
        content=body,
        headers={
            "sentry-hook-resource": "event_alert",
            "request-id": "a-new-request-id",
            "sentry-hook-signature": hmac_sha256_hex(SENTRY_SECRET, body),
        },
    )
    assert retried.status_code == 202
    assert retried.json() == {**first, "deduplicated": True}
    assert _counts(warroom) == (1, 1)


def test_different_events_of_one_issue_join_its_incident(post_sentry, warroom):
    payload = spec_payload("sentry-issue-alert.json")
    second = copy.deepcopy(payload)
    second["data"]["event"]["event_id"] = "f" * 32
    a, b = post_sentry(payload).json(), post_sentry(second).json()
    assert a["incident_id"] == b["incident_id"]
    assert b["deduplicated"] is False
    assert _counts(warroom) == (2, 1)


def test_unknown_resource_is_accepted_and_ignored_with_a_reason(post_sentry, warroom):
    response = post_sentry({"action": "created", "data": {"installation": {}}}, resource="installation")
    assert response.status_code == 202
    assert "installation" in response.json()["ignored"]
    assert _counts(warroom) == (0, 0)


def test_ignored_deliveries_are_listed_with_their_reason(post_sentry, client, auth):
    post_sentry({"action": "created", "data": {"installation": {}}}, resource="installation")
    assert client.get("/api/ignored-deliveries").status_code == 401
    [ignored] = client.get("/api/ignored-deliveries", params={"source": "sentry"}, headers=auth).json()
    assert "installation" in ignored["reason"] and ignored["source"] == "sentry"
