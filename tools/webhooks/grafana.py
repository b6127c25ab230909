"""Grafana-managed alerting webhooks (payload version "1"): Alertmanager's format plus links.

Authentication is the shared bearer token, or, when the contact point signs
(`X-Grafana-Alerting-Signature`, recent Grafana only), an HMAC over the body with the same
configured secret. If the contact point also sends `X-Grafana-Alerting-Signature-Timestamp`,
the timestamp is part of what is signed and, given `now`, must be within five minutes. Like
Alertmanager, an unreadable delivery is quarantined and answered 400/422 (retried only on 5xx).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from tools.webhooks.alertmanager import alert_fields, group_alerts, prefixed
from tools.webhooks.base import SignatureError, hmac_sha256_hex, links_to, make_alert, secrets_equal, verify_bearer
from warroom.alerts.models import Alert, Link

__all__ = [
    "ACCEPT_UNREADABLE",
    "SIGNATURE_HEADER",
    "SOURCE",
    "TIMESTAMP_HEADER",
    "TIMESTAMP_TOLERANCE",
    "normalise",
    "verify",
]

SOURCE = "grafana"
ACCEPT_UNREADABLE = False
SIGNATURE_HEADER = "x-grafana-alerting-signature"
TIMESTAMP_HEADER = "x-grafana-alerting-signature-timestamp"
TIMESTAMP_TOLERANCE = timedelta(minutes=5)

_EXTRA_LINKS = (
    ("dashboardURL", "Dashboard"),
    ("panelURL", "Panel"),
    ("silenceURL", "Silence"),
    ("imageURL", "Image"),
)


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secret: str | None,
    *,
    now: datetime | None = None,
) -> None:
    """A signature header, when present, must be valid; otherwise the bearer token must be."""
    signature = headers.get(SIGNATURE_HEADER)
    if signature is None:
        verify_bearer(headers, secret)
        return
    if not secret:
        raise SignatureError("no Grafana signing secret is configured; refusing signed webhook")
    timestamp = headers.get(TIMESTAMP_HEADER)
    signed = body if timestamp is None else timestamp.encode() + b":" + body
    if not secrets_equal(signature.strip().lower(), hmac_sha256_hex(secret, signed)):
        raise SignatureError("X-Grafana-Alerting-Signature does not match the body")
    if timestamp is not None and now is not None:
        _check_fresh(timestamp, now)


def normalise(payload: Any, headers: Mapping[str, str], received_at: datetime) -> list[Alert]:
    group, elements = group_alerts(payload, version="1")
    alerts = []
    for index, element in enumerate(elements):
        fields = alert_fields(SOURCE, element, index, group, received_at)
        fields["links"] = [*fields["links"], *_extra_links(element)]
        fields["message"] = fields["message"] or _value_string(element)
        with prefixed(f"alerts[{index}]"):
            alerts.append(make_alert(**fields))
    return alerts


def _check_fresh(timestamp: str, now: datetime) -> None:
    try:
        signed_at = datetime.fromtimestamp(int(timestamp.strip()), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise SignatureError("X-Grafana-Alerting-Signature-Timestamp is not unix seconds") from exc
    if abs(now - signed_at) > TIMESTAMP_TOLERANCE:
        raise SignatureError("X-Grafana-Alerting-Signature-Timestamp is outside the allowed window")


def _extra_links(element: dict[str, Any]) -> list[Link]:
    return [link for key, label in _EXTRA_LINKS for link in links_to(label, element.get(key))]


def _value_string(element: dict[str, Any]) -> str:
    value_string = element.get("valueString")
    return value_string if isinstance(value_string, str) else ""
