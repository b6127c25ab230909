"""Each rule of the severity table as agents/cto/severity.py applies it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agents.cto.severity import PastIncident, SeveritySignals, classify
from warroom.settings import DEFAULT_CRITICAL_PATHS
from warroom.severity import Severity

START = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


def signals(title: str, *, minutes: float = 0, **fields) -> SeveritySignals:
    values = {
        "first_seen": START,
        "last_seen": START + timedelta(minutes=minutes),
        "environment": "production",
        "critical_paths": list(DEFAULT_CRITICAL_PATHS),
        **fields,
    }
    return SeveritySignals(title=title, **values)


def test_critical_path_at_ten_errors_a_minute_is_p0_with_a_p0_floor():
    result = classify(signals("TypeError", endpoints=["/api/checkout"], event_count=30, minutes=3))
    assert (result.severity, result.floor) == (Severity.P0, Severity.P0)


def test_a_single_error_on_a_critical_path_is_p1():
    assert classify(signals("TypeError", endpoints=["/api/checkout"])).severity is Severity.P1


def test_known_traffic_turns_critical_path_errors_into_a_share():
    low_traffic = signals("IntegrityError", endpoints=["/api/checkout"], event_count=8, requests_per_minute=8)
    small_share = signals("ValidationError", endpoints=["/api/checkout"], event_count=30, requests_per_minute=2000)
    assert classify(low_traffic).severity is Severity.P0
    assert classify(small_share).severity is Severity.P2


def test_availability_below_99_percent_is_p0():
    assert classify(signals("api availability 97.2% over the last 5m")).severity is Severity.P0
    assert classify(signals("api availability 99.5% over the last 5m", level="warning")).severity is Severity.P3


def test_reported_failing_share_maps_to_the_table():
    assert classify(signals("checkout 5xx error ratio 78% over 5m", service="checkout")).severity is Severity.P0
    assert classify(signals("search: 31% of requests failing")).severity is Severity.P1
    assert classify(signals("search 5xx ratio 3.1% over 5m", level="warning")).severity is Severity.P2


def test_most_of_a_non_critical_service_failing_is_p1_not_p0():
    assert classify(signals("recs error rate 80%", service="recs")).severity is Severity.P1


def test_latency_above_three_times_the_slo_is_p1_and_below_is_p2():
    assert classify(signals("api p95 latency 1.8s (SLO 400ms)", level="warning")).severity is Severity.P1
    assert classify(signals("search p99 latency 2.6s, 5.2x the 500ms SLO")).severity is Severity.P1
    assert classify(signals("api p99 latency 900ms (SLO 500ms)", level="warning")).severity is Severity.P2


def test_latency_on_a_critical_path_is_not_an_outage():
    result = classify(signals("checkout p95 latency 6.0s is 4x SLO (1.5s)", service="checkout", level="p2"))
    assert result.severity is Severity.P1


def test_total_outage_depends_on_what_is_down():
    assert (
        classify(signals("Payment processor returning 503 for all card payments", service="Payments")).severity
        is Severity.P0
    )
    assert (
        classify(signals("Primary database unreachable: all API requests failing", service="Core API")).severity
        is Severity.P0
    )
    assert classify(signals("all requests from eu-west-1 failing", service="edge")).severity is Severity.P1
    assert classify(signals("Avatar service is down", service="avatars", level="critical")).severity is Severity.P2


def test_a_non_critical_feature_down_outweighs_a_critical_label():
    result = classify(signals("avatar upload service down: 0 healthy targets", service="avatars", level="critical"))
    assert result.severity is Severity.P2
    hint = next(e for e in result.evidence if e.signal == "source_severity")
    assert "outweighs" in hint.detail


def test_source_hints_decide_when_the_alert_says_nothing_else():
    assert classify(signals("A little bump in the road", level="p1")).severity is Severity.P1
    assert classify(signals("Recommendations", level="high")).severity is Severity.P2
    assert classify(signals("Watchdog", level="none")).severity is Severity.P3


def test_a_degradation_symptom_keeps_a_warning_at_p2():
    assert classify(signals("email queue lag 12 minutes", level="warning")).severity is Severity.P2


def test_metric_alert_counts_in_the_text_are_a_rate():
    title = "Critical: Checkout errors above 500 in 10 minutes"
    assert classify(signals(title, service="checkout", level="critical")).severity is Severity.P0
    assert (
        classify(signals("Warning: Blog errors above 100 per hour", service="blog", level="warning")).severity
        is Severity.P2
    )


def test_security_or_data_loss_is_p0_even_for_one_event():
    result = classify(signals("SecurityAlert: 12,000 customer records exfiltrated", level="warning"))
    assert (result.severity, result.floor) == (Severity.P0, Severity.P0)
    assert classify(signals("Data corruption: checksum failures on postgres primary")).severity is Severity.P0


def test_capacity_warnings_and_cosmetic_errors_are_p3():
    assert classify(signals("Disk usage above 80% on db-1", level="warning")).severity is Severity.P3
    assert classify(signals("SSL certificate for api.example.com expires in 21 days")).severity is Severity.P3
    assert classify(signals("Failed to load resource: /favicon.ico 404", level="error")).severity is Severity.P3


def test_non_production_is_p3_however_loud():
    result = classify(signals("TypeError", endpoints=["/api/checkout"], event_count=400, environment="staging"))
    assert result.severity is Severity.P3


def test_several_customer_reports_are_p1_and_one_is_p2():
    assert classify(signals("Customer report: CSV export empty", event_count=4)).severity is Severity.P1
    assert classify(signals("Customer report: CSV export empty")).severity is Severity.P2


def test_a_fifth_of_users_affected_is_p1():
    result = classify(signals("TypeError", level="error", users_affected=300, total_users=1200))
    assert result.severity is Severity.P1


def test_an_alert_that_historically_self_resolved_is_p3_without_comms():
    past = [PastIncident(id=n, title="clock skew", severity=Severity.P2, self_resolved_minutes=2) for n in range(3)]
    result = classify(signals("Clock skew detected on web-2", level="error", similar_past=past))
    assert result.severity is Severity.P3 and result.skip_comms
