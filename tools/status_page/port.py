"""What every status page (built-in, Atlassian Statuspage, Instatus) can be asked to do.

Callers hand over a `StatusPost` and get back the page's own id for the incident; they
never call a page directly from a graph node, only through the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field

from warroom.status_page.models import ComponentStatus, StatusPost

__all__ = ["PostMark", "StatusPage", "StatusPageError", "page_components"]


class PostMark(BaseModel):
    """How a page recognises a post of ours after a crash: `key` (fixed length, from the outbox
    key) and `at`, when the post was queued (the same on every attempt)."""

    key: str = Field(min_length=1, max_length=64)
    at: datetime


class StatusPageError(Exception):
    """A status page refused or failed a request; `retry_after` is set when it said when to retry,
    `outcome_unknown` when an earlier attempt may have arrived and the page cannot tell."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        outcome_unknown: bool = False,
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown


class StatusPage(Protocol):
    name: str

    def create_incident(self, post: StatusPost, mark: PostMark) -> str:
        """Open an incident on the page, marked; returns the page's id for it. If an open incident
        with this mark exists (an earlier attempt arrived), that one is returned, none created."""
        ...

    def update_incident(self, page_incident_id: str, post: StatusPost, mark: PostMark, *, recheck: bool) -> None:
        """Add an update (new status and body) to an incident the page already has. `recheck`:
        an earlier attempt of this update may have arrived; post nothing if the page shows it,
        or raise `StatusPageError(outcome_unknown=True)` if the page cannot tell."""
        ...


def page_components(post: StatusPost, component_ids: dict[str, str]) -> dict[str, ComponentStatus]:
    """The page's component ids this post touches, with their status. `component_ids` (lower-cased
    keys, from `status_page_components`) may name the incident's service (`checkout-api`) or what
    customers call the broken part (`checkout`); the service is the more precise and wins.
    A component the mapping does not know is left out: one unknown id fails the whole post."""
    found: dict[str, ComponentStatus] = {}
    for name, status in post.components.items():
        for key in (post.service, name):
            if key and key.lower() in component_ids:
                found[component_ids[key.lower()]] = status
                break
    return found
