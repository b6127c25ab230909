"""What the public status page shows, as served by `/status.json`."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["PageComponent", "PageIncident", "PageUpdate", "StatusSummary"]


class PageUpdate(BaseModel):
    status: str
    body: str
    at: datetime


class PageIncident(BaseModel):
    id: int
    title: str
    status: str
    impact: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    components: list[str] = Field(default_factory=list)
    updates: list[PageUpdate] = Field(default_factory=list)


class PageComponent(BaseModel):
    name: str
    status: str
    updated_at: datetime


class StatusSummary(BaseModel):
    name: str
    indicator: str = Field(description="none | minor | major | critical, the worst active impact")
    description: str
    components: list[PageComponent]
    active_incidents: list[PageIncident]
    recent_incidents: list[PageIncident]
