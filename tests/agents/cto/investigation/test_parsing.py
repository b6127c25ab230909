"""Reading PromQL for the series an alert names, and a series for when it left its usual level."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agents.cto.investigation.promql import selectors
from agents.cto.investigation.runbook import runbook_sections
from agents.cto.investigation.series import per_minute, shape


def test_an_alert_expression_names_its_series_not_its_functions_labels_or_numbers() -> None:
    expression = (
        'sum by (region) (rate(http_requests_total{service="web",code=~"5.."}[2m])) '
        '/ sum by (region) (rate(http_requests_total{service="web"}[2m] offset 1h)) > 0.05 and up{job="web"} == 1e3'
    )
    assert [s.promql() for s in selectors(expression)] == [
        'http_requests_total{service="web",code=~"5.."}',
        'http_requests_total{service="web"}',
        'up{job="web"}',
    ]


def test_a_selector_narrowed_by_labels_escapes_their_values() -> None:
    [selector] = selectors("pm2_restarts_total")
    assert selector.with_labels({"instance": 'a"b'}).promql() == 'pm2_restarts_total{instance="a\\"b"}'


def test_a_counter_is_read_as_its_increase_per_minute_and_a_reset_counts_from_zero() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    points = [(t0, 10.0), (t0 + timedelta(minutes=1), 70.0), (t0 + timedelta(minutes=3), 5.0)]
    assert per_minute(points) == [(t0 + timedelta(minutes=1), 60.0), (t0 + timedelta(minutes=3), 2.5)]


def test_a_series_that_jumps_at_the_incident_is_seen_leaving_its_baseline() -> None:
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    points = [(start - timedelta(minutes=60 - n), 1.0 + (n % 2) * 0.1) for n in range(55)]
    points += [(start - timedelta(minutes=5 - n), 40.0) for n in range(6)]
    read = shape(points, start)
    assert read.baseline is not None and 1.0 <= read.baseline <= 1.1
    assert read.changed_at == start - timedelta(minutes=5)
    assert read.peak == 40.0


def test_a_steady_series_has_no_change() -> None:
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    points = [(start - timedelta(minutes=60 - n), 5.0) for n in range(65)]
    assert shape(points, start).changed_at is None


def test_runbook_sections_are_cited_by_github_s_heading_slug() -> None:
    sections = runbook_sections(
        '# shop\nintro\n## Rule bundle deploys\nRoll back.\n## H10 "App crashed"\nRestart once.\n'
    )
    assert [(s.citation, s.text) for s in sections] == [
        ("runbook:rule-bundle-deploys", "Roll back."),
        ("runbook:h10-app-crashed", "Restart once."),
    ]
