"""The Prometheus client against a real Prometheus serving backfilled, known samples.

The data: checkout serves 10 requests/s all along; from 02:00 it also fails 5 requests/s and its
database pool sits at 100 connections instead of 20. Samples every 15 s from 01:30 to 02:30.
The test fails, never skips, when Prometheus is not installed: `make test` installs it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from api.server import free_port
from tests.fakes.prometheus import MetricFamily, PrometheusServer, openmetrics, running_prometheus
from tools.prometheus import Point, Prometheus, PrometheusError

START = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)
INCIDENT = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
TIMES = [START + timedelta(seconds=15 * n) for n in range(241)]
CHECKOUT = (("service", "checkout"),)


def data() -> str:
    requests = MetricFamily(
        "http_requests_total",
        "counter",
        "HTTP requests served.",
        {
            (*CHECKOUT, ("code", "200")): [(t, 10 * (t - START).total_seconds()) for t in TIMES],
            (*CHECKOUT, ("code", "500")): [(t, 5 * max((t - INCIDENT).total_seconds(), 0)) for t in TIMES],
        },
    )
    pool = MetricFamily(
        "db_pool_in_use", "gauge", "Connections in use.", {CHECKOUT: [(t, 100 if t >= INCIDENT else 20) for t in TIMES]}
    )
    return openmetrics([requests, pool])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    with running_prometheus(data(), tmp_path_factory.mktemp("prometheus")) as server:
        yield server


@pytest.fixture
def prometheus(server: PrometheusServer) -> Prometheus:
    return Prometheus(httpx.Client(base_url=server.base_url))


def test_query_range_shows_errors_starting_at_the_incident(prometheus: Prometheus) -> None:
    result = prometheus.query_range(
        'sum by (code) (rate(http_requests_total{service="checkout"}[1m]))',
        INCIDENT - timedelta(minutes=10),
        INCIDENT + timedelta(minutes=10),
        timedelta(minutes=5),
    )

    assert result.result_type == "matrix"
    by_code = {series.labels["code"]: series.points for series in result.series}
    assert [p.at for p in by_code["500"]] == [INCIDENT + timedelta(minutes=m) for m in (-10, -5, 0, 5, 10)]
    assert [p.value for p in by_code["500"]] == pytest.approx([0, 0, 0, 5, 5])
    assert [p.value for p in by_code["200"]] == pytest.approx([10] * 5)


def test_query_range_keeps_the_metric_name_and_labels(prometheus: Prometheus) -> None:
    result = prometheus.query_range("db_pool_in_use", INCIDENT, INCIDENT + timedelta(minutes=1), timedelta(seconds=30))

    [series] = result.series
    assert series.labels == {"__name__": "db_pool_in_use", "service": "checkout"}
    assert series.points == [
        Point(at=INCIDENT, value=100),
        Point(at=INCIDENT + timedelta(seconds=30), value=100),
        Point(at=INCIDENT + timedelta(seconds=60), value=100),
    ]


def test_instant_query_before_and_after(prometheus: Prometheus) -> None:
    before = prometheus.query('db_pool_in_use{service="checkout"}', INCIDENT - timedelta(minutes=5))
    after = prometheus.query('db_pool_in_use{service="checkout"}', INCIDENT + timedelta(minutes=5))

    assert before.result_type == "vector"
    assert [s.points for s in before.series] == [[Point(at=INCIDENT - timedelta(minutes=5), value=20)]]
    assert [s.points[0].value for s in after.series] == [100]


def test_scalar_is_one_series_without_labels(prometheus: Prometheus) -> None:
    result = prometheus.query("scalar(sum(db_pool_in_use))", INCIDENT + timedelta(minutes=1))

    assert result.result_type == "scalar"
    assert [(s.labels, [p.value for p in s.points]) for s in result.series] == [({}, [100])]


def test_a_series_with_no_samples_is_an_empty_result_not_an_error(prometheus: Prometheus) -> None:
    assert prometheus.query("up", INCIDENT).series == []


def test_division_by_zero_gives_infinity_as_prometheus_writes_it(prometheus: Prometheus) -> None:
    result = prometheus.query('db_pool_in_use{service="checkout"} / 0', INCIDENT)

    assert result.series[0].points[0].value == float("inf")


def test_bad_expression_is_a_permanent_bad_data_error(prometheus: Prometheus) -> None:
    with pytest.raises(PrometheusError) as raised:
        prometheus.query("rate(http_requests_total[", INCIDENT)

    error = raised.value
    assert (error.status, error.error_type, error.retryable) == (400, "bad_data", False)
    assert "parse error" in str(error)


def test_too_many_points_is_refused_by_prometheus(prometheus: Prometheus) -> None:
    with pytest.raises(PrometheusError) as raised:
        prometheus.query_range("db_pool_in_use", START, INCIDENT, timedelta(milliseconds=100))

    assert (raised.value.error_type, raised.value.retryable) == ("bad_data", False)
    assert "11,000 points" in str(raised.value)


def test_evaluation_past_the_timeout_is_a_retryable_timeout(server: PrometheusServer) -> None:
    impatient = Prometheus(httpx.Client(base_url=server.base_url), timeout=1e-9)

    with pytest.raises(PrometheusError) as raised:
        impatient.query_range("rate(http_requests_total[1m])", START, INCIDENT, timedelta(seconds=15))

    assert (raised.value.status, raised.value.error_type, raised.value.retryable) == (503, "timeout", True)


def test_the_timeout_is_sent_to_prometheus(server: PrometheusServer) -> None:
    sent: list[httpx.Request] = []
    client = httpx.Client(base_url=server.base_url, event_hooks={"request": [sent.append]})

    Prometheus(client, timeout=7.5).query("db_pool_in_use", INCIDENT)

    assert sent[0].url.path == "/api/v1/query"
    assert sent[0].url.params["timeout"] == "7.5"
    assert sent[0].extensions["timeout"]["read"] == 9.5


def test_naive_times_are_refused_before_any_request(prometheus: Prometheus) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        prometheus.query("db_pool_in_use", datetime(2026, 11, 3, 2, 0))


def test_unreachable_prometheus_is_retryable() -> None:
    closed = Prometheus(httpx.Client(base_url=f"http://127.0.0.1:{free_port()}"))

    with pytest.raises(PrometheusError) as raised:
        closed.query("up", INCIDENT)

    assert (raised.value.status, raised.value.retryable) == (None, True)


def test_server_starts_from_the_backfill_and_stops_at_the_end(tmp_path: Path) -> None:
    with running_prometheus(data(), tmp_path) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        assert server.process.poll() is None
        assert server.startup_seconds < 10
        assert list((tmp_path / "data").glob("*/meta.json")), "promtool wrote no block"

    assert server.process.returncode is not None
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
