"""What every status page (built-in, Atlassian Statuspage, Instatus) can be asked to do.

Callers hand over a `StatusPost` and get back the page's own id for the incident; they
never call a page directly from a graph node, only through the outbox.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, Field

from warroom.incidents.models import IncidentStatus

__all__ = ["ComponentStatus", "Impact", "StatusPage", "StatusPageError", "StatusPost"]


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


class StatusPageError(Exception):
    """A status page refused or failed a request; `retry_after` is set when it said when to retry."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class StatusPage(Protocol):
    name: str

    def create_incident(self, post: StatusPost) -> str:
        """Open an incident on the page; returns the page's id for it."""
        ...

    def update_incident(self, page_incident_id: str, post: StatusPost) -> None:
        """Add an update (new status and body) to an incident the page already has."""
        ...
