"""Prometheus's HTTP query API, read-only: what a series did around an incident.

`query` evaluates a PromQL expression at one instant, `query_range` over a window at a step; they
are GETs to `/api/v1/query` and `/api/v1/query_range`, Prometheus's stable v1 API, so anything
that speaks it (Thanos, Mimir, VictoriaMetrics) works too. Results come back typed: series, each
its labels and (time, value) points. An instant vector is series of one point, a scalar one
series without labels; values are floats and may be NaN or ±Inf, as Prometheus writes them.
Native-histogram samples are not read.

Prometheus's own `timeout` parameter bounds the evaluation, and the HTTP request waits a little
longer, so an expensive query ends as Prometheus's `timeout` error rather than a dropped
connection. Failures are `PrometheusError` carrying Prometheus's `errorType`: `bad_data` (a bad
expression, too many points) is permanent; `timeout`, 5xx and an unreachable server are
`retryable`. The client's base URL is the server's (`WARROOM_PROMETHEUS_URL`, path prefix
included); auth, when needed, goes on the client passed in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx
from pydantic import BaseModel, Field

__all__ = ["Point", "Prometheus", "PrometheusError", "QueryResult", "Series"]

_GRACE_SECONDS = 2.0


class PrometheusError(Exception):
    """A query failed. `error_type` is Prometheus's (`bad_data`, `execution`, `timeout`, …)."""

    def __init__(self, message: str, *, status: int | None = None, error_type: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type

    @property
    def retryable(self) -> bool:
        """Unreachable, timed out or failing on the server's side; a bad query stays bad."""
        if self.error_type in {"timeout", "canceled"}:
            return True
        if self.status is None:
            return self.error_type is None
        return self.status >= 500


class Point(BaseModel):
    at: datetime
    value: float


class Series(BaseModel):
    labels: dict[str, str] = Field(default_factory=dict, description="`__name__` included when Prometheus keeps it")
    points: list[Point] = Field(default_factory=list, description="oldest first")


class QueryResult(BaseModel):
    result_type: Literal["matrix", "vector", "scalar"]
    series: list[Series] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


class Prometheus:
    def __init__(self, client: httpx.Client, *, timeout: float = 10.0) -> None:
        self._client = client
        self._timeout = timeout

    def query(self, expr: str, time: datetime) -> QueryResult:
        """`expr` evaluated at `time` (timezone-aware)."""
        return self._query("/api/v1/query", {"query": expr, "time": _unix(time)})

    def query_range(self, expr: str, start: datetime, end: datetime, step: timedelta) -> QueryResult:
        """`expr` evaluated every `step` from `start` to `end` (timezone-aware, both included)."""
        params = {"query": expr, "start": _unix(start), "end": _unix(end), "step": step.total_seconds()}
        return self._query("/api/v1/query_range", params)

    def _query(self, path: str, params: dict[str, Any]) -> QueryResult:
        params = {**params, "timeout": f"{self._timeout:g}"}
        try:
            response = self._client.get(path, params=params, timeout=self._timeout + _GRACE_SECONDS)
        except httpx.HTTPError as exc:
            raise PrometheusError(f"Prometheus GET {path} failed ({type(exc).__name__})") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise PrometheusError(
                f"Prometheus GET {path} -> {response.status_code}: {response.text[:300]}", status=response.status_code
            )
        if not response.is_success or body.get("status") != "success":
            raise PrometheusError(
                f"Prometheus GET {path} -> {response.status_code} {body.get('errorType')}: {body.get('error')}",
                status=response.status_code,
                error_type=body.get("errorType"),
            )
        return _result(path, body)


def _unix(moment: datetime) -> float:
    if moment.tzinfo is None:
        raise ValueError("Prometheus times must be timezone-aware")
    return moment.timestamp()


def _point(pair: list[Any]) -> Point:
    return Point(at=datetime.fromtimestamp(float(pair[0]), UTC), value=float(pair[1]))


def _result(path: str, body: dict[str, Any]) -> QueryResult:
    data = body.get("data") or {}
    kind = data.get("resultType")
    raw = data.get("result")
    warnings = [str(w) for w in body.get("warnings") or []]
    if kind == "scalar":
        return QueryResult(result_type="scalar", series=[Series(points=[_point(raw)])], warnings=warnings)
    if kind == "vector":
        series = [
            Series(labels=item.get("metric", {}), points=[_point(item["value"])]) for item in raw if "value" in item
        ]
        return QueryResult(result_type="vector", series=series, warnings=warnings)
    if kind == "matrix":
        series = [
            Series(labels=item.get("metric", {}), points=[_point(pair) for pair in item.get("values", [])])
            for item in raw
        ]
        return QueryResult(result_type="matrix", series=series, warnings=warnings)
    raise PrometheusError(f"Prometheus GET {path} answered a {kind!r} result, not series", error_type="bad_data")
