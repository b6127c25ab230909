"""What a status page is told (`StatusPost`, in Statuspage's own vocabulary of impact and
component status) and what the built-in page shows, as served by `/status.json`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from warroom.incidents.models import IncidentStatus

__all__ = [
    "ComponentStatus",
    "Impact",
    "PageComponent",
    "PageIncident",
    "PageUpdate",
    "StatusPost",
    "StatusSummary",
]


class ComponentStatus(StrEnum):
    OPERATIONAL = "operational"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNDER_MAINTENANCE = "under_maintenance"


class Impact(StrEnum):
    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class StatusPost(BaseModel):
    """One public update: the incident's headline, its status, the words, the components hit."""

    incident_id: int
    title: str = Field(max_length=255)
    status: IncidentStatus
    body: str = Field(max_length=25_000)
    impact: Impact = Impact.MAJOR
    components: dict[str, ComponentStatus] = Field(default_factory=dict)
    service: str | None = Field(
        default=None, description="the incident's service: a page component mapped by service name is found by it"
    )


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
    peak_impact: str = Field(default="none", description="the worst impact it had: the all-clear sets `impact` to none")
    components: list[str] = Field(default_factory=list)
    component_status: dict[str, str] = Field(
        default_factory=dict, description="each component it touched, at the worst status it gave it"
    )
    updates: list[PageUpdate] = Field(default_factory=list)


class PageComponent(BaseModel):
    name: str
    status: str
    updated_at: datetime | None = Field(description="when a post last set it; None: configured, never posted about")
    uptime_percent: float | None = Field(
        default=None, description="over the last 90 days (or since the page's first record), rounded down"
    )


class StatusSummary(BaseModel):
    name: str = Field(description="the page's title: '<company> status' unless named otherwise")
    logo_url: str | None = Field(default=None, description="the company's logo, shown beside the title")
    indicator: str = Field(description="none | minor | major | critical, the worst active impact")
    description: str
    components: list[PageComponent]
    active_incidents: list[PageIncident]
    recent_incidents: list[PageIncident] = Field(description="resolved within the listed days, with their updates")
    history: list[PageIncident] = Field(
        default_factory=list,
        exclude=True,
        description="every incident of the uptime window (older ones without updates): what the bars are drawn from",
    )
    first_record: datetime | None = Field(
        default=None, description="when the page began keeping history (or its first incident, if earlier)"
    )
