"""Latency against its objective, stated or computed, and the share of requests over it."""

from __future__ import annotations

import pytest

from tests.agents.cto.alerts import signals


@pytest.mark.parametrize(
    ("title", "factor", "percentile"),
    [
        ("API p99 latency 25s (SLO 500ms)", 50.0, "p99"),
        ("api p95 latency 1.8s (SLO 400ms)", 4.5, "p95"),
        ("search p99 latency 2.6s, 5.2x the 500ms SLO", 5.2, "p99"),
        ("checkout p95 latency 6.0s is 4x SLO (1.5s)", 4.0, "p95"),
        ("image CDN p95 latency 1.6x SLO", 1.6, "p95"),
        ("p95 latency 800ms vs 500ms objective", 1.6, "p95"),
        ("search latency 4x over SLO for 10m", 4.0, None),
        ("pms-web p95 latency 7.4 s (SLO p95 < 1.5 s)", 7.4 / 1.5, "p95"),  # a comparator after the SLO
        ("p95 is 5214ms (critical threshold 4500ms = 3x the 1500ms board-open SLO)", 5.214 / 1.5, "p95"),
        ("Query p95 24s vs SLO 5s; 40% of queries slower than SLO", 24 / 5, "p95"),  # 'vs' is not the SLO's name
        ("pms-web p95 latency 7.4 s, above 3x SLO (SLO 1.5 s)", 7.4 / 1.5, "p95"),  # the numbers say how far
        ("p95 is 5214ms (critical threshold 4500ms = 3x SLO of 1500ms)", 5.214 / 1.5, "p95"),  # 3x is the threshold
        # a word between the latency and 'SLO' is not the SLO's name
        ("p95 latency 6.2s exceeds SLO of 1s", 6.2, "p95"),
        ("p95 latency 6s with SLO 1.5s", 4.0, "p95"),
        ("p95 latency 6s while SLO is 1.5s", 4.0, "p95"),
        ("p95 latency 6s misses SLO 1.5s", 4.0, "p95"),
        ("p95 2.1s and SLO 500ms", 4.2, "p95"),
        ("Checkout latency SLO p95 6.2s (objective 1s)", 6.2, "p95"),  # 'SLO p95' names the measure here
        ("p95 latency 6s over 1h rolling SLO of 1.5s", 4.0, "p95"),
        # the objective the semicolon cut into the next clause
        ("p95(transaction.duration) 3,140ms in the last 5 minutes (critical > 1,500ms; SLO 500ms)", 6.28, "p95"),
        # the objective's value the colon cut from its name
        ("robin-api p95 latency 7.84 s (SLO: p95 < 1.0 s)", 7.84, "p95"),
    ],
)
def test_latency_is_a_factor_of_its_slo(title: str, factor: float, percentile: str | None):
    found = signals(title).latency[0]
    assert found.factor == pytest.approx(factor)
    assert (found.reference, found.percentile) == ("slo", percentile)


def test_a_window_is_not_a_latency():
    found = signals("checkout p99 latency 6.2s over the last 10m (SLO 1.5s)").latency[0]
    assert found.observed_seconds == 6.2


def test_a_comparison_with_normal_is_kept_apart_from_the_slo():
    found = signals("add-on provisioning p95 38m (normal 3m)").latency[0]
    assert (found.reference, found.observed_seconds) == ("baseline", 2280)
    assert signals("rebuffer ratio 3x baseline for 15% of viewers").latency[0].reference == "baseline"


def test_the_share_of_requests_over_the_slo_is_read_beside_it():
    found = signals("search-api p99 latency 2.4s (SLO 500ms); 35% of requests slower than the SLO").latency
    assert found[0].factor == pytest.approx(4.8)
    assert (
        signals("search-api p99 latency 2.4s (SLO 500ms); 35% of requests slower than the SLO").slow_shares[0][0]
        == 0.35
    )
    assert signals("search p99 4.8x SLO for 35% of requests").latency[0].slow_share == 0.35


def test_no_latency_without_a_latency_word():
    assert not signals("queue age 47 minutes (normal 2m)").latency


def test_a_stated_bound_above_a_factor_is_above_it_when_no_numbers_say_by_how_much():
    """'above 3x SLO' is the monitor's threshold: the latency is more than 3x, the table's P1 row."""
    found = signals("Board open p95 above 3x SLO").latency[0]
    assert (found.factor, found.above) == (3.0, True)
    exact = signals("checkout p95 latency is 3x SLO").latency[0]
    assert (exact.factor, exact.above) == (3.0, False)


def test_a_value_against_its_slo_under_a_latency_title_is_latency_without_the_word():
    read = signals(
        "doxy-web p95 latency above SLO",
        "p95 request duration was > 6 on average during the last 5m. Current value: 7.9 s (SLO 2 s). Error rate 0.8%.",
    )
    assert [round(x.factor, 2) for x in read.latency] == [3.95]
    assert signals("export job slow", "Current value: 48 min (SLO 20 min)").latency == []


def test_an_objective_in_the_next_clause_is_taken_only_when_that_clause_observes_nothing():
    assert not signals("p95 3,140ms in the last 5 minutes (critical > 1,500ms; queue depth 500)").latency
    [found] = signals("p95 3.1s in the last 5m; p95 2.2s an hour ago (SLO 500ms)").latency
    assert found.factor == pytest.approx(2.2 / 0.5)  # the next clause measures on its own


@pytest.mark.parametrize(
    "text",
    [
        "checkout p95 3.1s over 5m; search SLO 500ms",
        "p95 latency 3.1s (warning > 2s; p50 SLO 300ms)",
        "API latency p95 3.1s over 5m. Search SLO 500ms.",
    ],
)
def test_another_measures_objective_in_the_next_clause_is_not_this_ones(text: str):
    assert not signals(text).latency
