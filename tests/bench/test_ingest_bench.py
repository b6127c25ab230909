"""The ingest benchmark at toy size: its report has the promised shape and the storm invariants
hold. Not a timed test: the figures themselves are only meaningful from `make bench`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bench.ingest import LatencyStats, _quantile, main
from bench.traffic import alertmanager_groups, fresh_issues
from tools.webhooks import alertmanager, sentry

NOW = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


def test_quantile_is_nearest_rank():
    samples = [float(n) for n in range(1, 101)]
    assert _quantile(samples, 0.50) == 50.0
    assert _quantile(samples, 0.99) == 99.0
    assert _quantile([7.0], 0.99) == 7.0


def test_latency_stats_report_rate_and_milliseconds():
    stats = LatencyStats.of([0.001, 0.002, 0.003, 0.004], seconds=0.5)
    assert (stats.requests, stats.per_second, stats.p50_ms, stats.p99_ms, stats.max_ms) == (4, 8.0, 2.0, 4.0, 4.0)


def test_alertmanager_groups_are_version_4_with_distinct_alerts():
    deliveries = alertmanager_groups("token", groups=3, size=4, start=NOW)
    alerts = [a for d in deliveries for a in alertmanager.normalise(json.loads(d.body), d.headers, NOW)]
    assert len(alerts) == 12
    assert len({a.delivery_key for a in alerts}) == 12
    alertmanager.verify(deliveries[0].body, deliveries[0].headers, "token")


def test_fresh_issues_are_signed_and_each_a_different_issue():
    deliveries = fresh_issues("secret", 5, start=NOW)
    for delivery in deliveries:
        sentry.verify(delivery.body, delivery.headers, "secret")
    alerts = [sentry.normalise(json.loads(d.body), d.headers, NOW)[0] for d in deliveries]
    assert len({a.dedup_key for a in alerts}) == 5
    assert {a.endpoint for a in alerts} == {"/api/checkout"}


def test_tiny_run_reports_every_phase_and_keeps_the_storm_invariants(tmp_path, capsys):
    out = tmp_path / "bench.json"
    code = main(
        [
            "--n",
            "24",
            "--concurrency",
            "3",
            "--warmup",
            "4",
            "--group-size",
            "3",
            "--storm",
            "40",
            "--redeliveries",
            "6",
            "--fresh",
            "2",
            "--rate",
            "40",
            "--rate-seconds",
            "0.25",
            "--page-reads",
            "40",
            "--page-readers",
            "4",
            "--json-readers",
            "2",
            "--rounds",
            "2",
            "--layout",
            "one",
            "--year-scale",
            "0.002",
            "--year-requests",
            "2",
            "--json",
            str(out),
        ]
    )
    results = json.loads(out.read_text())
    assert code in (0, 1)
    assert set(results) == {"config", "throughput", "fixed_rate", "storm", "response_clock", "status_surge", "year"}

    throughput = results["throughput"]
    for run in ("bare", "warroom"):
        assert throughput["sentry"][run]["requests"] == 24
        assert throughput["sentry"][run]["per_second"] > 0
        assert throughput["sentry"][run]["p50_ms"] <= throughput["sentry"][run]["p99_ms"]
    assert throughput["alertmanager"]["alerts_per_second"] > 0
    assert throughput["sentry"]["ratio"] > 0
    assert len(throughput["sentry"]["round_ratios"]) == 2  # `--rounds 2`: the median pair's figure
    assert throughput["sentry"]["ratio"] in throughput["sentry"]["round_ratios"]

    assert results["fixed_rate"]["requests"] == 10
    assert results["fixed_rate"]["failures"] == 0

    storm = results["storm"]
    assert storm["ok"] is True
    assert (storm["incidents"], storm["alerts_stored"], storm["lost"], storm["duplicates"]) == (1, 40, 0, 0)
    assert storm["redeliveries_recognised"] == storm["redeliveries"] == 6
    assert storm["incident_event_count"] == 40
    assert len(storm["rss_growth_kib_by_quarter"]) == 4

    clock = results["response_clock"]
    assert clock["incidents"] == 2
    assert 0 < clock["status_page_p50_ms"] <= clock["status_page_p99_ms"]
    assert 0 < clock["comms_draft_p50_ms"] <= clock["comms_draft_p99_ms"]
    assert clock["storm"]["requests"] == 10 and clock["storm"]["failures"] == 0  # it ran beside the clock
    surge = results["status_surge"]
    assert surge["json"]["requests"] == surge["html"]["requests"] == surge["bare"]["requests"] == 40
    assert surge["statuses"]["json"] == {"200": 40} and surge["statuses"]["html"] == {"200": 40}
    assert surge["conditional_304"] == surge["conditional_total"] == 40
    assert surge["json_readers"] == 2 and surge["bare_at_page_readers"]["requests"] == 40
    year = results["year"]
    assert set(year["ratios"]) >= {"api_list", "web_incident", "status_rebuilt", "web_digest", "ingest.rated"}
    assert year["year"]["api_list"]["n"] == year["quarter"]["api_list"]["n"] == 2
    out = capsys.readouterr().out
    assert "warroom ingest benchmark" in out and "year:" in out


def test_the_default_layout_runs_the_worker_in_its_own_process(tmp_path):
    """As `warroom serve` does: the storm is triaged by a child process, whose memory is reported."""
    out = tmp_path / "bench.json"
    main(["--phases", "storm", "--storm", "40", "--redeliveries", "4", "--concurrency", "3", "--json", str(out)])
    storm = json.loads(out.read_text())["storm"]
    assert storm["ok"] is True
    assert len(storm["worker_rss_growth_kib_by_quarter"]) == 4
    assert storm["worker_rss_kib"] > 50_000  # a child process holding the graphs was found and measured
    assert json.loads(out.read_text())["config"]["layout"] == "processes"
