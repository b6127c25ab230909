"""Built-in status page storage: page incidents, their updates, and components."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base

__all__ = [
    "ComponentRow",
    "PageIncidentComponentRow",
    "PageIncidentRow",
    "PageMarkRow",
    "PageUpdateRow",
    "SubscriberRow",
]

PK = BigInteger().with_variant(Integer(), "sqlite")


class PageIncidentRow(Base):
    __tablename__ = "page_incidents"

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    impact: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    peak_impact: Mapped[str | None] = mapped_column(
        String(16), doc="the worst impact any post gave it (the all-clear sets `impact` back to none)"
    )


class PageIncidentComponentRow(Base):
    """A component a page incident touched, at the worst status its posts gave it: what colours
    that component's uptime bar for the incident's days."""

    __tablename__ = "page_incident_components"

    page_incident_id: Mapped[int] = mapped_column(ForeignKey("page_incidents.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    status: Mapped[str] = mapped_column(String(32))


class PageUpdateRow(Base):
    __tablename__ = "page_updates"

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    page_incident_id: Mapped[int] = mapped_column(ForeignKey("page_incidents.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    key: Mapped[str | None] = mapped_column(String(255), unique=True, doc="the outbox key that posted it: once")


class ComponentRow(Base):
    __tablename__ = "page_components"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    status: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime]


class PageMarkRow(Base):
    """Moments the page remembers by name; `started`: when it began keeping history, so the days
    before show "No data" and the days after count as uptime whether or not anything happened."""

    __tablename__ = "page_marks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime]


class SubscriberRow(Base):
    """Someone who asked for the page's posts by email: personal data, never logged. `nonce` is
    in every link we send them, so a link outlives neither an unsubscribe nor a re-subscribe."""

    __tablename__ = "page_subscribers"

    id: Mapped[int] = mapped_column(PK, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
