"""Twelve weeks at a glance: incidents per week by severity, the median time to resolve, and action
items open versus closed at each week's end. Pure. `trend` defines the points from weekly digests
and the items (a week's items counted as they stood when it ended); the app builds them with
`weekly_trend` from the weeks' incidents and the database's counts, and tests hold the two alike."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, Field

from agents.coo.digest import Digest
from warroom.action_items.store import ActionItem
from warroom.action_items.tally import CLOSED
from warroom.severity import Severity

__all__ = ["Rated", "Trend", "WeekPoint", "trend", "weekly_trend"]


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
    return item.status in CLOSED and item.completed_at is not None and item.completed_at < end


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


class Rated(Protocol):
    """What a week's point reads of an incident: when it opened and resolved, its level."""

    @property
    def opened_at(self) -> datetime: ...
    @property
    def resolved_at(self) -> datetime | None: ...
    @property
    def severity(self) -> Severity | None: ...


def weekly_trend(
    incidents: Sequence[Rated],
    windows: Sequence[tuple[str, datetime, datetime]],
    filed_and_closed: Sequence[tuple[int, int]],
) -> Trend:
    """The same points as `trend` over each week's digest (in the order of `windows`, oldest
    first), from the incidents opened in the weeks
    and the items filed and closed by each week's end (`warroom.action_items.tally`), without
    building twelve digests: a week's point needs three of a digest's figures."""
    points = []
    for (label, since, until), (filed, closed) in zip(windows, filed_and_closed, strict=True):
        week = [i for i in incidents if since <= i.opened_at < until]
        minutes = [
            max((i.resolved_at - i.opened_at) / timedelta(minutes=1), 0.0) for i in week if i.resolved_at is not None
        ]
        points.append(
            WeekPoint(
                week=label,
                incidents=len(week),
                by_severity=dict(Counter(i.severity.value for i in week if i.severity)),
                median_minutes_to_resolve=round(statistics.median(minutes), 2) if minutes else None,
                items_open=filed - closed,
                items_closed=closed,
            )
        )
    return Trend(weeks=points)
