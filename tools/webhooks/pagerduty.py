"""PagerDuty v3 webhooks: one incident event per delivery, signed with the subscription secret.

Which events become alerts:

- `incident.triggered` and `incident.reopened` fire; `incident.resolved` resolves.
- `incident.priority_updated` and `incident.unacknowledged` change what warroom should believe
  about a live incident (its level, or that nobody is on it any more), so they become an alert
  whose status mirrors the incident's current `data.status`.
- `incident.acknowledged` and every other known event (notes, reassignments, tasks, services,
  ...) are PagerDuty bookkeeping about people, not a signal about the system: `Ignored`.
- Unknown event types are `Ignored`, so a new PagerDuty event never fails a delivery.

Retries reuse the event id, so `delivery_key` is built from it; `dedup_key` is the incident key
(PagerDuty's own dedup key, which other tools also set) or, failing that, the incident id.
PagerDuty drops a delivery answered 4xx and disables the subscription after three in a row, so
a signed delivery that cannot be read is quarantined and answered 202.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tools.webhooks.base import (
    Ignored,
    PayloadError,
    SignatureError,
    field,
    hmac_sha256_hex,
    links_to,
    make_alert,
    parse_time,
    secrets_equal,
)
from warroom.alerts.models import Alert, AlertStatus, Link

__all__ = ["ACCEPT_UNREADABLE", "SOURCE", "normalise", "verify"]

SOURCE = "pagerduty"
ACCEPT_UNREADABLE = True

_FIRING_EVENTS = frozenset({"incident.triggered", "incident.reopened"})
_RESOLVED_EVENTS = frozenset({"incident.resolved"})
_STATE_EVENTS = frozenset({"incident.priority_updated", "incident.unacknowledged"})
_INCIDENT_STATUSES = {
    "triggered": AlertStatus.FIRING,
    "acknowledged": AlertStatus.FIRING,
    "resolved": AlertStatus.RESOLVED,
}


def verify(body: bytes, headers: Mapping[str, str], secret: str | None) -> None:
    """Accept if any `v1=` signature matches: PagerDuty sends one per active secret while rotating."""
    if not secret:
        raise SignatureError("WARROOM_PAGERDUTY_SECRET is not set; refusing unsigned webhooks")
    header = headers.get("x-pagerduty-signature", "")
    supplied = [part.strip()[3:] for part in header.split(",") if part.strip().startswith("v1=")]
    if not supplied:
        raise SignatureError("missing X-PagerDuty-Signature v1 signature")
    expected = hmac_sha256_hex(secret, body)
    if not any(secrets_equal(candidate, expected) for candidate in supplied):
        raise SignatureError("no X-PagerDuty-Signature v1 signature matches the body")


def normalise(payload: Any, headers: Mapping[str, str], received_at: datetime) -> list[Alert]:
    if not isinstance(payload, dict):
        raise PayloadError("body", "expected an object")
    event_id = field(payload, "event.id", str)
    event_type = field(payload, "event.event_type", str)
    status = _status_for(event_type, payload)
    data = field(payload, "event.data", dict)
    incident_id = field(payload, "event.data.id", str)
    incident_key = field(payload, "event.data.incident_key", str, required=False)
    title = field(payload, "event.data.title", str)
    if not title.strip():
        raise PayloadError("event.data.title", "must not be empty")
    return [
        make_alert(
            source=SOURCE,
            delivery_key=f"{SOURCE}:event:{event_id}",
            dedup_key=f"{SOURCE}:incident:{incident_key or incident_id}",
            status=status,
            event_type=event_type,
            title=title,
            message=_message(data),
            service=field(payload, "event.data.service.summary", str, required=False),
            level=_level(payload),
            occurred_at=parse_time(
                field(payload, "event.occurred_at", required=False), "event.occurred_at", received_at
            ),
            tags=_tags(payload),
            links=_links(payload),
            source_ref=incident_id,
            raw=payload,
        )
    ]


def _status_for(event_type: str, payload: dict[str, Any]) -> AlertStatus:
    if event_type in _FIRING_EVENTS:
        return AlertStatus.FIRING
    if event_type in _RESOLVED_EVENTS:
        return AlertStatus.RESOLVED
    if event_type in _STATE_EVENTS:
        current = field(payload, "event.data.status", str)
        if current not in _INCIDENT_STATUSES:
            raise PayloadError("event.data.status", f"unknown incident status {current!r}")
        return _INCIDENT_STATUSES[current]
    if event_type == "incident.acknowledged":
        raise Ignored("incident.acknowledged: a responder took the page; not a new signal")
    if event_type.startswith(("incident.", "service.")):
        raise Ignored(f"{event_type}: PagerDuty bookkeeping, not an alert")
    raise Ignored(f"unknown PagerDuty event type {event_type!r}")


def _level(payload: dict[str, Any]) -> str | None:
    """The incident priority (P1..P5) says more than urgency (high/low), so it wins."""
    priority = field(payload, "event.data.priority.summary", str, required=False)
    urgency = field(payload, "event.data.urgency", str, required=False)
    chosen = priority or urgency
    return chosen.lower() if chosen else None


def _message(data: dict[str, Any]) -> str:
    reason = data.get("resolve_reason")
    if isinstance(reason, dict):
        reason = reason.get("summary") or reason.get("type")
    return f"Resolve reason: {reason}" if isinstance(reason, str) and reason else ""


def _tags(payload: dict[str, Any]) -> dict[str, str]:
    candidates = {
        "urgency": field(payload, "event.data.urgency", str, required=False),
        "priority": field(payload, "event.data.priority.summary", str, required=False),
        "incident_type": field(payload, "event.data.incident_type.name", str, required=False),
        "escalation_policy": field(payload, "event.data.escalation_policy.summary", str, required=False),
    }
    number = field(payload, "event.data.number", int, required=False)
    if number is not None:
        candidates["incident_number"] = str(number)
    return {key: value for key, value in candidates.items() if value}


def _links(payload: dict[str, Any]) -> list[Link]:
    incident_url = field(payload, "event.data.html_url", str, required=False)
    bridge_url = field(payload, "event.data.conference_bridge.conference_url", str, required=False)
    return [*links_to("PagerDuty incident", incident_url), *links_to("Conference bridge", bridge_url)]
