"""The incident's picture: events per minute over its life, with what the humans and warroom did.

When did it start, is it still climbing, did the fix work: the first thing a responder asks. The
rate is bucketed (at most `MAX_BARS` points, so a day-long incident stays readable) and drawn
server-side as SVG with pygal, served as an image so the page's CSP stays strict and nothing runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pygal
from pygal.style import Style

from agents.coo.trends import Trend
from warroom.incidents.models import Incident
from warroom.kinds import TimelineKind

__all__ = ["MAX_BARS", "TREND_CHARTS", "Bucket", "Marker", "events_svg", "markers", "per_minute", "trend_svg"]

MAX_BARS = 60
_MARKED = {
    TimelineKind.SEVERITY: "severity",
    TimelineKind.ACKNOWLEDGED: "acknowledged",
    TimelineKind.STATUS_PAGE: "status page",
    TimelineKind.RESOLVED: "resolved",
}
_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    colors=("#b42318", "#6941c6", "#175cd3", "#027a48", "#667085"),
    font_family="system-ui, sans-serif",
)


@dataclass(frozen=True)
class Bucket:
    start: datetime
    per_minute: float


@dataclass(frozen=True)
class Marker:
    at: datetime
    label: str


def per_minute(points: Iterable[tuple[datetime, int]], start: datetime, end: datetime) -> list[Bucket]:
    """Events per minute from `start` to `end`, in buckets of whole minutes (one minute, or wider
    so there are at most `MAX_BARS`); events outside the span are left out."""
    origin = start.replace(second=0, microsecond=0)
    minutes = max(1, math.ceil((end - origin).total_seconds() / 60))
    width = max(1, math.ceil(minutes / MAX_BARS))
    counts = [0] * math.ceil(minutes / width)
    for at, count in points:
        index = int((at - origin).total_seconds() // 60) // width
        if 0 <= index < len(counts):
            counts[index] += count
    return [Bucket(origin + timedelta(minutes=i * width), n / width) for i, n in enumerate(counts)]


def markers(incident: Incident) -> list[Marker]:
    """Severity changes, the acknowledgement, status-page posts and the resolution, from the timeline."""
    return [Marker(e.at, _MARKED[TimelineKind(e.kind)]) for e in incident.timeline if e.kind in _MARKED]


def events_svg(buckets: list[Bucket], marks: list[Marker]) -> str:
    """The chart: the rate as a filled line, each kind of marker as dots along the top."""
    chart = pygal.DateTimeLine(
        width=760,
        height=220,
        style=_STYLE,
        js=[],
        disable_xml_declaration=True,
        show_dots=False,
        fill=True,
        x_value_formatter=lambda at: at.strftime("%H:%M"),
        x_label_rotation=0,
        legend_at_bottom=True,
        legend_at_bottom_columns=5,
        margin=8,
        truncate_legend=-1,
        y_title="events / min",
    )
    chart.add("events / min", [(b.start, b.per_minute) for b in buckets])
    top = max((b.per_minute for b in buckets), default=0) or 1
    for label in dict.fromkeys(m.label for m in marks):
        dots = [(m.at, top) for m in marks if m.label == label]
        chart.add(label, dots, stroke=False, show_dots=True, dots_size=5, fill=False)
    return chart.render(is_unicode=True)


TREND_CHARTS = {
    "incidents": "Incidents per week by severity",
    "resolve": "Median minutes to resolve",
    "items": "Action items open and closed at each week's end",
}
_SEVERITY_COLOURS = Style(
    background="transparent",
    plot_background="transparent",
    colors=("#b42318", "#dc6803", "#175cd3", "#667085"),
    font_family="system-ui, sans-serif",
)


def trend_svg(trend: Trend, chart: str) -> str:
    """One of `TREND_CHARTS` over the trend's weeks (week labels as 'W48')."""
    options = dict(
        width=760,
        height=240,
        js=[],
        disable_xml_declaration=True,
        legend_at_bottom=True,
        margin=8,
        truncate_legend=-1,
        x_label_rotation=0,
    )
    labels = [p.week.split("-")[-1] for p in trend.weeks]
    if chart == "incidents":
        drawn = pygal.StackedBar(style=_SEVERITY_COLOURS, **options)
        for level in ("P0", "P1", "P2", "P3"):
            drawn.add(level, [p.by_severity.get(level, 0) for p in trend.weeks])
    elif chart == "resolve":
        drawn = pygal.Line(style=_STYLE, show_legend=False, **options)
        drawn.add("median minutes to resolve", [p.median_minutes_to_resolve for p in trend.weeks])
    else:
        drawn = pygal.Line(style=_STYLE, **options)
        drawn.add("open", [p.items_open for p in trend.weeks])
        drawn.add("closed", [p.items_closed for p in trend.weeks])
    drawn.title = TREND_CHARTS[chart]
    drawn.x_labels = labels
    return drawn.render(is_unicode=True)
