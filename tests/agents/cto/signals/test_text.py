"""Cutting alert text into clauses and reading its numbers with their units."""

from __future__ import annotations

import pytest

from agents.cto.signals.text import clauses, clean, duration_seconds, name_tokens, negated, normalise, numbers


def test_monitor_decoration_is_removed_so_a_link_is_never_a_measurement():
    text = "**trace.errors** was **> 0.05** [[Monitor Status](https://app.datadoghq.com/monitors/46385725)] @webhook-x"
    assert clean(text) == "trace.errors was > 0.05  "
    assert "value" not in clean(
        "login error ratio 91% over 5m: [ var='B' labels={} value=0.91 ], [ var='C' labels={} value=1 ]"
    )


def test_clauses_end_at_semicolons_colons_pipes_and_sentences_but_not_decimals():
    parts = [
        c.text for c in clauses("api p99 2.1s (SLO 1.5s); 0.5% of requests fail. Reads unaffected | x: y", "title")
    ]
    assert parts == ["api p99 2.1s (SLO 1.5s", "0.5% of requests fail", "Reads unaffected", "x", "y"]
    assert {c.field for c in clauses("a; b", "message")} == {"message"}
    # a sentence that ends in a number or a name with digits ends there too
    ended = [c.text for c in clauses("success 38% in eu-west-1. us-east-1 99.5% unchanged. Errors 2.5% now", "message")]
    assert ended == ["success 38% in eu-west-1", "us-east-1 99.5% unchanged", "Errors 2.5% now"]


def test_numbers_carry_units_thresholds_and_targets():
    found = {n.text: n for n in numbers("error rate above 50%: 88% now (SLO 99.9%), p99 900ms, 5.2x, was > 0.05")}
    assert (found["88%"].unit, found["88%"].bound, found["88%"].target) == ("%", "exact", False)
    assert found["50%"].bound == "at_least"
    assert found["99.9%"].target
    assert found["900ms"].unit == "ms" and found["5.2x"].unit == "x"
    assert found["> 0.05"].bound == "at_least"


def test_durations_in_every_unit():
    values = {n.text: duration_seconds(n) for n in numbers("500ms 2.5s 38m 2 hours 27 days 13 months 3 weeks")}
    assert values == {
        "500ms": 0.5,
        "2.5s": 2.5,
        "38m": 2280,
        "2 hours": 7200,
        "27 days": 2_332_800,
        "13 months": 33_696_000,
        "3 weeks": 1_814_400,
    }


def test_names_split_into_words_and_sign_in_forms_become_one_word():
    assert name_tokens("Web.AuthController.github_callback/2") == [
        "web",
        "auth",
        "controller",
        "github",
        "callback",
        "2",
    ]
    assert "signin" in name_tokens("merchant sign-in p99") and "login" in name_tokens("users cannot log in")


def test_denials_and_hypotheticals_are_recognised():
    text = "not accepting commands to avoid wraparound data loss"
    assert negated(text, text.index("data loss"))
    assert not negated("data loss on the primary", 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31 percent of requests", "31% of requests"),
        ("31 pct", "31%"),
        ("3,100 of 10,000 requests failing", "31% of requests failing"),
        ("4 in 10 requests", "40% of requests"),
        ("19 of every 1,000 requests", "1.9% of requests"),
        ("half of all traffic", "50% of all traffic"),
        ("throughput halved", "throughput down 50%"),
        ("6 of 310 hosts", "6 of 310 hosts"),
        ("half an hour", "half an hour"),
        ("v2 of 3 hosts", "v2 of 3 hosts"),
        ("12 of 5 requests", "12 of 5 requests"),
        ("Successful payments in the last 10m: 0 of 412", "Successful payments in the last 10m: 0%"),
        ("successful sign-ins in the last 10m: 88 of 1,412", "successful sign-ins in the last 10m: 6.23%"),
        ("Checkout ALB healthy hosts: 1 of 3", "Checkout ALB healthy hosts: 1 of 3"),  # the noun is further back
        ("Nightly invoice job failed at step 2 of 3", "Nightly invoice job failed at step 2 of 3"),
        ("Checkout request failed after retries: 3 of 3", "Checkout request failed after retries: 3 of 3"),
        ("failed login attempts 5 of 5, account locked", "failed login attempts 5 of 5, account locked"),
        ("login failures for user alice: 5 of 5", "login failures for user alice: 5 of 5"),
        ("failed uploads: 2 out of 1,000.", "failed uploads: 0.2%."),
        ("requests erroring on 3 of 12 hosts", "requests erroring on 3 of 12 hosts"),  # a count of its own unit
        ("checkout errors: 3 of 12 pods", "checkout errors: 3 of 12 pods"),
        ("orders: 3 of 5 stages done", "orders: 3 of 5 stages done"),
        ("payments v3 of 4", "payments v3 of 4"),
    ],
)
def test_shares_take_one_spelling(text: str, expected: str):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    "text", ["checkout errors: 12 in 15 minutes", "payment failures 3 in 5 min", "login errors 2 in 10 seconds"]
)
def test_a_count_in_a_time_window_is_not_a_share(text: str):
    assert "%" not in normalise(text)


def test_a_denial_reaches_across_or_but_not_across_a_comma_or_from_not():
    def denies(text: str, word: str) -> bool:
        return negated(text, text.index(word))

    assert denies("No request errors or latency change on learner-facing services", "latency")
    assert denies("without drops or latency spikes", "latency")
    assert denies("no errors nor timeouts", "timeouts")
    assert not denies("no errors, latency 5x the SLO", "latency")
    assert not denies("errors or latency", "latency")
    assert not denies("no response or connection timed out from all 5 locations", "timed out")  # 'no response' fails
    assert not denies("Clients get no reply or 504 gateway timeouts on 40% of requests", "timeouts")


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("roughly 10-20% of package fetches return 503", "roughly 15% of package fetches return 503"),
        ("10% to 20% of logins fail", "15% of logins fail"),
        ("between 30 and 40% of checkouts fail", "35% of checkouts fail"),
        ("rose from 2% to 40%", "rose from 2% to 40%"),  # a change, not a range
        ("5xx jumped 2% to 40%", "5xx jumped 2% to 40%"),
        ("errors 3% and latency 40%", "errors 3% and latency 40%"),  # two measures
    ],
)
def test_a_range_of_shares_is_read_at_its_middle_and_a_change_is_left_as_it_is(text: str, read: str):
    assert normalise(text) == read


def test_a_value_named_after_a_colon_takes_its_measure_from_the_clause_before():
    parts = clauses("errors / hits was > 0.05 during the last 5m: value 0.67; Breakdown: x", "message")
    assert [(c.text, c.heading) for c in parts][:2] == [
        ("errors / hits was > 0.05 during the last 5m", ""),
        ("value 0.67", "errors / hits was > 0.05 during the last 5m"),
    ]
