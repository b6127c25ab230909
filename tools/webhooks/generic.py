"""`POST /api/alerts`: an alert already in warroom's shape, posted by anything without its own module.

The sender may name its own keys. A `delivery_key` is namespaced (`api:<source>:`) so it can
never swallow another source's delivery; without one it is derived from the content, so a
retried POST is recognised. A `dedup_key` is kept verbatim on purpose, so a script can attach to
an incident another source opened; without one alerts group by source, service and title.
Unknown fields are refused (a misspelt `servce` would otherwise be dropped silently).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tools.webhooks.base import PayloadError, SignatureError, verify_bearer
from warroom.alerts.models import Alert, AlertStatus, Link

__all__ = ["GenericAlertIn", "normalise", "verify"]


class GenericAlertIn(BaseModel):
    """The body of `POST /api/alerts`; only `title` is required."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=1000)
    source: str = Field(default="api", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    status: AlertStatus = AlertStatus.FIRING
    delivery_key: str | None = Field(default=None, min_length=1, max_length=400)
    dedup_key: str | None = Field(default=None, min_length=1, max_length=400)
    event_type: str = Field(default="", max_length=200)
    message: str = Field(default="", max_length=20_000)
    service: str | None = Field(default=None, max_length=200)
    endpoint: str | None = Field(default=None, max_length=500)
    environment: str | None = Field(default=None, max_length=100)
    level: str | None = Field(default=None, max_length=50)
    occurred_at: datetime | None = None
    event_count: int = Field(default=1, ge=1)
    users_affected: int | None = Field(default=None, ge=0)
    tags: dict[str, str] = Field(default_factory=dict)
    links: list[Link] = Field(default_factory=list)
    runbook_url: str | None = None
    source_ref: str | None = Field(default=None, max_length=200)

    @field_validator("level")
    @classmethod
    def _lower_level(cls, value: str | None) -> str | None:
        return value.lower() if value else None

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value


def verify(body: bytes, headers: Mapping[str, str], secret: str | None) -> None:
    """`/api/*` authenticates with `WARROOM_API_TOKEN` as a bearer token."""
    if not secret:
        raise SignatureError("WARROOM_API_TOKEN is not set; refusing unauthenticated alerts")
    verify_bearer(headers, secret)


def normalise(payload: Any, headers: Mapping[str, str], received_at: datetime) -> list[Alert]:
    try:
        alert_in = GenericAlertIn.model_validate(payload)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise PayloadError(_path(error["loc"]), error["msg"]) from exc
    fields = alert_in.model_dump(exclude={"delivery_key", "dedup_key", "occurred_at"})
    return [
        Alert(
            **fields,
            delivery_key=f"api:{alert_in.source}:{alert_in.delivery_key or _content_digest(alert_in)}",
            dedup_key=alert_in.dedup_key or f"{alert_in.source}:{alert_in.service or '-'}:{alert_in.title}"[:512],
            occurred_at=alert_in.occurred_at or received_at,
            raw=payload,
        )
    ]


def _content_digest(alert_in: GenericAlertIn) -> str:
    canonical = json.dumps(alert_in.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _path(loc: tuple[int | str, ...]) -> str:
    """Pydantic's `("links", 0, "url")` -> `links[0].url`; the whole body -> `body`."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"
