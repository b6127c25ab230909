from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.fakes.spec import spec_payload
from tools.webhooks import datadog
from tools.webhooks.base import PayloadError, SignatureError
from warroom.alerts.models import AlertStatus

RECEIVED = datetime(2024, 5, 14, 10, 13, tzinfo=UTC)
TOKEN = "webhook-token"


def sample() -> dict[str, Any]:
    return spec_payload("datadog.json")


def recovered() -> dict[str, Any]:
    payload = sample()
    payload["id"] = "7584918234567899999"
    payload["title"] = payload["title"].replace("[Triggered on", "[Recovered on")
    payload["date"] = payload["last_updated"] = "1715682765000"
    return payload


def with_bot_fields(**fields: object) -> dict[str, Any]:
    return {**sample(), **fields}


def test_the_configured_bearer_token_is_accepted() -> None:
    datadog.verify(b"{}", {"authorization": f"Bearer {TOKEN}"}, TOKEN)


def test_a_wrong_or_missing_token_is_rejected() -> None:
    with pytest.raises(SignatureError):
        datadog.verify(b"{}", {"authorization": "Bearer guess"}, TOKEN)
    with pytest.raises(SignatureError):
        datadog.verify(b"{}", {}, TOKEN)


def test_the_default_template_becomes_a_firing_alert_scoped_by_its_title() -> None:
    [alert] = datadog.normalise(sample(), {}, RECEIVED)

    assert alert.source == "datadog"
    assert alert.status is AlertStatus.FIRING
    assert alert.delivery_key == "datadog:event:7584918234567890123"
    assert alert.dedup_key == "datadog:monitor:12345678:env:production,service:checkout"
    assert alert.title == "checkout 5xx error rate high"
    assert alert.event_type == "metric_alert_monitor"
    assert alert.service == "checkout"
    assert alert.environment == "production"
    assert alert.occurred_at == datetime(2024, 5, 14, 10, 12, 45, tzinfo=UTC)
    assert alert.message.startswith("@webhook-incident-bot checkout 5xx error rate is above 5%")
    assert "%%%" not in alert.message
    assert alert.raw == sample()


def test_a_recovered_title_resolves_the_incident_the_trigger_opened() -> None:
    [fired] = datadog.normalise(sample(), {}, RECEIVED)
    [resolved] = datadog.normalise(recovered(), {}, RECEIVED)

    assert resolved.status is AlertStatus.RESOLVED
    assert resolved.dedup_key == fired.dedup_key
    assert resolved.delivery_key != fired.delivery_key


def test_the_recovered_transition_field_resolves() -> None:
    payload = with_bot_fields(alert_transition="Recovered", title="checkout 5xx error rate high")

    [alert] = datadog.normalise(payload, {}, RECEIVED)

    assert alert.status is AlertStatus.RESOLVED


@pytest.mark.parametrize("transition", ["Triggered", "Re-Triggered", "Warn", "No Data", "Renotify"])
def test_other_transitions_fire(transition: str) -> None:
    [alert] = datadog.normalise(with_bot_fields(alert_transition=transition), {}, RECEIVED)

    assert alert.status is AlertStatus.FIRING


def test_the_aggregation_key_is_the_dedup_key_when_sent() -> None:
    payload = with_bot_fields(aggreg_key="9bd4ac313a4d1e8fae2482df7b77628", alert_id="1234")

    [alert] = datadog.normalise(payload, {}, RECEIVED)

    assert alert.dedup_key == "datadog:agg:9bd4ac313a4d1e8fae2482df7b77628"
    assert alert.source_ref == "1234"


def test_the_alert_id_is_the_dedup_key_without_an_aggregation_key() -> None:
    payload = with_bot_fields(alert_id="1234", alert_scope="")
    payload["title"] = "[Triggered] checkout 5xx error rate high"

    [alert] = datadog.normalise(payload, {}, RECEIVED)

    assert alert.dedup_key == "datadog:monitor:1234"


def test_the_bare_title_is_the_dedup_key_without_any_monitor_reference() -> None:
    payload = sample()
    payload["body"] = "no links here"

    [fired] = datadog.normalise(payload, {}, RECEIVED)
    payload["title"] = payload["title"].replace("[Triggered on", "[Recovered on")
    [resolved] = datadog.normalise(payload, {}, RECEIVED)

    assert fired.dedup_key == resolved.dedup_key == "datadog:title:checkout 5xx error rate high"


def test_tags_are_parsed_into_service_environment_and_endpoint() -> None:
    payload = with_bot_fields(tags="monitor, service:cart, env:staging, resource_name:POST /api/cart")
    payload["title"] = "[Triggered] cart latency"

    [alert] = datadog.normalise(payload, {}, RECEIVED)

    assert alert.tags == {
        "monitor": "",
        "service": "cart",
        "env": "staging",
        "resource_name": "POST /api/cart",
    }
    assert (alert.service, alert.environment, alert.endpoint) == ("cart", "staging", "POST /api/cart")


def test_the_monitor_priority_is_the_level() -> None:
    [alert] = datadog.normalise(with_bot_fields(alert_priority="P1", priority="normal"), {}, RECEIVED)

    assert alert.level == "p1"


def test_the_event_link_is_kept() -> None:
    link = "https://app.datadoghq.com/event/jump_to?event_id=7584918234567890123"

    [alert] = datadog.normalise(with_bot_fields(link=link), {}, RECEIVED)

    assert [(item.label, item.url) for item in alert.links] == [("Datadog event", link)]


def test_numbers_from_an_unquoted_template_are_read_as_text() -> None:
    payload = with_bot_fields(alert_id=1234)
    payload["id"] = 7584918234567890123
    payload["date"] = 1715681565000

    [alert] = datadog.normalise(payload, {}, RECEIVED)

    assert alert.delivery_key == "datadog:event:7584918234567890123"
    assert alert.dedup_key.startswith("datadog:monitor:1234")
    assert alert.occurred_at == datetime(2024, 5, 14, 10, 12, 45, tzinfo=UTC)


def test_two_deliveries_of_the_same_event_share_a_delivery_key() -> None:
    [first] = datadog.normalise(sample(), {}, RECEIVED)
    [retry] = datadog.normalise(sample(), {}, RECEIVED + timedelta(seconds=15))

    assert retry.delivery_key == first.delivery_key


def test_an_overlong_scope_keeps_keys_within_the_stored_length() -> None:
    payload = with_bot_fields(alert_id="1234", alert_scope=",".join(f"host:h{i}" for i in range(200)))

    [alert] = datadog.normalise(payload, {}, RECEIVED)

    assert len(alert.dedup_key) == 512
    assert alert.dedup_key.startswith("datadog:monitor:1234:")


@pytest.mark.parametrize(
    ("mutate", "expected_field"),
    [
        (lambda p: p.pop("id"), "id"),
        (lambda p: p.__setitem__("id", "  "), "id"),
        (lambda p: p.pop("title"), "title"),
        (lambda p: p.__setitem__("date", "Tuesday"), "date"),
        (lambda p: p.__setitem__("tags", ["service:checkout"]), "tags"),
        (lambda p: p.__setitem__("id", {"value": "1"}), "id"),
    ],
)
def test_malformed_fields_are_named(mutate: Any, expected_field: str) -> None:
    payload = sample()
    mutate(payload)

    with pytest.raises(PayloadError) as caught:
        datadog.normalise(payload, {}, RECEIVED)

    assert caught.value.field == expected_field


def test_parse_tags_keeps_bare_tags_with_an_empty_value() -> None:
    assert datadog.parse_tags("a:b, c:d:e ,flag,") == {"a": "b", "c": "d:e", "flag": ""}
