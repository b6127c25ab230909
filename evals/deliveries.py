"""Turn one stored payload into the HTTP deliveries its source would really send.

A case stores one payload per source as the source shapes it. Repeats of a storm, deliveries at
a later time and the source's own recovery notice are derived here, changing only what the
source itself changes between deliveries (event ids, timestamps, status), so every delivery
passes through the same verification and normalisation as production traffic.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tools.webhooks.base import hmac_sha256_hex

__all__ = ["SOURCES", "Credentials", "Delivery", "at_time", "recovered", "sign"]

SOURCES = ("sentry", "pagerduty", "alertmanager", "grafana", "datadog", "api")


@dataclass(frozen=True)
class Credentials:
    sentry_secret: str
    pagerduty_secret: str
    webhook_token: str
    api_token: str


@dataclass(frozen=True)
class Delivery:
    path: str
    body: bytes
    headers: dict[str, str]


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _new_id(seed: str, template: str) -> str:
    """A fresh id of the same kind as `template` (hex uuid, digits, or opaque), stable per seed."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    if template.isdigit():
        return str(int(digest[:15], 16))[: max(len(template), 6)]
    if len(template) == 32 and all(c in "0123456789abcdef" for c in template):
        return digest[:32]
    return str(uuid.UUID(digest[:32]))


def at_time(
    source: str,
    payload: dict[str, Any],
    moment: datetime,
    seed: str,
    user: str | None = None,
    domain: str = "customers.example.com",
) -> dict[str, Any]:
    """The payload as the source would send it at `moment`, as a distinct delivery named by `seed`;
    `user` (at `domain`) replaces the affected user of a Sentry event (a storm hits many people)."""
    body = copy.deepcopy(payload)
    if source == "sentry":
        data = body["data"]
        for key in ("event", "error"):
            if isinstance(data.get(key), dict):
                event = data[key]
                id_key = "event_id" if "event_id" in event else "id"
                event[id_key] = _new_id(seed, str(event.get(id_key, "")))
                event["datetime"] = _iso(moment)
                if "timestamp" in event:
                    event["timestamp"] = moment.timestamp()
                if user is not None and isinstance(event.get("user"), dict):
                    event["user"] = {**event["user"], "id": user, "email": f"{user}@{domain}"}
        if isinstance(data.get("issue"), dict):
            data["issue"]["lastSeen"] = _iso(moment)
            data["issue"].setdefault("firstSeen", _iso(moment))
        if isinstance(data.get("metric_alert"), dict):
            metric = data["metric_alert"]
            for key in ("date_detected", "date_started", "date_created"):
                metric[key] = _iso(moment)
    elif source == "pagerduty":
        event = body["event"]
        event["id"] = _new_id(seed, "01DEN4HPBQAAAG05V5QQYBRZMF")
        event["occurred_at"] = _iso(moment)
        event["data"]["created_at"] = _iso(moment)
    elif source in ("alertmanager", "grafana"):
        for alert in body["alerts"]:
            alert["startsAt"] = _iso(moment)
    elif source == "datadog":
        body["id"] = _new_id(seed, "7584918234567890123")
        body["date"] = body["last_updated"] = str(int(moment.timestamp() * 1000))
    elif source == "api":
        body["occurred_at"] = _iso(moment)
        if "delivery_key" in body:
            body["delivery_key"] = f"{body['delivery_key']}-{_new_id(seed, 'x')[:8]}"
    return body


def recovered(source: str, fired: dict[str, Any], moment: datetime, seed: str) -> dict[str, Any]:
    """The source's own "it recovered" notice for the alert delivered as `fired`."""
    if source in ("alertmanager", "grafana"):
        body = copy.deepcopy(fired)
        body["status"] = "resolved"
        for alert in body["alerts"]:
            alert["status"] = "resolved"
            alert["endsAt"] = _iso(moment)
        return body
    body = at_time(source, fired, moment, seed)
    if source == "sentry":
        if "metric_alert" not in body["data"]:
            raise ValueError("only Sentry metric alerts send a recovery; use another source for flapping cases")
        body["action"] = "resolved"
        body["data"]["metric_alert"]["date_closed"] = _iso(moment)
    elif source == "pagerduty":
        body["event"]["event_type"] = "incident.resolved"
        body["event"]["data"]["status"] = "resolved"
    elif source == "datadog":
        body["alert_transition"] = "Recovered"
        body["title"] = body["title"].replace("[Triggered", "[Recovered")
    elif source == "api":
        body["status"] = "resolved"
    return body


def sign(source: str, payload: dict[str, Any], credentials: Credentials, resource: str | None = None) -> Delivery:
    """The request the source sends: its path, the raw body and its authentication headers."""
    body = json.dumps(payload).encode()
    headers = {"content-type": "application/json"}
    if source == "sentry":
        headers["sentry-hook-resource"] = resource or "event_alert"
        headers["sentry-hook-signature"] = hmac_sha256_hex(credentials.sentry_secret, body)
    elif source == "pagerduty":
        headers["x-pagerduty-signature"] = f"v1={hmac_sha256_hex(credentials.pagerduty_secret, body)}"
    elif source == "api":
        headers["authorization"] = f"Bearer {credentials.api_token}"
        return Delivery("/api/alerts", body, headers)
    elif source in ("alertmanager", "grafana", "datadog"):
        headers["authorization"] = f"Bearer {credentials.webhook_token}"
    else:
        raise ValueError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    return Delivery(f"/webhooks/{source}", body, headers)
