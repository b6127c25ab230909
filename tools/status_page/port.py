"""What every status page (built-in, Atlassian Statuspage, Instatus) can be asked to do.

Callers hand over a `StatusPost` and get back the page's own id for the incident; they
never call a page directly from a graph node, only through the outbox.
"""

from __future__ import annotations

from typing import Protocol

from warroom.status_page.models import StatusPost

__all__ = ["StatusPage", "StatusPageError"]


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
