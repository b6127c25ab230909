"""The deterministic engine end to end (readers, then the table) on the alert shapes the issue named."""

from __future__ import annotations

from agents.cto.severity import classify
from tests.agents.cto.alerts import alert
from warroom.severity import Confidence, Severity


def test_a_payments_5xx_ratio_just_under_half_is_p0_not_p1():
    result = classify(alert("PaymentsHighErrorRatio", "5xx ratio 0.47 over 5m", service="payments", level="critical"))
    assert (result.severity, result.rule) == (Severity.P0, "critical_path_failing")
    assert any(e.signal == "failing_share" and "47.0%" in e.detail for e in result.evidence)


def test_search_latency_several_times_its_slo_with_a_large_slow_share_is_p1_whatever_the_warning_label():
    result = classify(
        alert(
            "search-api p99 latency 2.4s (SLO 500ms)",
            "38% of requests slower than the SLO",
            service="search-api",
            level="warning",
        )
    )
    assert (result.severity, result.rule) == (Severity.P1, "latency_over_3x_slo")


def test_a_cosmetic_renderer_failing_entirely_while_pages_still_load_is_p2():
    result = classify(
        alert(
            "image-thumbnail renderer: 100% of requests failing",
            "Pages still load with placeholder images.",
            service="thumbnailer",
            level="critical",
        )
    )
    assert result.severity is Severity.P2


def test_one_customers_data_shown_to_another_is_p0_at_low_volume_and_a_warning_label():
    result = classify(
        alert(
            "Invoice of one customer shown to another customer",
            source="sentry",
            level="warning",
            event_count=2,
            users_affected=2,
        )
    )
    assert (result.severity, result.floor) == (Severity.P0, Severity.P0)


def test_a_single_monitor_alert_describing_a_total_failure_reaches_outage_level():
    assert classify(alert("checkout unreachable", service="checkout", level="warning")).severity is Severity.P0
    assert classify(alert("Zero orders received in the last 10 minutes", service="shop")).severity is Severity.P0


def test_known_traffic_turns_critical_path_errors_into_a_share():
    low_traffic = alert(
        "IntegrityError",
        source="sentry",
        endpoints=["/api/checkout"],
        event_count=40,
        minutes=5,
        requests_per_minute=8,
        users_affected=30,
    )
    small_share = alert(
        "ValidationError: postcode",
        source="sentry",
        endpoints=["/api/checkout"],
        event_count=64,
        minutes=2,
        requests_per_minute=2000,
        users_affected=64,
    )
    assert classify(low_traffic).severity is Severity.P0
    assert classify(small_share).severity is Severity.P2


def test_non_production_is_p3_however_loud():
    result = classify(
        alert(
            "TypeError", source="sentry", endpoints=["/api/checkout"], event_count=400, minutes=2, environment="staging"
        )
    )
    assert (result.severity, result.confidence) == (Severity.P3, Confidence.CONFIDENT)


def test_production_data_lost_by_a_job_labelled_test_is_p0():
    result = classify(
        alert("Test run executed TRUNCATE on 31 tables of the production database", environment="test", level="info")
    )
    assert result.severity is Severity.P0


def test_with_nothing_read_the_label_decides_but_the_decision_is_uncertain():
    result = classify(alert("A little bump in the road", level="critical"))
    assert (result.severity, result.rule, result.confidence) == (Severity.P1, "source_label_only", Confidence.UNCERTAIN)
    assert result.asks_confirmation


def test_every_classification_names_its_rule_and_quotes_what_it_read():
    result = classify(alert("checkout error rate 62% over last 5m", service="checkout", level="p1"))
    assert result.rule == "critical_path_failing"
    quoted = [e.quote for e in result.evidence if e.quote]
    assert "checkout error rate 62% over last 5m" in quoted


def test_the_alert_text_the_rules_read_is_cut_between_words_so_no_half_credential_reaches_the_quotes():
    """A key straddling the 8,000-character cut would leave a head too short to be recognised and redacted."""
    from agents.cto.assess import _cut

    text = "x " * 3_996 + "token sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc" * 2 + " more"
    cut = _cut(text, 8_000)
    assert len(cut) <= 8_000 and cut.endswith("token")
    assert _cut("short text", 8_000) == "short text"
    assert _cut("a b", 2) == "a"  # the space itself is where it ends
    assert _cut("abc def ghi", 8) == "abc def"  # cut right after a space: the whole words stay
    assert _cut(" abcdef", 4) == ""  # whitespace, then a cut word: nothing of the word
    assert _cut("   abc", 3) == ""
    assert _cut("abcdef", 3) == ""  # one word throughout: dropped whole
