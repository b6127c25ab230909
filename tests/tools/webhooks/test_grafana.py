from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.fakes.spec import spec_bytes, spec_payload
from tools.webhooks import grafana
from tools.webhooks.base import PayloadError, SignatureError, hmac_sha256_hex
from warroom.alerts.models import AlertStatus

RECEIVED = datetime(2021, 10, 12, 8, 0, tzinfo=UTC)
SECRET = "grafana-secret"
SIGNED_AT = datetime(2021, 10, 12, 8, 0, tzinfo=UTC)


def sample() -> dict[str, Any]:
    return spec_payload("grafana-firing.json")


def body() -> bytes:
    return spec_bytes("grafana-firing.json")


def test_the_bearer_token_is_accepted_when_grafana_does_not_sign() -> None:
    grafana.verify(body(), {"authorization": f"Bearer {SECRET}"}, SECRET)


def test_a_wrong_bearer_token_is_rejected() -> None:
    with pytest.raises(SignatureError):
        grafana.verify(body(), {"authorization": "Bearer wrong"}, SECRET)


def test_an_hmac_signature_of_the_body_is_accepted_without_a_token() -> None:
    headers = {"x-grafana-alerting-signature": hmac_sha256_hex(SECRET, body())}

    grafana.verify(body(), headers, SECRET)


def test_an_hmac_signature_with_a_wrong_secret_is_rejected_even_with_a_good_token() -> None:
    headers = {
        "x-grafana-alerting-signature": hmac_sha256_hex("other", body()),
        "authorization": f"Bearer {SECRET}",
    }

    with pytest.raises(SignatureError):
        grafana.verify(body(), headers, SECRET)


def test_a_signed_delivery_is_rejected_when_no_secret_is_configured() -> None:
    headers = {"x-grafana-alerting-signature": hmac_sha256_hex("", body())}

    with pytest.raises(SignatureError):
        grafana.verify(body(), headers, None)


def test_the_timestamp_variant_signs_timestamp_colon_body() -> None:
    timestamp = str(int(SIGNED_AT.timestamp()))
    headers = {
        "x-grafana-alerting-signature": hmac_sha256_hex(SECRET, f"{timestamp}:".encode() + body()),
        "x-grafana-alerting-signature-timestamp": timestamp,
    }

    grafana.verify(body(), headers, SECRET, now=SIGNED_AT + timedelta(seconds=30))


def test_a_timestamp_header_not_covered_by_the_signature_is_rejected() -> None:
    headers = {
        "x-grafana-alerting-signature": hmac_sha256_hex(SECRET, body()),
        "x-grafana-alerting-signature-timestamp": str(int(SIGNED_AT.timestamp())),
    }

    with pytest.raises(SignatureError):
        grafana.verify(body(), headers, SECRET)


def test_a_stale_signed_timestamp_is_rejected_as_a_replay() -> None:
    timestamp = str(int(SIGNED_AT.timestamp()))
    headers = {
        "x-grafana-alerting-signature": hmac_sha256_hex(SECRET, f"{timestamp}:".encode() + body()),
        "x-grafana-alerting-signature-timestamp": timestamp,
    }

    with pytest.raises(SignatureError, match="window"):
        grafana.verify(body(), headers, SECRET, now=SIGNED_AT + timedelta(minutes=6))


def test_each_alert_becomes_a_firing_alert_with_grafana_links() -> None:
    first, second = grafana.normalise(sample(), {}, RECEIVED)

    assert first.source == "grafana"
    assert first.status is AlertStatus.FIRING
    assert first.delivery_key == "grafana:c6eadffa33fcdf37:2021-10-12T09:51:03.157076+02:00:firing"
    assert first.dedup_key == "grafana:c6eadffa33fcdf37"
    assert second.dedup_key == "grafana:bc97ff14869b13e3"
    assert first.title == "This alert was triggered for zone us-1"
    assert first.message == "The system has high memory usage"
    assert first.runbook_url == "https://myrunbook.com/runbook/1234"
    assert first.occurred_at == datetime(2021, 10, 12, 7, 51, 3, 157076, tzinfo=UTC)
    assert first.tags == {"alertname": "High memory usage", "team": "blue", "zone": "us-1"}
    assert [link.label for link in first.links] == ["Source", "Silence"]


def test_raw_keeps_values_and_the_group_title() -> None:
    first, _ = grafana.normalise(sample(), {}, RECEIVED)

    assert first.raw["alert"]["values"] == {"B": 44.23943737541908, "C": 1}
    assert first.raw["group"]["title"] == "[FIRING:2]  (blue)"
    assert first.raw["group"]["orgId"] == 1


def test_dashboard_and_panel_urls_become_links_when_set() -> None:
    payload = sample()
    payload["alerts"][0]["dashboardURL"] = "https://grafana.example.com/d/abc"
    payload["alerts"][0]["panelURL"] = "https://grafana.example.com/d/abc?viewPanel=2"

    first, _ = grafana.normalise(payload, {}, RECEIVED)

    assert [link.label for link in first.links] == ["Source", "Dashboard", "Panel", "Silence"]


def test_a_resolved_alert_resolves_its_fingerprint() -> None:
    payload = sample()
    payload["alerts"][0]["status"] = "resolved"
    payload["alerts"][0]["endsAt"] = "2021-10-12T10:01:03+02:00"

    first, second = grafana.normalise(payload, {}, RECEIVED)

    assert (first.status, second.status) == (AlertStatus.RESOLVED, AlertStatus.FIRING)
    assert first.dedup_key == "grafana:c6eadffa33fcdf37"
    assert first.occurred_at == datetime(2021, 10, 12, 8, 1, 3, tzinfo=UTC)


def test_value_string_is_the_message_without_a_description() -> None:
    payload = sample()
    del payload["alerts"][0]["annotations"]["description"]
    payload["alerts"][0]["valueString"] = "[ var='B' labels={} value=44.2 ]"

    first, _ = grafana.normalise(payload, {}, RECEIVED)

    assert first.message == "[ var='B' labels={} value=44.2 ]"


def test_two_deliveries_of_the_same_group_give_the_same_delivery_keys() -> None:
    first = grafana.normalise(sample(), {}, RECEIVED)
    retry = grafana.normalise(sample(), {}, RECEIVED + timedelta(minutes=5))

    assert [alert.delivery_key for alert in retry] == [alert.delivery_key for alert in first]


def test_an_alertmanager_version_is_refused() -> None:
    payload = sample()
    payload["version"] = "4"

    with pytest.raises(PayloadError) as caught:
        grafana.normalise(payload, {}, RECEIVED)

    assert caught.value.field == "version"


def test_a_malformed_alert_names_its_field() -> None:
    payload = sample()
    payload["alerts"][1]["labels"] = "team=blue"

    with pytest.raises(PayloadError) as caught:
        grafana.normalise(payload, {}, RECEIVED)

    assert caught.value.field == "alerts[1].labels"
