"""`POST /api/alerts`: an alert already in warroom's shape, posted by anything without its own module.

The sender may name its own keys. A `delivery_key` is namespaced (`api:<source>:`) so it can
never swallow another source's delivery; without one it is derived from the content, so a
retried POST is recognised. A `dedup_key` is kept verbatim on purpose, so a script can attach to
an incident another source opened; without one alerts group by source, service and title.
Unknown fields are refused (a misspelt `servce` would otherwise be dropped silently), and every
limit is the column's, so what validates is stored: a script sees its mistake as a 422 naming
the field (the delivery is kept in quarantine too).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tools.webhooks.base import PayloadError, SignatureError, error_path, verify_bearer
from warroom.alerts.models import (
    MAX_ENDPOINT,
    MAX_EVENT_TYPE,
    MAX_LEVEL,
    MAX_MESSAGE,
    MAX_NAME,
    MAX_SOURCE,
    MAX_TITLE,
    MAX_URL,
    Alert,
    AlertStatus,
    Instant,
    Link,
    bounded_key,
)
from warroom.untrusted import MAX_COUNT

__all__ = ["ACCEPT_UNREADABLE", "GenericAlertIn", "normalise", "verify"]

ACCEPT_UNREADABLE = False
# Room for the `api:<source>:` namespace and a digest within the delivery key column.
_MAX_SENT_KEY = 400


class GenericAlertIn(BaseModel):
    """The body of `POST /api/alerts`; only `title` is required."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=MAX_TITLE)
    source: str = Field(default="api", min_length=1, max_length=MAX_SOURCE, pattern=r"^[A-Za-z0-9_.-]+$")
    status: AlertStatus = AlertStatus.FIRING
    delivery_key: str | None = Field(default=None, min_length=1, max_length=_MAX_SENT_KEY)
    dedup_key: str | None = Field(default=None, min_length=1, max_length=_MAX_SENT_KEY)
    event_type: str = Field(default="", max_length=MAX_EVENT_TYPE)
    message: str = Field(default="", max_length=MAX_MESSAGE)
    service: str | None = Field(default=None, max_length=MAX_NAME)
    endpoint: str | None = Field(default=None, max_length=MAX_ENDPOINT)
    environment: str | None = Field(default=None, max_length=MAX_NAME)
    level: str | None = Field(default=None, max_length=MAX_LEVEL)
    occurred_at: Instant | None = Field(default=None, description="clamped into years 1-9999 UTC")
    event_count: int = Field(default=1, ge=1, le=MAX_COUNT)
    users_affected: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    tags: dict[str, str] = Field(default_factory=dict)
    links: list[Link] = Field(default_factory=list)
    runbook_url: str | None = Field(default=None, max_length=MAX_URL)
    source_ref: str | None = Field(default=None, max_length=MAX_NAME)

    @field_validator("level")
    @classmethod
    def _lower_level(cls, value: str | None) -> str | None:
        return value.lower() if value else None


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
        raise PayloadError(error_path(error["loc"]), error["msg"]) from exc
    fields = alert_in.model_dump(exclude={"delivery_key", "dedup_key", "occurred_at"})
    return [
        Alert(
            **fields,
            delivery_key=f"api:{alert_in.source}:{alert_in.delivery_key or _content_digest(alert_in)}",
            dedup_key=alert_in.dedup_key
            or bounded_key(f"{alert_in.source}:{alert_in.service or '-'}:{alert_in.title}"),
            occurred_at=alert_in.occurred_at or received_at,
            raw=payload,
        )
    ]


def _content_digest(alert_in: GenericAlertIn) -> str:
    canonical = json.dumps(alert_in.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
