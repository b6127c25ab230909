"""The normalised `Alert` every source's webhook becomes."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["GENERIC_SEGMENTS", "AffectedUser", "Alert", "AlertStatus", "IngestResult", "Link", "endpoint_words"]

GENERIC_SEGMENTS = frozenset({"api", "v1", "v2", "v3", "internal", "public", "app", "www"})
"""Path segments that say nothing about what an endpoint is for."""


def endpoint_words(endpoint: str) -> list[str]:
    """The segments of an endpoint path that name something (`/api/v2/checkout` -> `checkout`):
    what correlation groups alerts by and what the status page calls the broken part."""
    return [s for s in re.split(r"[/?#]", endpoint.lower()) if s and s not in GENERIC_SEGMENTS]


class AlertStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


class Link(BaseModel):
    label: str
    url: str


class AffectedUser(BaseModel):
    """Who hit the error, as far as the source says. Never shown on public channels."""

    id: str | None = None
    email: str | None = None
    ip_address: str | None = None
    account: str | None = None

    @property
    def key(self) -> str | None:
        return self.id or self.email or self.ip_address


class Alert(BaseModel):
    """One alert from one source, after normalisation.

    `delivery_key` identifies the delivery by content (a retried webhook maps to the same key);
    `dedup_key` identifies the thing alerting (a Sentry issue, an Alertmanager fingerprint), so
    a storm of deliveries with one `dedup_key` is one incident.
    """

    source: str
    delivery_key: str = Field(min_length=1, max_length=512)
    dedup_key: str = Field(min_length=1, max_length=512)
    status: AlertStatus = AlertStatus.FIRING
    event_type: str = ""
    title: str = Field(min_length=1, max_length=1000)
    message: str = Field(default="", max_length=20_000)
    service: str | None = None
    endpoint: str | None = None
    environment: str | None = None
    level: str | None = Field(default=None, description="the source's own severity hint, lower-cased")
    occurred_at: datetime
    event_count: int = Field(default=1, ge=1)
    users_affected: int | None = Field(default=None, ge=0)
    user: AffectedUser | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    links: list[Link] = Field(default_factory=list)
    runbook_url: str | None = None
    source_ref: str | None = Field(default=None, description="the source's id, e.g. Sentry issue id")
    raw: dict[str, Any] = Field(default_factory=dict, description="the payload as received")


class IngestResult(BaseModel):
    """The 202 body of every webhook: which alert, which incident, and whether it was a repeat."""

    alert_id: int | None
    incident_id: int | None
    deduplicated: bool
    ignored: str | None = None
