"""Incident, its status vocabulary and its timeline, as the API and the agents see them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from warroom.alerts.models import Link
from warroom.severity import Classification, Severity

__all__ = ["EndpointCount", "Incident", "IncidentStatus", "TimelineEvent"]


class IncidentStatus(StrEnum):
    """Status-page vocabulary, in the order an incident moves through it."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class TimelineEvent(BaseModel):
    id: int | None = None
    incident_id: int
    at: datetime
    kind: str
    actor: str = "warroom"
    text: str
    data: dict[str, Any] = Field(default_factory=dict)


class EndpointCount(BaseModel):
    endpoint: str
    count: int


class Incident(BaseModel):
    id: int
    title: str
    service: str | None
    dedup_key: str
    source: str
    status: IncidentStatus
    severity: Severity | None
    classification: Classification | None
    opened_at: datetime
    first_seen: datetime
    last_seen: datetime
    event_count: int
    alert_count: int
    users_affected: int
    environment: str | None = None
    level: str | None = None
    source_recovered_at: datetime | None = None
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    acknowledged_by: str | None = None
    commander: str | None = None
    links: list[Link] = Field(default_factory=list)
    runbook_url: str | None = None
    enrichment: dict[str, Any] | None = None
    endpoints: list[EndpointCount] = Field(default_factory=list)
    timeline: list[TimelineEvent] = Field(default_factory=list)
