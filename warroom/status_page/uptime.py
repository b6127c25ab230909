"""The uptime history a status page draws: per component, one cell per UTC day for the last 90 days,
coloured by the worst status it had that day, and the uptime percentage over the same window.

Pure arithmetic over `Outage`s (a page incident's time span and the worst status it gave the
component); `now` and the page's first record are passed in, never read from a clock.

How the percentage counts, as Atlassian Statuspage does: a minute in major outage is a minute
down, a minute in partial outage counts 30 %, degraded performance and maintenance count nothing.
Where incidents overlap, each instant counts at the worst status covering it (never twice). Time
before the page's first record is not counted at all: it shows "No data", not as uptime.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from warroom.status_page.models import PageIncident

__all__ = [
    "DOWNTIME_WEIGHT",
    "STATUS_ORDER",
    "DayCell",
    "Outage",
    "day_cells",
    "outages_of",
    "uptime_percent",
    "window_start",
]

STATUS_ORDER = ("operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage")
"""Least to most severe: a day takes the worst status any instant of it had."""
DOWNTIME_WEIGHT = {"major_outage": 1.0, "partial_outage": 0.3}
DAYS = 90


@dataclass(frozen=True, slots=True)
class Outage:
    """A span in which one component was at `status` (or worse, from another outage); `end` None:
    still going on."""

    start: datetime
    end: datetime | None
    status: str


@dataclass(frozen=True, slots=True)
class DayCell:
    day: date
    status: str | None
    """The worst status of the day; None: before the page's first record (no data)."""
    minutes: tuple[tuple[str, int], ...] = ()
    """Whole minutes at each status other than operational, worst first."""

    @property
    def label(self) -> str:
        """The cell's tooltip: `3 Dec: partial outage 42 min`."""
        day = f"{self.day.day} {self.day:%b}"
        if self.status is None:
            return f"{day}: no data"
        if not self.minutes:
            return f"{day}: no incidents"
        return f"{day}: " + ", ".join(f"{s.replace('_', ' ')} {m} min" for s, m in self.minutes)


def outages_of(incidents: Iterable[PageIncident], component: str) -> list[Outage]:
    """What the page's incidents did to one component (named in any case)."""
    wanted = component.casefold()
    return [
        Outage(i.created_at, i.resolved_at, status)
        for i in incidents
        for name, status in i.component_status.items()
        if name.casefold() == wanted
    ]


def _rank(status: str) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else 0


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def window_start(now: datetime, days: int = DAYS) -> datetime:
    """Midnight UTC of the first of the `days` days that end with today."""
    return _day_start(now.astimezone(UTC).date() - timedelta(days=days - 1))


def _worst_spans(outages: Iterable[Outage], start: datetime, end: datetime) -> list[tuple[datetime, datetime, str]]:
    """[start, end) cut into pieces, each at the worst status covering it (operational pieces left out)."""
    spans = [(max(o.start, start), min(o.end or end, end), o.status) for o in outages if o.status != STATUS_ORDER[0]]
    spans = [s for s in spans if s[0] < s[1]]
    cuts = sorted({t for a, b, _ in spans for t in (a, b)})
    pieces: list[tuple[datetime, datetime, str]] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [status for s, e, status in spans if s <= a and b <= e]
        if covering:
            pieces.append((a, b, max(covering, key=_rank)))
    return pieces


def day_cells(
    outages: Sequence[Outage], *, now: datetime, first_record: datetime | None, days: int = DAYS
) -> list[DayCell]:
    """One cell per UTC day, oldest first, the last one today (counted up to `now`)."""
    cells = []
    for n in range(days):
        start = window_start(now, days) + timedelta(days=n)
        end = min(start + timedelta(days=1), now)
        if first_record is None or first_record >= start + timedelta(days=1) or start >= now:
            cells.append(DayCell(start.date(), None))
            continue
        seconds: dict[str, float] = {}
        for a, b, status in _worst_spans(outages, start, end):
            seconds[status] = seconds.get(status, 0.0) + (b - a).total_seconds()
        minutes = tuple(
            (status, max(1, round(s / 60))) for status, s in sorted(seconds.items(), key=lambda i: -_rank(i[0]))
        )
        cells.append(DayCell(start.date(), minutes[0][0] if minutes else STATUS_ORDER[0], minutes))
    return cells


MIN_HISTORY = timedelta(days=1)
"""How much history the page keeps before it states an uptime percentage."""


def uptime_percent(
    outages: Sequence[Outage], *, now: datetime, first_record: datetime | None, days: int = DAYS
) -> float | None:
    """The share of the window (from the later of its first day and the first record, to `now`)
    the component was up, in percent, rounded down to two decimals so that any downtime at all
    never reads 100 %. None until the page has a day of history: a fresh install's first outage
    would otherwise read as "35% uptime" an hour in."""
    if first_record is None:
        return None
    start = max(window_start(now, days), first_record)
    if now - start < MIN_HISTORY:
        return None
    down = sum(
        (b - a).total_seconds() * DOWNTIME_WEIGHT.get(status, 0.0) for a, b, status in _worst_spans(outages, start, now)
    )
    share = 1 - down / (now - start).total_seconds()
    return math.floor(share * 10_000) / 100
