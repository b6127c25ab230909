"""The alerts table: every delivery kept with its raw payload, unique by delivery key; the raw
payload is pruned after `raw_payload_retention_days` (`warroom.alerts.retention`), the row stays."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.alerts.models import MAX_ENDPOINT, MAX_EVENT_TYPE, MAX_KEY, MAX_LEVEL, MAX_NAME, MAX_SOURCE
from warroom.db import Base

__all__ = ["AlertRow"]

PK = BigInteger().with_variant(Integer(), "sqlite")


class AlertRow(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_incident_received", "incident_id", "received_at"),
        # Only the alerts still holding their raw payload, oldest first: retention walks it from
        # the start and a pruned row leaves it, so each batch reads only what it prunes.
        Index(
            "ix_alerts_raw_kept",
            "received_at",
            sqlite_where=text("raw_pruned_at IS NULL"),
            postgresql_where=text("raw_pruned_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    delivery_key: Mapped[str] = mapped_column(String(MAX_KEY), unique=True)
    dedup_key: Mapped[str] = mapped_column(String(MAX_KEY), index=True)
    source: Mapped[str] = mapped_column(String(MAX_SOURCE))
    event_type: Mapped[str] = mapped_column(String(MAX_EVENT_TYPE), default="")
    status: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    service: Mapped[str | None] = mapped_column(String(MAX_NAME))
    endpoint: Mapped[str | None] = mapped_column(String(MAX_ENDPOINT))
    environment: Mapped[str | None] = mapped_column(String(MAX_NAME))
    level: Mapped[str | None] = mapped_column(String(MAX_LEVEL))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    event_count: Mapped[int] = mapped_column(default=1)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    alert: Mapped[dict[str, Any]] = mapped_column(doc="the normalised Alert (raw payload included until pruned)")
    raw_pruned_at: Mapped[datetime | None] = mapped_column(doc="when retention removed `raw` from `alert`")
