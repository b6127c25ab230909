from datetime import UTC, datetime
from typing import Any

import pytest

from tests.fakes.spec import spec_bytes, spec_payload
from tools.webhooks import pagerduty
from tools.webhooks.base import Ignored, PayloadError, SignatureError, hmac_sha256_hex
from warroom.alerts.models import AlertStatus

RECEIVED = datetime(2020, 10, 2, 18, 45, 23, tzinfo=UTC)
SECRET = "pd-subscription-secret"


def sample(name: str) -> dict[str, Any]:
    return spec_payload(name)


def body_of(name: str) -> bytes:
    return spec_bytes(name)


def test_a_single_v1_signature_of_the_raw_body_is_accepted() -> None:
    body = body_of("pagerduty-incident-triggered.json")
    pagerduty.verify(body, {"x-pagerduty-signature": f"v1={hmac_sha256_hex(SECRET, body)}"}, SECRET)


def test_any_matching_signature_among_several_is_accepted_during_secret_rotation() -> None:
    body = body_of("pagerduty-incident-triggered.json")
    header = f"v1={hmac_sha256_hex('old-secret', body)}, v1={hmac_sha256_hex(SECRET, body)}"
    pagerduty.verify(body, {"x-pagerduty-signature": header}, SECRET)


def test_signatures_of_other_versions_are_not_considered() -> None:
    body = body_of("pagerduty-incident-triggered.json")
    header = f"v0={hmac_sha256_hex(SECRET, body)}"
    with pytest.raises(SignatureError):
        pagerduty.verify(body, {"x-pagerduty-signature": header}, SECRET)


def test_a_signature_over_a_different_body_is_rejected() -> None:
    body = body_of("pagerduty-incident-triggered.json")
    header = f"v1={hmac_sha256_hex(SECRET, body + b' ')},v1={hmac_sha256_hex('other', body)}"
    with pytest.raises(SignatureError):
        pagerduty.verify(body, {"x-pagerduty-signature": header}, SECRET)


def test_a_missing_signature_header_is_rejected() -> None:
    with pytest.raises(SignatureError):
        pagerduty.verify(b"{}", {}, SECRET)


def test_without_a_configured_secret_every_delivery_is_rejected() -> None:
    body = body_of("pagerduty-incident-triggered.json")
    with pytest.raises(SignatureError):
        pagerduty.verify(body, {"x-pagerduty-signature": f"v1={hmac_sha256_hex('', body)}"}, None)


def test_triggered_incident_becomes_one_firing_alert() -> None:
    [alert] = pagerduty.normalise(sample("pagerduty-incident-triggered.json"), {}, RECEIVED)

    assert alert.source == "pagerduty"
    assert alert.status is AlertStatus.FIRING
    assert alert.delivery_key == "pagerduty:event:01DEN4HPBQAAAG05V5QQYBRZMF"
    assert alert.dedup_key == "pagerduty:incident:d3640fbd41094207a1c11e58e46b1662"
    assert alert.title == "A little bump in the road"
    assert alert.service == "API Service"
    assert alert.level == "p1"
    assert alert.tags["urgency"] == "high"
    assert alert.occurred_at == datetime(2020, 10, 2, 18, 45, 22, 169000, tzinfo=UTC)
    assert alert.source_ref == "PGR0VU2"
    assert alert.links[0].url == "https://acme.pagerduty.com/incidents/PGR0VU2"
    assert alert.raw == sample("pagerduty-incident-triggered.json")


def test_resolved_incident_resolves_the_same_dedup_key() -> None:
    [fired] = pagerduty.normalise(sample("pagerduty-incident-triggered.json"), {}, RECEIVED)
    [resolved] = pagerduty.normalise(sample("pagerduty-incident-resolved.json"), {}, RECEIVED)

    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.dedup_key == fired.dedup_key
    assert resolved.delivery_key != fired.delivery_key


def test_priority_update_carries_the_new_level_with_the_incident_status() -> None:
    payload = sample("pagerduty-incident-priority-updated.json")

    [alert] = pagerduty.normalise(payload, {}, RECEIVED)

    assert alert.event_type == "incident.priority_updated"
    assert alert.status is AlertStatus.FIRING
    assert alert.level == "p1"


def test_priority_update_of_a_resolved_incident_is_a_resolved_alert() -> None:
    payload = sample("pagerduty-incident-priority-updated.json")
    payload["event"]["data"]["status"] = "resolved"

    [alert] = pagerduty.normalise(payload, {}, RECEIVED)

    assert alert.status is AlertStatus.RESOLVED


def test_urgency_is_the_level_when_the_incident_has_no_priority() -> None:
    payload = sample("pagerduty-incident-triggered.json")
    payload["event"]["data"]["priority"] = None

    [alert] = pagerduty.normalise(payload, {}, RECEIVED)

    assert alert.level == "high"


def test_incident_id_is_the_dedup_key_without_an_incident_key() -> None:
    payload = sample("pagerduty-incident-triggered.json")
    del payload["event"]["data"]["incident_key"]

    [alert] = pagerduty.normalise(payload, {}, RECEIVED)

    assert alert.dedup_key == "pagerduty:incident:PGR0VU2"


def test_acknowledgement_is_ignored_with_a_reason() -> None:
    with pytest.raises(Ignored, match="acknowledged"):
        pagerduty.normalise(sample("pagerduty-incident-acknowledged.json"), {}, RECEIVED)


@pytest.mark.parametrize("event_type", ["incident.annotated", "incident.reassigned", "service.created"])
def test_bookkeeping_events_are_ignored(event_type: str) -> None:
    payload = sample("pagerduty-incident-triggered.json")
    payload["event"]["event_type"] = event_type

    with pytest.raises(Ignored, match=event_type):
        pagerduty.normalise(payload, {}, RECEIVED)


def test_unknown_event_types_are_ignored() -> None:
    payload = sample("pagerduty-incident-triggered.json")
    payload["event"]["event_type"] = "pagey.sang_a_song"

    with pytest.raises(Ignored, match="unknown"):
        pagerduty.normalise(payload, {}, RECEIVED)


def test_two_deliveries_of_the_same_event_share_a_delivery_key() -> None:
    [first] = pagerduty.normalise(sample("pagerduty-incident-triggered.json"), {}, RECEIVED)
    [retry] = pagerduty.normalise(sample("pagerduty-incident-triggered.json"), {}, datetime(2020, 10, 3, tzinfo=UTC))

    assert retry.delivery_key == first.delivery_key


@pytest.mark.parametrize(
    ("path", "expected_field"),
    [
        (("event", "id"), "event.id"),
        (("event", "event_type"), "event.event_type"),
        (("event", "data", "id"), "event.data.id"),
        (("event", "data", "title"), "event.data.title"),
    ],
)
def test_missing_fields_are_named(path: tuple[str, ...], expected_field: str) -> None:
    payload = sample("pagerduty-incident-triggered.json")
    container = payload
    for key in path[:-1]:
        container = container[key]
    del container[path[-1]]

    with pytest.raises(PayloadError) as caught:
        pagerduty.normalise(payload, {}, RECEIVED)

    assert caught.value.field == expected_field


def test_a_non_object_event_is_named() -> None:
    with pytest.raises(PayloadError) as caught:
        pagerduty.normalise({"event": ["not", "an", "object"]}, {}, RECEIVED)

    assert caught.value.field == "event"


def test_a_non_object_body_is_a_payload_error() -> None:
    with pytest.raises(PayloadError) as caught:
        pagerduty.normalise([], {}, RECEIVED)

    assert caught.value.field == "body"
