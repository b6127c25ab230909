"""Prometheus Alertmanager webhooks (payload version "4"): one Alert per element of `alerts`.

Alertmanager cannot sign, so it authenticates with the shared bearer token. It re-sends a
group on every `group_interval` and on retries, so `delivery_key` is content-derived
(fingerprint + startsAt + status): a repeat is recognised, a new firing or a resolve is not.
Grafana's webhook extends this format; `grafana.py` reuses `group_alerts` and `alert_fields`.
Alertmanager retries only 5xx, so an unreadable delivery is quarantined and answered 400/422,
which its logs and `alertmanager_notifications_failed_total` show the operator.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from tools.webhooks.base import Ignored, PayloadError, field, links_to, make_alert, parse_time, verify_bearer
from warroom.alerts.models import Alert, AlertStatus

__all__ = ["ACCEPT_UNREADABLE", "SOURCE", "alert_fields", "group_alerts", "normalise", "prefixed", "verify"]

SOURCE = "alertmanager"
ACCEPT_UNREADABLE = False

_SERVICE_LABELS = ("service", "job", "app")
_ENDPOINT_LABELS = ("route", "handler", "path", "endpoint")
_ENVIRONMENT_LABELS = ("env", "environment")
_GO_ZERO_YEAR = 1


def verify(body: bytes, headers: Mapping[str, str], secret: str | None) -> None:
    verify_bearer(headers, secret)


def normalise(payload: Any, headers: Mapping[str, str], received_at: datetime) -> list[Alert]:
    group, elements = group_alerts(payload, version="4")
    return [
        _alert(index, alert_fields(SOURCE, element, index, group, received_at))
        for index, element in enumerate(elements)
    ]


def _alert(index: int, fields: dict[str, Any]) -> Alert:
    with prefixed(f"alerts[{index}]"):
        return make_alert(**fields)


@contextmanager
def prefixed(prefix: str) -> Iterator[None]:
    """Re-raise a PayloadError from a nested object with its full path, e.g. `alerts[0].labels`."""
    try:
        yield
    except PayloadError as exc:
        raise PayloadError(f"{prefix}.{exc.field}", exc.message) from exc


def group_alerts(payload: Any, *, version: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Check the group envelope; return it (without `alerts`) and the alert elements."""
    if not isinstance(payload, dict):
        raise PayloadError("body", "expected an object")
    sent_version = field(payload, "version", str)
    if sent_version != version:
        raise PayloadError("version", f"expected {version!r}, got {sent_version!r}")
    elements = field(payload, "alerts", list)
    if not elements:
        raise Ignored("the group carries no alerts")
    for index, element in enumerate(elements):
        if not isinstance(element, dict):
            raise PayloadError(f"alerts[{index}]", "expected an object")
    group = {key: value for key, value in payload.items() if key != "alerts"}
    return group, elements


def alert_fields(
    source: str,
    element: dict[str, Any],
    index: int,
    group: dict[str, Any],
    received_at: datetime,
) -> dict[str, Any]:
    """The `Alert` keyword arguments one Alertmanager-shaped alert element yields."""
    with prefixed(f"alerts[{index}]"):
        fingerprint = field(element, "fingerprint", str)
        if not fingerprint:
            raise PayloadError("fingerprint", "must not be empty")
        status_text = field(element, "status", str)
        if status_text not in {AlertStatus.FIRING, AlertStatus.RESOLVED}:
            raise PayloadError("status", f"expected 'firing' or 'resolved', got {status_text!r}")
        status = AlertStatus(status_text)
        labels = _strings(element, "labels", required=True)
        annotations = _strings(element, "annotations", required=False)
        starts_text = field(element, "startsAt", str)
        starts_at = parse_time(starts_text, "startsAt")
        ends_at = parse_time(field(element, "endsAt", str, required=False), "endsAt", received_at)
        title = annotations.get("summary") or labels.get("alertname")
        if not title:
            raise PayloadError("labels.alertname", "is required when annotations.summary is absent")
    generator_url = element.get("generatorURL")
    resolved_at = ends_at if ends_at.year > _GO_ZERO_YEAR else received_at
    return {
        "source": source,
        "delivery_key": f"{source}:{fingerprint}:{starts_text}:{status}",
        "dedup_key": f"{source}:{fingerprint}",
        "status": status,
        "event_type": f"alert.{status}",
        "title": title,
        "message": annotations.get("description", ""),
        "service": _first(labels, _SERVICE_LABELS),
        "endpoint": _first(labels, _ENDPOINT_LABELS),
        "environment": _first(labels, _ENVIRONMENT_LABELS),
        "level": labels["severity"].lower() if labels.get("severity") else None,
        "occurred_at": (starts_at if status is AlertStatus.FIRING else resolved_at).astimezone(UTC),
        "tags": labels,
        "links": links_to("Source", generator_url),
        "runbook_url": annotations.get("runbook_url") or None,
        "source_ref": fingerprint,
        "raw": {"alert": element, "group": group},
    }


def _strings(element: dict[str, Any], name: str, *, required: bool) -> dict[str, str]:
    values = field(element, name, dict, required=required) or {}
    for key, value in values.items():
        if not isinstance(value, str):
            raise PayloadError(f"{name}.{key}", "expected str")
    return values


def _first(labels: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    return next((labels[name] for name in names if labels.get(name)), None)
