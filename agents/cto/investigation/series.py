"""Reading a metric series the way a responder glances at a graph: its usual level, when it left
it, how far it went. Pure arithmetic over (time, value) points; counters become per-minute rates."""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median

from pydantic import BaseModel

__all__ = ["Shape", "per_minute", "shape"]

#: Points kept for a model to read: enough to see the curve, few enough to stay cheap.
KEPT_POINTS = 24


class Shape(BaseModel):
    baseline: float | None
    changed_at: datetime | None
    peak: float | None
    last: float | None
    points: list[tuple[datetime, float]]


def per_minute(points: list[tuple[datetime, float]]) -> list[tuple[datetime, float]]:
    """A counter's increase per minute between samples; a reset (a drop) counts from zero."""
    rates: list[tuple[datetime, float]] = []
    for (t0, v0), (t1, v1) in zip(points, points[1:], strict=False):
        minutes = (t1 - t0) / timedelta(minutes=1)
        if minutes <= 0:
            continue
        rates.append((t1, (v1 - v0 if v1 >= v0 else v1) / minutes))
    return rates


def shape(points: list[tuple[datetime, float]], start: datetime, *, lead: timedelta = timedelta(minutes=30)) -> Shape:
    """The baseline is the median of the points before `start - lead` (before `start` for a younger
    series); a change is the first of two consecutive points clearly off the baseline from
    `start - lead` on (clearly: beyond three median deviations and a quarter of the baseline)."""
    clean = [(t, v) for t, v in points if v == v and abs(v) != float("inf")]
    if not clean:
        return Shape(baseline=None, changed_at=None, peak=None, last=None, points=[])
    window_start = start - lead
    before = [v for t, v in clean if t < window_start] or [v for t, v in clean if t < start] or [clean[0][1]]
    base = median(before)
    spread = median([abs(v - base) for v in before]) if len(before) > 2 else 0.0
    threshold = max(3 * spread, 0.25 * abs(base), 1e-9 if base else 1e-6)
    after = [(t, v) for t, v in clean if t >= window_start]
    changed_at = None
    for (t, v), (_, following) in zip(after, after[1:], strict=False):
        if abs(v - base) > threshold and abs(following - base) > threshold:
            changed_at = t
            break
    since = [v for t, v in after if changed_at is None or t >= changed_at] or [clean[-1][1]]
    peak = max(since, key=lambda v: abs(v - base))
    return Shape(
        baseline=base,
        changed_at=changed_at,
        peak=peak if changed_at else None,
        last=clean[-1][1],
        points=_thin(clean),
    )


def _thin(points: list[tuple[datetime, float]]) -> list[tuple[datetime, float]]:
    if len(points) <= KEPT_POINTS:
        return points
    step = len(points) / KEPT_POINTS
    return [points[int(i * step)] for i in range(KEPT_POINTS - 1)] + [points[-1]]
