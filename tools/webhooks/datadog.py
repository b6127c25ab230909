"""Datadog webhooks: a user-editable JSON template whose values all arrive as strings.

Only the default template's fields are required (`id`, `title`); the extra fields an incident
bot is advised to add (`alert_transition`, `aggreg_key`, `alert_id`, `tags`, ...) are used when
present. Without them the transition and scope are read from the default title,
`[Recovered on {env:prod,service:checkout}] ...` (then stripped from the alert's title), and the
monitor id from the body's link, so a stock Datadog webhook still resolves the incident it
opened. Datadog cannot sign: bearer token. Datadog retries only 5xx, so an unreadable delivery
(often a template edited wrong) is quarantined and answered 400/422 for the integrator to see.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tools.webhooks.base import PayloadError, field, links_to, make_alert, verify_bearer
from warroom.alerts.models import Alert, AlertStatus

__all__ = ["ACCEPT_UNREADABLE", "SOURCE", "normalise", "parse_tags", "verify"]

SOURCE = "datadog"
ACCEPT_UNREADABLE = False

_TITLE_TRANSITION = re.compile(
    r"\[(?P<transition>(?:Re-)?(?:Triggered|Recovered|Warn|No Data)|Renotify)"
    r"(?: on \{(?P<scope>[^}]*)\})?\]"
)
_MONITOR_LINK = re.compile(r"/monitors/(?P<id>\d+)")
_ENDPOINT_TAGS = ("route", "endpoint", "resource_name", "http.route")


def verify(body: bytes, headers: Mapping[str, str], secret: str | None) -> None:
    verify_bearer(headers, secret)


def parse_tags(text: str) -> dict[str, str]:
    """`"env:prod, monitor"` -> `{"env": "prod", "monitor": ""}`, as Datadog writes `$TAGS`."""
    tags: dict[str, str] = {}
    for item in text.split(","):
        key, _, value = item.strip().partition(":")
        if key:
            tags[key] = value
    return tags


def normalise(payload: Any, headers: Mapping[str, str], received_at: datetime) -> list[Alert]:
    if not isinstance(payload, dict):
        raise PayloadError("body", "expected an object")
    event_id = _text(payload, "id", required=True)
    title = _text(payload, "title", required=True)
    match = _TITLE_TRANSITION.search(title)
    bare_title = (title[: match.start()] + title[match.end() :]).strip() if match else title
    transition = _text(payload, "alert_transition") or (match["transition"] if match else "")
    scope = _text(payload, "alert_scope") or ((match["scope"] or "") if match else "")
    tags = {**parse_tags(_text(payload, "tags")), **parse_tags(scope)}
    level = _first_text(payload, ("alert_priority", "alert_type", "priority"))
    link = _text(payload, "link")
    return [
        make_alert(
            source=SOURCE,
            delivery_key=f"{SOURCE}:event:{event_id}",
            dedup_key=_dedup_key(payload, bare_title, scope),
            status=AlertStatus.RESOLVED if transition == "Recovered" else AlertStatus.FIRING,
            event_type=_text(payload, "event_type"),
            title=_text(payload, "alert_title") or bare_title or title,
            message=_text(payload, "text_only_msg") or _body(payload),
            service=tags.get("service") or None,
            endpoint=next((tags[name] for name in _ENDPOINT_TAGS if tags.get(name)), None),
            environment=tags.get("env") or tags.get("environment") or None,
            level=level.lower() or None,
            occurred_at=_epoch_millis(payload, received_at),
            tags=tags,
            links=links_to("Datadog event", link),
            source_ref=_text(payload, "alert_id") or event_id,
            raw=payload,
        )
    ]


def _text(payload: dict[str, Any], name: str, *, required: bool = False) -> str:
    """A template field as text; numbers are accepted for templates that leave `$ID` unquoted."""
    value = field(payload, name, (str, int), required=required)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise PayloadError(name, "must not be empty")
    return text


def _first_text(payload: dict[str, Any], names: tuple[str, ...]) -> str:
    return next((text for text in (_text(payload, name) for name in names) if text), "")


def _dedup_key(payload: dict[str, Any], bare_title: str, scope: str) -> str:
    """The aggregation key when sent; else the monitor and scope; else the title sans transition."""
    aggregation_key = _text(payload, "aggreg_key")
    if aggregation_key:
        return f"{SOURCE}:agg:{aggregation_key}"
    monitor_link = _MONITOR_LINK.search(_text(payload, "body"))
    monitor = _text(payload, "alert_id") or (monitor_link["id"] if monitor_link else "")
    if monitor:
        parts = sorted(part.strip() for part in scope.split(",") if part.strip())
        return f"{SOURCE}:monitor:{monitor}" + (f":{','.join(parts)}" if parts else "")
    return f"{SOURCE}:title:{bare_title}"


def _body(payload: dict[str, Any]) -> str:
    return _text(payload, "body").removeprefix("%%%").removesuffix("%%%").strip()


def _epoch_millis(payload: dict[str, Any], received_at: datetime) -> datetime:
    for name in ("date", "last_updated"):
        text = _text(payload, name)
        if not text:
            continue
        try:
            return datetime.fromtimestamp(int(text) / 1000, UTC)
        except (ValueError, OverflowError, OSError) as exc:
            raise PayloadError(name, f"expected epoch milliseconds, got {text[:64]!r}") from exc
    return received_at
