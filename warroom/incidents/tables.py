"""Incident tables: the incident, its open correlation keys, per-endpoint and per-user counts,
its timeline and the ids outside systems gave it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.alerts.models import (
    MAX_ACCOUNT,
    MAX_EMAIL,
    MAX_ENDPOINT,
    MAX_KEY,
    MAX_LEVEL,
    MAX_NAME,
    MAX_SOURCE,
    MAX_URL,
)
from warroom.db import Base

__all__ = [
    "ExternalRefRow",
    "IncidentEndpointRow",
    "IncidentKeyRow",
    "IncidentRow",
    "IncidentUserRow",
    "TimelineRow",
]

PK = BigInteger().with_variant(Integer(), "sqlite")


class IncidentRow(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(Text)
    service: Mapped[str | None] = mapped_column(String(MAX_NAME), index=True)
    dedup_key: Mapped[str] = mapped_column(String(MAX_KEY), index=True, doc="past incidents of an alert key")
    source: Mapped[str] = mapped_column(String(MAX_SOURCE))
    status: Mapped[str] = mapped_column(String(16), index=True)
    severity: Mapped[str | None] = mapped_column(String(2))
    classification: Mapped[dict[str, Any] | None]
    environment: Mapped[str | None] = mapped_column(String(MAX_NAME))
    level: Mapped[str | None] = mapped_column(String(MAX_LEVEL))
    opened_at: Mapped[datetime] = mapped_column(index=True)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    event_count: Mapped[int] = mapped_column(BigInteger, default=0)
    alert_count: Mapped[int] = mapped_column(default=0)
    source_recovered_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(255))
    commander: Mapped[str | None] = mapped_column(String(255))
    escalation_level: Mapped[int] = mapped_column(default=0, server_default="0")
    reported_users: Mapped[int] = mapped_column(
        BigInteger, default=0, server_default="0", doc="the most users any source said were affected"
    )
    links: Mapped[list[dict[str, Any]] | None] = mapped_column(doc="label/url pairs from the first alert")
    runbook_url: Mapped[str | None] = mapped_column(String(MAX_URL))
    enrichment: Mapped[dict[str, Any] | None] = mapped_column(doc="what the source's API adds (Sentry tags, counts)")


class IncidentKeyRow(Base):
    """Correlation keys of open incidents; the primary key makes 'one open incident per key' hold
    under concurrent ingest on any database."""

    __tablename__ = "incident_keys"

    key: Mapped[str] = mapped_column(String(MAX_KEY), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)


class IncidentEndpointRow(Base):
    __tablename__ = "incident_endpoints"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(MAX_ENDPOINT), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class IncidentUserRow(Base):
    """Distinct affected users, as far as the sources say; the recipient list of user comms."""

    __tablename__ = "incident_users"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    user_key: Mapped[str] = mapped_column(String(MAX_KEY), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(MAX_EMAIL))
    account: Mapped[str | None] = mapped_column(String(MAX_ACCOUNT))


class TimelineRow(Base):
    __tablename__ = "timeline_events"
    # The entries of one kind (a digest's reviews still overdue) without reading every incident's timeline.
    __table_args__ = (Index("ix_timeline_events_kind", "kind", "incident_id"),)

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]
    dedup_key: Mapped[str | None] = mapped_column(String(255), unique=True)


class ExternalRefRow(Base):
    """The id an outside system (a status page, a Slack channel) gave to one of our incidents."""

    __tablename__ = "external_refs"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    system: Mapped[str] = mapped_column(String(64), primary_key=True)
    ref: Mapped[str] = mapped_column(String(255))
