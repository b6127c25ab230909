"""The normalised `Alert` every source's webhook becomes, and the sizes its columns hold.

The limits here are the columns' (`tables.py` and the incident tables are declared with them),
so an `Alert` that validates is one every database stores. They are sized for what sources
really send: Sentry tag values (200), Alertmanager label values and fingerprints, RFC 5321
addresses (320), Prometheus generator URLs that quote a whole query.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field

from warroom.untrusted import MAX_COUNT, as_utc

__all__ = [
    "MAX_ACCOUNT",
    "MAX_EMAIL",
    "MAX_ENDPOINT",
    "MAX_EVENT_TYPE",
    "MAX_IP",
    "MAX_KEY",
    "MAX_LABEL",
    "MAX_LEVEL",
    "MAX_MESSAGE",
    "MAX_NAME",
    "MAX_SOURCE",
    "MAX_TITLE",
    "MAX_URL",
    "GENERIC_SEGMENTS",
    "AffectedUser",
    "Alert",
    "AlertStatus",
    "IngestResult",
    "Instant",
    "Link",
    "bounded_key",
    "endpoint_words",
]

MAX_SOURCE = 64
MAX_KEY = 512
MAX_EVENT_TYPE = 255
MAX_TITLE = 1000
MAX_MESSAGE = 20_000
MAX_NAME = 255
MAX_ENDPOINT = 1024
MAX_LEVEL = 64
MAX_URL = 4096
MAX_LABEL = 255
MAX_EMAIL = 320
MAX_IP = 64
MAX_ACCOUNT = 255

Instant = Annotated[datetime, AfterValidator(as_utc)]


def bounded_key(key: str) -> str:
    """A key that fits its column: a longer one keeps its head and a digest of the whole, so two
    different long ids stay two keys and a redelivery of one maps to the same key."""
    if len(key) <= MAX_KEY:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{key[: MAX_KEY - len(digest) - 1]}:{digest}"


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
    """A link shown beside the alert. PagerDuty's Events API spells it `{"href", "text"}`; both spellings are taken so
    a team pointing its existing sender at the generic endpoint is not refused."""

    model_config = ConfigDict(populate_by_name=True)

    label: str = Field(max_length=MAX_LABEL, validation_alias=AliasChoices("label", "text"))
    url: str = Field(max_length=MAX_URL, validation_alias=AliasChoices("url", "href"))


class AffectedUser(BaseModel):
    """Who hit the error, as far as the source says. Never shown on public channels."""

    id: str | None = Field(default=None, max_length=MAX_KEY)
    email: str | None = Field(default=None, max_length=MAX_EMAIL)
    ip_address: str | None = Field(default=None, max_length=MAX_IP)
    account: str | None = Field(default=None, max_length=MAX_ACCOUNT)

    @property
    def key(self) -> str | None:
        return self.id or self.email or self.ip_address


class Alert(BaseModel):
    """One alert from one source, after normalisation.

    `delivery_key` identifies the delivery by content (a retried webhook maps to the same key);
    `dedup_key` identifies the thing alerting (a Sentry issue, an Alertmanager fingerprint), so
    a storm of deliveries with one `dedup_key` is one incident.
    """

    source: str = Field(min_length=1, max_length=MAX_SOURCE)
    delivery_key: str = Field(min_length=1, max_length=MAX_KEY)
    dedup_key: str = Field(min_length=1, max_length=MAX_KEY)
    status: AlertStatus = AlertStatus.FIRING
    event_type: str = Field(default="", max_length=MAX_EVENT_TYPE)
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    message: str = Field(default="", max_length=MAX_MESSAGE)
    service: str | None = Field(default=None, max_length=MAX_NAME)
    endpoint: str | None = Field(default=None, max_length=MAX_ENDPOINT)
    environment: str | None = Field(default=None, max_length=MAX_NAME)
    level: str | None = Field(
        default=None, max_length=MAX_LEVEL, description="the source's own severity hint, lower-cased"
    )
    occurred_at: Instant
    event_count: int = Field(default=1, ge=1, le=MAX_COUNT)
    users_affected: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    user: AffectedUser | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    links: list[Link] = Field(default_factory=list)
    runbook_url: str | None = Field(default=None, max_length=MAX_URL)
    source_ref: str | None = Field(
        default=None, max_length=MAX_NAME, description="the source's id, e.g. Sentry issue id"
    )
    raw: dict[str, Any] = Field(default_factory=dict, description="the payload as received")


class IngestResult(BaseModel):
    """The 202 body of every webhook: which alert, which incident, and whether it was a repeat."""

    alert_id: int | None
    incident_id: int | None
    deduplicated: bool
    ignored: str | None = Field(default=None, description="why a well-formed event made no alert")
    quarantined: str | None = Field(
        default=None, description="why an authentic delivery could not be read; it is kept with that reason"
    )
