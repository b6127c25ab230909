from datetime import UTC, datetime
from typing import Any

import pytest

from tests.fakes.spec import spec_payload
from tools.webhooks import alertmanager
from tools.webhooks.base import Ignored, PayloadError, SignatureError
from warroom.alerts.models import AlertStatus

RECEIVED = datetime(2024, 5, 14, 10, 14, tzinfo=UTC)
TOKEN = "webhook-token"


def sample(name: str) -> dict[str, Any]:
    return spec_payload(name)


def test_the_configured_bearer_token_is_accepted() -> None:
    alertmanager.verify(b"{}", {"authorization": f"Bearer {TOKEN}"}, TOKEN)


@pytest.mark.parametrize("headers", [{}, {"authorization": "Bearer nope"}, {"authorization": f"Basic {TOKEN}"}])
def test_a_missing_or_wrong_token_is_rejected(headers: dict[str, str]) -> None:
    with pytest.raises(SignatureError):
        alertmanager.verify(b"{}", headers, TOKEN)


def test_without_a_configured_token_every_delivery_is_rejected() -> None:
    with pytest.raises(SignatureError):
        alertmanager.verify(b"{}", {"authorization": "Bearer "}, None)


def test_each_alert_of_a_firing_group_becomes_a_firing_alert() -> None:
    payload = sample("alertmanager-firing.json")

    first, second = alertmanager.normalise(payload, {}, RECEIVED)

    assert first.source == "alertmanager"
    assert first.status is AlertStatus.FIRING
    assert first.delivery_key == "alertmanager:3a6f0c2d9b1e4f57:2024-05-14T10:12:45.123456789Z:firing"
    assert first.dedup_key == "alertmanager:3a6f0c2d9b1e4f57"
    assert second.dedup_key == "alertmanager:b81c47e0d25a9f13"
    assert first.title == "checkout 5xx error rate above 5%"
    assert first.message == "5xx ratio for checkout is 7.3% (threshold 5%) over the last 5m."
    assert first.service == "checkout"
    assert first.environment == "production"
    assert first.level == "critical"
    assert first.runbook_url == "https://runbooks.example.com/checkout/high-error-rate"
    assert first.links[0].url.startswith("http://prometheus-0:9090/graph?")
    assert first.occurred_at == datetime(2024, 5, 14, 10, 12, 45, 123456, tzinfo=UTC)
    assert first.tags["instance"] == "checkout-7d9f8b6c5-x2lkq:8080"


def test_raw_keeps_the_element_and_the_group_context() -> None:
    payload = sample("alertmanager-firing.json")

    first, _ = alertmanager.normalise(payload, {}, RECEIVED)

    assert first.raw["alert"] == payload["alerts"][0]
    assert first.raw["group"]["commonLabels"] == payload["commonLabels"]
    assert first.raw["group"]["externalURL"] == "http://alertmanager-0:9093"
    assert "alerts" not in first.raw["group"]


def test_a_resolved_group_resolves_the_same_fingerprints_at_their_end_time() -> None:
    fired = alertmanager.normalise(sample("alertmanager-firing.json"), {}, RECEIVED)
    resolved = alertmanager.normalise(sample("alertmanager-resolved.json"), {}, RECEIVED)

    assert [alert.status for alert in resolved] == [AlertStatus.RESOLVED, AlertStatus.RESOLVED]
    assert [alert.dedup_key for alert in resolved] == [alert.dedup_key for alert in fired]
    assert resolved[0].delivery_key.endswith(":resolved")
    assert resolved[0].occurred_at == datetime(2024, 5, 14, 10, 41, 45, 123456, tzinfo=UTC)


def test_a_group_mixing_firing_and_resolved_alerts_keeps_each_status() -> None:
    payload = sample("alertmanager-firing.json")
    payload["alerts"][1]["status"] = "resolved"
    payload["alerts"][1]["endsAt"] = "2024-05-14T10:20:00Z"

    first, second = alertmanager.normalise(payload, {}, RECEIVED)

    assert (first.status, second.status) == (AlertStatus.FIRING, AlertStatus.RESOLVED)


def test_two_deliveries_of_the_same_group_give_the_same_delivery_keys() -> None:
    first = alertmanager.normalise(sample("alertmanager-firing.json"), {}, RECEIVED)
    retry = alertmanager.normalise(sample("alertmanager-firing.json"), {}, datetime(2024, 5, 14, 10, 19, tzinfo=UTC))

    assert [alert.delivery_key for alert in retry] == [alert.delivery_key for alert in first]


def test_labels_fill_service_endpoint_and_environment_by_their_fallback_names() -> None:
    payload = sample("alertmanager-firing.json")
    payload["alerts"][0]["labels"] = {
        "alertname": "Slow",
        "app": "cart",
        "handler": "/api/cart",
        "environment": "staging",
    }

    first, _ = alertmanager.normalise(payload, {}, RECEIVED)

    assert (first.service, first.endpoint, first.environment) == ("cart", "/api/cart", "staging")


def test_the_alert_name_is_the_title_without_a_summary() -> None:
    payload = sample("alertmanager-firing.json")
    del payload["alerts"][0]["annotations"]

    first, _ = alertmanager.normalise(payload, {}, RECEIVED)

    assert first.title == "HighErrorRate"
    assert first.message == ""
    assert first.runbook_url is None


def test_an_alert_with_neither_summary_nor_alertname_names_the_label() -> None:
    payload = sample("alertmanager-firing.json")
    del payload["alerts"][1]["annotations"]["summary"]
    del payload["alerts"][1]["labels"]["alertname"]

    with pytest.raises(PayloadError) as caught:
        alertmanager.normalise(payload, {}, RECEIVED)

    assert caught.value.field == "alerts[1].labels.alertname"


@pytest.mark.parametrize("version", ["3", 4, None])
def test_a_version_other_than_4_is_refused(version: object) -> None:
    payload = sample("alertmanager-firing.json")
    payload["version"] = version

    with pytest.raises(PayloadError) as caught:
        alertmanager.normalise(payload, {}, RECEIVED)

    assert caught.value.field == "version"


@pytest.mark.parametrize(
    ("mutate", "expected_field"),
    [
        (lambda p: p["alerts"][0].pop("fingerprint"), "alerts[0].fingerprint"),
        (lambda p: p["alerts"][1].__setitem__("fingerprint", ""), "alerts[1].fingerprint"),
        (lambda p: p["alerts"][0].__setitem__("status", "pending"), "alerts[0].status"),
        (lambda p: p["alerts"][0].pop("startsAt"), "alerts[0].startsAt"),
        (lambda p: p["alerts"][0].__setitem__("startsAt", "yesterday"), "alerts[0].startsAt"),
        (lambda p: p["alerts"][0].pop("labels"), "alerts[0].labels"),
        (lambda p: p["alerts"][0]["labels"].__setitem__("severity", 2), "alerts[0].labels.severity"),
        (lambda p: p["alerts"].__setitem__(1, "oops"), "alerts[1]"),
        (lambda p: p.__setitem__("alerts", {}), "alerts"),
    ],
)
def test_malformed_shapes_name_the_exact_field(mutate: Any, expected_field: str) -> None:
    payload = sample("alertmanager-firing.json")
    mutate(payload)

    with pytest.raises(PayloadError) as caught:
        alertmanager.normalise(payload, {}, RECEIVED)

    assert caught.value.field == expected_field


def test_a_group_without_alerts_is_ignored() -> None:
    payload = sample("alertmanager-firing.json")
    payload["alerts"] = []

    with pytest.raises(Ignored):
        alertmanager.normalise(payload, {}, RECEIVED)
