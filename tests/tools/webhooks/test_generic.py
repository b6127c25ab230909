from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tools.webhooks import generic
from tools.webhooks.base import PayloadError, SignatureError
from warroom.alerts.models import AlertStatus

RECEIVED = datetime(2024, 5, 14, 2, 0, tzinfo=UTC)
TOKEN = "api-token"


def checkout_down(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Checkout returns 502",
        "source": "uptime-kuma",
        "service": "checkout",
        "endpoint": "/api/checkout",
        "environment": "production",
        "level": "CRITICAL",
        "occurred_at": "2024-05-14T01:59:30Z",
        "tags": {"region": "eu-west-1"},
        "links": [{"label": "Monitor", "url": "https://status.example.com/monitor/7"}],
        **overrides,
    }


def test_the_api_token_is_accepted() -> None:
    generic.verify(b"{}", {"authorization": f"Bearer {TOKEN}"}, TOKEN)


def test_a_wrong_api_token_is_rejected() -> None:
    with pytest.raises(SignatureError):
        generic.verify(b"{}", {"authorization": "Bearer webhook-token"}, TOKEN)


def test_without_a_configured_api_token_alerts_are_refused() -> None:
    with pytest.raises(SignatureError, match="WARROOM_API_TOKEN"):
        generic.verify(b"{}", {"authorization": "Bearer anything"}, None)


def test_a_posted_alert_keeps_its_fields() -> None:
    [alert] = generic.normalise(checkout_down(), {}, RECEIVED)

    assert alert.source == "uptime-kuma"
    assert alert.status is AlertStatus.FIRING
    assert alert.title == "Checkout returns 502"
    assert (alert.service, alert.endpoint, alert.environment) == ("checkout", "/api/checkout", "production")
    assert alert.level == "critical"
    assert alert.occurred_at == datetime(2024, 5, 14, 1, 59, 30, tzinfo=UTC)
    assert alert.tags == {"region": "eu-west-1"}
    assert alert.links[0].url == "https://status.example.com/monitor/7"
    assert alert.raw == checkout_down()


def test_links_in_pagerdutys_href_and_text_spelling_are_taken() -> None:
    links = [{"href": "https://nagios.example.com/status?group=mail", "text": "Nagios service group"}]
    [alert] = generic.normalise(checkout_down(links=links), {}, RECEIVED)

    assert (alert.links[0].label, alert.links[0].url) == ("Nagios service group", links[0]["href"])
    with pytest.raises(PayloadError):
        generic.normalise(checkout_down(links=[{"href": "https://example.com"}]), {}, RECEIVED)


def test_only_a_title_is_required() -> None:
    [alert] = generic.normalise({"title": "Disk almost full"}, {}, RECEIVED)

    assert alert.source == "api"
    assert alert.occurred_at == RECEIVED
    assert alert.dedup_key == "api:-:Disk almost full"


def test_the_same_content_posted_twice_gets_the_same_delivery_key() -> None:
    [first] = generic.normalise(checkout_down(), {}, RECEIVED)
    [retry] = generic.normalise(checkout_down(), {}, RECEIVED + timedelta(seconds=10))

    assert retry.delivery_key == first.delivery_key
    assert first.delivery_key.startswith("api:uptime-kuma:")


def test_different_content_gets_a_different_delivery_key_and_the_same_dedup_key() -> None:
    [first] = generic.normalise(checkout_down(), {}, RECEIVED)
    [later] = generic.normalise(checkout_down(occurred_at="2024-05-14T02:04:30Z"), {}, RECEIVED)

    assert later.delivery_key != first.delivery_key
    assert later.dedup_key == first.dedup_key == "uptime-kuma:checkout:Checkout returns 502"


def test_sender_keys_are_used_with_the_delivery_key_namespaced() -> None:
    payload = checkout_down(delivery_key="check-7-run-991", dedup_key="pagerduty:incident:PGR0VU2")

    [alert] = generic.normalise(payload, {}, RECEIVED)

    assert alert.delivery_key == "api:uptime-kuma:check-7-run-991"
    assert alert.dedup_key == "pagerduty:incident:PGR0VU2"


def test_a_resolve_can_be_posted() -> None:
    [alert] = generic.normalise(checkout_down(status="resolved"), {}, RECEIVED)

    assert alert.status is AlertStatus.RESOLVED


def test_a_naive_timestamp_is_taken_as_utc() -> None:
    [alert] = generic.normalise(checkout_down(occurred_at="2024-05-14T01:59:30"), {}, RECEIVED)

    assert alert.occurred_at == datetime(2024, 5, 14, 1, 59, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("payload", "expected_field"),
    [
        ({"service": "checkout"}, "title"),
        ({"title": ""}, "title"),
        (checkout_down(status="exploding"), "status"),
        (checkout_down(links=[{"label": "Monitor"}]), "links[0].url"),
        (checkout_down(tags={"region": 3}), "tags.region"),
        (checkout_down(event_count=0), "event_count"),
        (checkout_down(occurred_at="whenever"), "occurred_at"),
        (checkout_down(source="has spaces"), "source"),
        (checkout_down(servce="checkout"), "servce"),
        (["not", "an", "object"], "body"),
    ],
)
def test_validation_errors_name_the_field(payload: Any, expected_field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        generic.normalise(payload, {}, RECEIVED)

    assert caught.value.field == expected_field


def test_the_input_model_documents_the_body_of_post_api_alerts() -> None:
    schema = generic.GenericAlertIn.model_json_schema()

    assert schema["required"] == ["title"]
    assert schema["additionalProperties"] is False
