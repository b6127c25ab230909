"""Evidence from Prometheus: the series an alert names, around the incident. Reads only;
`PrometheusError` reaches the caller."""

from __future__ import annotations

from datetime import datetime, timedelta

from agents.cto.investigation.evidence import SeriesFact
from agents.cto.investigation.promql import Selector
from agents.cto.investigation.series import per_minute, shape
from tools.prometheus import Prometheus, Series

__all__ = ["COUNTER_SUFFIXES", "series_facts"]

COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket")
MAX_SERIES = 12
#: Points per query at most: enough to see a change, cheap for any Prometheus.
MAX_POINTS = 240


def series_facts(prometheus: Prometheus, selector: Selector, start: datetime, end: datetime) -> list[SeriesFact]:
    """`selector` over [`start` - 1 hour, `end`], one fact per series; at most `MAX_SERIES` (those
    that moved first, the largest move first)."""
    since = start - timedelta(hours=1)
    step = max(timedelta(seconds=60), (end - since) / MAX_POINTS)
    result = prometheus.query_range(selector.promql(), since, end, step)
    facts = [_fact(selector.metric, series, start) for series in result.series if series.points]
    facts.sort(key=lambda f: (f.changed_at is None, _move(f) * -1, f.citation))
    return facts[:MAX_SERIES]


def _fact(metric: str, series: Series, start: datetime) -> SeriesFact:
    labels = {k: v for k, v in series.labels.items() if k != "__name__"}
    name = series.labels.get("__name__", metric)
    counter = name.endswith(COUNTER_SUFFIXES)
    points = [(p.at, p.value) for p in series.points]
    read = shape(per_minute(points) if counter else points, start)
    matchers = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return SeriesFact(
        citation=f"prom:{name}{{{matchers}}}" if matchers else f"prom:{name}",
        name=name,
        labels=labels,
        per_minute=counter,
        baseline=read.baseline,
        changed_at=read.changed_at,
        peak=read.peak,
        last=read.last,
        points=read.points,
    )


def _move(fact: SeriesFact) -> float:
    if fact.peak is None or fact.baseline is None:
        return 0.0
    return abs(fact.peak - fact.baseline) / max(abs(fact.baseline), 1e-9)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
