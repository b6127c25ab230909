"""The series an alert names: the metric selectors inside its PromQL, read without evaluating it.

`selectors("sum(rate(http_requests_total{code=~\\"5..\\"}[2m])) / sum(rate(http_requests_total[2m]))")`
gives `http_requests_total{code=~"5.."}` and `http_requests_total`: what a responder would graph
first. Functions, aggregations, keywords, durations and numbers are not series.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

__all__ = ["Selector", "selectors"]

_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|\[[^\]]*\]|\d[0-9a-zA-Z_.]*|(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?P<braces>\{[^}]*\})?'
    r"|\{[^}]*\}"
)
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", re.IGNORECASE)
_MATCHER = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!=|!~|=)\s*"((?:[^"\\]|\\.)*)"\s*,?')
_NOT_SERIES = frozenset(
    "sum min max avg group stddev stdvar count count_values bottomk topk quantile by without on ignoring "
    "group_left group_right bool and or unless offset atan2 abs absent absent_over_time ceil changes clamp "
    "clamp_max clamp_min day_of_month day_of_week day_of_year days_in_month delta deriv exp floor "
    "histogram_quantile histogram_count histogram_sum holt_winters hour idelta increase irate label_join "
    "label_replace ln log2 log10 minute month predict_linear rate resets round scalar sgn sort sort_desc "
    "sqrt time timestamp vector year avg_over_time min_over_time max_over_time sum_over_time count_over_time "
    "quantile_over_time stddev_over_time stdvar_over_time last_over_time present_over_time inf nan".split()
)


class Selector(BaseModel):
    """A metric name and its label matchers (`op` is `=`, `!=`, `=~` or `!~`)."""

    metric: str
    matchers: list[tuple[str, str, str]] = Field(default_factory=list)

    def promql(self) -> str:
        inner = ",".join(f'{label}{op}"{value}"' for label, op, value in self.matchers)
        return f"{self.metric}{{{inner}}}" if inner else self.metric

    def with_labels(self, labels: dict[str, str]) -> Selector:
        """The selector narrowed by equality matchers (values escaped as PromQL strings)."""
        extra = [(k, "=", v.replace("\\", "\\\\").replace('"', '\\"')) for k, v in sorted(labels.items())]
        return self.model_copy(update={"matchers": [*self.matchers, *extra]})


def selectors(expression: str) -> list[Selector]:
    """Each distinct series selector in `expression`, in order of appearance."""
    found: dict[str, Selector] = {}
    expression = _GROUPING.sub(" ", expression)
    for match in _TOKEN.finditer(expression):
        name = match.group("name")
        if not name or name.lower() in _NOT_SERIES or _is_call(expression, match.end("name"), match.group("braces")):
            continue
        matchers = [(m[0], m[1], m[2]) for m in _MATCHER.findall(match.group("braces") or "")]
        selector = Selector(metric=name, matchers=matchers)
        found.setdefault(selector.promql(), selector)
    return list(found.values())


def _is_call(expression: str, end: int, braces: str | None) -> bool:
    """A name followed by `(` is a function, unless a selector's braces came first."""
    return braces is None and expression[end:].lstrip().startswith("(")
