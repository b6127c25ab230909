"""Twelve weeks at a glance: incidents per week by severity, the median time to resolve, and action
items open versus closed at each week's end. Pure: it reads weekly digests and the items, so the
numbers are the digests' own and a week's items are counted as they stood when it ended."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field

from agents.coo.digest import Digest
from warroom.action_items.store import ActionItem, TicketState

__all__ = ["Trend", "WeekPoint", "trend"]

_CLOSED = (TicketState.DONE, TicketState.CANCELED)


class WeekPoint(BaseModel):
    week: str
    incidents: int
    by_severity: dict[str, int] = Field(default_factory=dict)
    median_minutes_to_resolve: float | None = None
    items_open: int = Field(description="action items filed by the week's end and not closed by then")
    items_closed: int = Field(description="action items closed by the week's end")


class Trend(BaseModel):
    weeks: list[WeekPoint]


def _closed_by(item: ActionItem, end: datetime) -> bool:
    return item.status in _CLOSED and item.completed_at is not None and item.completed_at < end


def trend(digests: Sequence[Digest], items: Sequence[ActionItem]) -> Trend:
    """One point per digest, oldest first, each digest's `until` the week's end."""
    points = []
    for digest in sorted(digests, key=lambda d: d.since):
        filed = [i for i in items if i.created_at < digest.until]
        closed = sum(_closed_by(i, digest.until) for i in filed)
        points.append(
            WeekPoint(
                week=digest.label,
                incidents=digest.incidents,
                by_severity=digest.by_severity,
                median_minutes_to_resolve=digest.median_minutes_to_resolve,
                items_open=len(filed) - closed,
                items_closed=closed,
            )
        )
    return Trend(weeks=points)
