"""Sentry integration-platform webhooks: event alerts, metric alerts, issues and errors.

Sentry signs the body only and sends a fresh `Request-ID` on every retry, so the delivery key
comes from content: the event id for event alerts and errors, issue id + action + last-seen
for issue resources, alert id + action + date for metric alerts. Sentry disables an integration
whose webhook keeps failing, so a delivery it signed that cannot be read is answered 202 (and
quarantined), never a 4xx.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from tools.webhooks.base import (
    Ignored,
    PayloadError,
    SignatureError,
    field,
    hmac_sha256_hex,
    links_to,
    make_alert,
    make_user,
    parse_time,
    secrets_equal,
)
from warroom.alerts.models import AffectedUser, Alert, AlertStatus, endpoint_words

__all__ = ["ACCEPT_UNREADABLE", "SOURCE", "guess_resource", "normalise", "verify"]

SOURCE = "sentry"
ACCEPT_UNREADABLE = True


def verify(body: bytes, headers: Mapping[str, str], secret: str | None) -> None:
    if not secret:
        raise SignatureError("WARROOM_SENTRY_CLIENT_SECRET is not set; cannot verify Sentry")
    supplied = headers.get("sentry-hook-signature", "").strip().lower()
    if not supplied:
        raise SignatureError("missing Sentry-Hook-Signature header")
    if not secrets_equal(supplied, hmac_sha256_hex(secret, body)):
        raise SignatureError("Sentry-Hook-Signature does not match the body")


def normalise(payload: Any, headers: Mapping[str, str], received_at: datetime) -> list[Alert]:
    if not isinstance(payload, dict):
        raise PayloadError("body", "expected a JSON object")
    resource = headers.get("sentry-hook-resource") or guess_resource(payload)
    action = field(payload, "action", str)
    data = field(payload, "data", dict)
    if resource == "event_alert":
        return [_event_alert(action, data, received_at)]
    if resource == "error":
        return [_error(action, data, received_at)]
    if resource == "issue":
        return [_issue(action, data, received_at)]
    if resource == "metric_alert":
        return [_metric_alert(action, data, received_at)]
    raise Ignored(f"Sentry resource {resource!r} ({action}) does not describe an alert")


def guess_resource(payload: dict[str, Any]) -> str:
    """The Sentry-Hook-Resource a payload's `data` is written for, when the header is missing."""
    data = payload.get("data")
    if isinstance(data, dict):
        for key, resource in (
            ("event", "event_alert"),
            ("issue", "issue"),
            ("metric_alert", "metric_alert"),
            ("error", "error"),
        ):
            if key in data:
                return resource
    raise PayloadError("data", "no event, issue, metric_alert or error object, and no Sentry-Hook-Resource header")


def _event_alert(action: str, data: dict[str, Any], received_at: datetime) -> Alert:
    event = field(data, "event", dict)
    alert = _from_event(event, "data.event", received_at, event_type=f"event_alert.{action}")
    rule = data.get("triggered_rule")
    if isinstance(rule, str) and rule:
        alert.tags.setdefault("sentry.rule", rule)
    return alert


def _error(action: str, data: dict[str, Any], received_at: datetime) -> Alert:
    error = field(data, "error", dict)
    return _from_event(error, "data.error", received_at, event_type=f"error.{action}")


def _from_event(event: dict[str, Any], path: str, received_at: datetime, *, event_type: str) -> Alert:
    event_id = field(event, "event_id", str) if "event_id" in event else field(event, "id", str)
    issue_id = str(event.get("issue_id") or event.get("groupID") or "")
    if not issue_id:
        raise PayloadError(f"{path}.issue_id", "is required")
    tags = _tags(event.get("tags"))
    endpoint = tags.get("transaction") or event.get("transaction") or _request_path(event) or event.get("culprit")
    occurred = parse_time(event.get("datetime") or event.get("timestamp"), f"{path}.datetime", received_at)
    links = links_to("Sentry event", event.get("web_url"))
    return make_alert(
        source=SOURCE,
        delivery_key=f"sentry:event:{event_id}",
        dedup_key=f"sentry:issue:{issue_id}",
        status=AlertStatus.FIRING,
        event_type=event_type,
        title=str(event.get("title") or event.get("message") or f"Sentry issue {issue_id}"),
        message=_exception_text(event),
        service=_service(event, tags),
        endpoint=str(endpoint) if endpoint else None,
        environment=tags.get("environment") or _str(event.get("environment")),
        level=str(event.get("level") or tags.get("level") or "error").lower(),
        occurred_at=occurred,
        user=_user(event.get("user")),
        tags=tags,
        links=links,
        source_ref=issue_id,
        raw=event,
    )


def _issue(action: str, data: dict[str, Any], received_at: datetime) -> Alert:
    issue = field(data, "issue", dict)
    issue_id = str(field(issue, "id", (str, int)))
    last_seen = issue.get("lastSeen") or issue.get("firstSeen")
    project = issue.get("project") if isinstance(issue.get("project"), dict) else {}
    metadata = issue.get("metadata") if isinstance(issue.get("metadata"), dict) else {}
    status = AlertStatus.RESOLVED if action == "resolved" else AlertStatus.FIRING
    if action in ("assigned", "archived"):
        raise Ignored(f"Sentry issue {action}: a triage action, not an alert")
    count = _int(issue.get("count"), 1)
    links = links_to("Sentry issue", issue.get("permalink"))
    return make_alert(
        source=SOURCE,
        delivery_key=f"sentry:issue:{issue_id}:{action}:{last_seen or ''}",
        dedup_key=f"sentry:issue:{issue_id}",
        status=status,
        event_type=f"issue.{action}",
        title=str(issue.get("title") or f"Sentry issue {issue_id}"),
        message=_str(metadata.get("value")) or "",
        service=_str(project.get("slug") or project.get("name")),
        endpoint=_str(issue.get("culprit")),
        level=str(issue.get("level") or "error").lower(),
        occurred_at=parse_time(last_seen, "data.issue.lastSeen", received_at),
        # `count` is the issue's lifetime total: taken once, when the issue is created, so that
        # later actions (resolved, unresolved) do not add it to the incident again.
        event_count=max(count or 1, 1) if action == "created" else 1,
        users_affected=_int(issue.get("userCount"), None),
        links=links,
        source_ref=issue_id,
        raw=issue,
    )


def _metric_alert(action: str, data: dict[str, Any], received_at: datetime) -> Alert:
    metric = field(data, "metric_alert", dict)
    alert_id = str(field(metric, "id", (str, int)))
    rule = metric.get("alert_rule") if isinstance(metric.get("alert_rule"), dict) else {}
    projects = metric.get("projects") or rule.get("projects") or []
    moment = metric.get("date_closed") if action == "resolved" else metric.get("date_detected")
    status = AlertStatus.RESOLVED if action == "resolved" else AlertStatus.FIRING
    title = str(data.get("description_title") or rule.get("name") or metric.get("title") or "Sentry metric alert")
    links = links_to("Sentry alert", data.get("web_url"))
    return make_alert(
        source=SOURCE,
        delivery_key=f"sentry:metric_alert:{alert_id}:{action}:{moment or metric.get('date_started') or ''}",
        dedup_key=f"sentry:metric_alert:{alert_id}",
        status=status,
        event_type=f"metric_alert.{action}",
        title=title,
        message=str(data.get("description_text") or ""),
        service=str(projects[0]) if isinstance(projects, list) and projects else None,
        endpoint=_filtered_transaction(rule.get("query")),
        environment=_str(rule.get("environment")),
        level={"critical": "critical", "warning": "warning"}.get(action, "info"),
        occurred_at=parse_time(moment or metric.get("date_started"), "data.metric_alert.date_started", received_at),
        links=links,
        source_ref=alert_id,
        raw=data,
    )


_CATCH_ALL = {"static", "assets", "public", "files"}
_TRANSACTION_FILTER = re.compile(
    r'\btransaction:(?:\[\s*"?(?P<listed>[^",\]]+)|"(?P<quoted>[^"]+)"|(?P<bare>[^\s\[]+))'
)


def _filtered_transaction(query: Any) -> str | None:
    """The transaction a metric alert's rule is filtered to (`transaction:/checkout`, `transaction:[/a,/b]`, the first
    of a list): the alert measures that endpoint, not the whole project. A catch-all (`/*`, `/static/*`) names no
    feature: it is everything the project serves."""
    match = _TRANSACTION_FILTER.search(query) if isinstance(query, str) else None
    if match is None:
        return None
    transaction = (match.group("listed") or match.group("quoted") or match.group("bare")).strip()
    named = [w for w in endpoint_words(transaction) if w.strip("*") and w.strip("*") not in _CATCH_ALL]
    return transaction if named else None


def _tags(raw: Any) -> dict[str, str]:
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    tags: dict[str, str] = {}
    if isinstance(raw, list):
        for item in raw:
            if isinstance(item, list | tuple) and len(item) == 2:
                tags[str(item[0])] = str(item[1])
            elif isinstance(item, dict) and "key" in item:
                tags[str(item["key"])] = str(item.get("value", ""))
    return tags


def _request_path(event: dict[str, Any]) -> str | None:
    request = event.get("request")
    if isinstance(request, dict) and request.get("url"):
        return _url_path(str(request["url"])) or None
    return None


def _url_path(url: str) -> str:
    """The path of a URL, or "" when it is not one (`http://[::1` makes urlparse raise)."""
    try:
        return urlparse(url).path
    except ValueError:
        return ""


def _service(event: dict[str, Any], tags: dict[str, str]) -> str | None:
    """What is broken: a `service` tag the app sets, else the Sentry project. Never `server_name`:
    a host serves many features, so two unrelated errors on one host are not one outage (the
    host stays in the tags, as evidence)."""
    if tags.get("service"):
        return tags["service"]
    project = event.get("project")
    if isinstance(project, dict):
        return _str(project.get("slug") or project.get("name"))
    # Event payloads carry only the numeric project id; the API url names the project slug.
    parts = _url_path(str(event.get("url") or "")).strip("/").split("/")
    if "projects" in parts and len(parts) > parts.index("projects") + 2:
        return parts[parts.index("projects") + 2]
    return str(project) if project not in (None, "") else None


def _user(raw: Any) -> AffectedUser | None:
    if not isinstance(raw, dict):
        return None
    data = raw.get("data")
    return make_user(
        id=_str(raw.get("id")),
        email=_str(raw.get("email")),
        ip_address=_str(raw.get("ip_address")),
        account=_str(data.get("account") if isinstance(data, dict) else None),
    )


def _exception_text(event: dict[str, Any]) -> str:
    exception = event.get("exception")
    if isinstance(exception, dict) and isinstance(exception.get("values"), list):
        for value in exception["values"]:
            if isinstance(value, dict) and (value.get("type") or value.get("value")):
                return f"{value.get('type') or ''}: {value.get('value') or ''}".strip(": ")
    metadata = event.get("metadata")
    if isinstance(metadata, dict):
        return str(metadata.get("value") or "")
    return str(event.get("message") or "")


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _int(value: Any, default: int | None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default
