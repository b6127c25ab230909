"""Failing shares, availability and throughput in every form a monitor states them."""

from __future__ import annotations

import pytest

from agents.cto.signals.facts import StateKind
from tests.agents.cto.alerts import signals


@pytest.mark.parametrize(
    ("title", "share", "unit"),
    [
        ("payments 5xx ratio 0.48 over 5m", 0.48, "requests"),
        ("checkout error rate 48% over last 5m", 0.48, "requests"),
        ("HTTP 530 on 1.9% of requests over 5m", 0.019, "requests"),
        ("37% of sign-ins timing out", 0.37, "sign-ins"),
        ("Kinesis PutRecord errors 63% in us-east-1", 0.63, "requests"),
        ("create/resume failing for ~25% of customers", 0.25, "customers"),
        ("reddit.com 5xx ratio 1.0 over 5m", 1.0, "requests"),
        ("48% of workflow jobs queued for more than 5 minutes", 0.48, "jobs"),
        ("sensor heartbeat lost from 97% of Windows hosts", 0.97, "hosts"),
        ("Package tarball requests returning 404: 33% over 15m", 0.33, "requests"),
        ("every request to reddit.com failing since 14:02", 1.0, "request"),
        ("0.58 of load balancer responses are 404", 0.58, "responses"),
        ("404 ratio above 0.05 over the last 5m (now 0.58)", 0.58, "requests"),
        ("97% of Windows endpoints stopped reporting", 0.97, "endpoints"),
        ("certificate not found; 0.13% of /login/callback requests in eu over 30m", 0.0013, "requests"),
    ],
)
def test_a_failing_share_is_read_in_percent_and_ratio_forms(title: str, share: float, unit: str):
    found = signals(title).shares[0]
    assert found.share == pytest.approx(share)
    assert found.unit == unit
    assert found.quote in title and found.field == "title"


def test_a_number_after_a_colon_measures_what_the_words_before_it_name_and_only_then():
    assert not signals("Build queue: 62% of runners busy").shares
    disk = signals("Disk usage high: 91%")
    assert not disk.shares and [s.percent for s in disk.saturation] == [91]


def test_the_monitors_current_value_is_a_measure_and_its_threshold_a_bound():
    found = signals(
        "x", "trace.http.request.errors over service:api was > 0.05 during the last 5m (current 0.38)"
    ).shares
    assert {(s.share, s.bound) for s in found} == {(0.05, "at_least"), (0.38, "exact")}


def test_a_target_is_never_read_as_a_measure():
    found = signals("api availability 97.2% over the last 5m (SLO 99.9%)")
    assert [a.percent for a in found.availability] == [97.2]
    assert not found.shares


def test_availability_uptime_and_success_ratios_are_availability():
    assert signals("slack.com availability 39% over 5m").availability[0].percent == 39
    assert (
        signals("x", "Ratio of non-5xx responses to all responses for api over 5m is 0.972").availability[0].percent
        == 97.2
    )
    assert signals("login success rate 62% over 5m").availability[0].percent == 62
    assert signals("x", "ATM withdrawal success rate: 0.27.").availability[0].percent == 27
    assert not signals("x", "Nightly backup job success: 0.0").availability  # a job's outcome, not a rate
    assert not signals("x", "CI pipeline success: 0.72").availability
    assert signals("x", "payment success rate: 0.31 (baseline 0.93)").availability[0].percent == 31
    assert signals("x", "Successful payments in the last 10m: 0 of 412").availability[0].percent == 0
    assert not signals("us-east-1 availability zone 1a: 41% of instances failing").availability


def test_a_failure_word_inside_another_word_does_not_claim_a_success_rate():
    read = signals("webhook dispatch lag 40m", "Delivery success rate of dequeued jobs 99.6%, dead-letter count flat.")
    assert [a.percent for a in read.availability] == [99.6]
    assert not read.shares


def test_every_request_failing_is_a_whole_share_in_either_order():
    assert signals("Signup returns 500 for every request").shares[0].share == 1.0
    assert signals("x", "Every write that records an event fails").shares[0].unit == "write"
    assert signals("Payment processor returning 503 for all card payments").shares[0].share == 1.0


def test_every_one_of_any_plural_unit_failing_is_a_whole_share():
    found = signals("All game joins failing").shares[0]
    assert (found.share, found.unit) == (1.0, "joins")


def test_a_share_of_work_waiting_past_its_threshold_is_failing():
    assert signals("Build queue: 40% of jobs waiting more than 30 minutes").shares[0].share == 0.4


def test_succeeded_and_dropped_to_zero_are_read():
    assert signals("98.2% of requests succeeded over 5m").availability[0].percent == 98.2
    assert signals("checkout requests per second dropped to near zero").throughput[0].remaining == 0


def test_n_of_m_units_failing_is_a_share_of_those_units():
    found = signals("flaps: 3 of 5 control-plane members down").shares[0]
    assert (found.share, found.unit, found.measure) == (0.6, "control-plane members", "3 of 5")


def test_a_share_with_no_measure_word_is_the_share_the_failure_reaches():
    found = signals("consul has no leader", "About 1% of managed Postgres clusters depend on this cluster").shares[0]
    assert found.affected_only and found.share == 0.01


@pytest.mark.parametrize(
    ("text", "remaining"),
    [
        ("orders/min down 80% vs last week", 0.2),
        ("Zero orders received in the last 10 minutes", 0.0),
        ("backlog draining at 30% of normal rate", 0.3),
        ("checkout conversions dropped by 95%", 0.05),
    ],
)
def test_throughput_drops_are_what_is_left_of_normal(text: str, remaining: float):
    assert signals(text).throughput[0].remaining == pytest.approx(remaining)


@pytest.mark.parametrize(
    ("title", "share", "unit"),
    [
        ("18 percent of iPlayer API calls erroring or timing out", 0.18, "calls"),
        ("login failures at 12 per cent over 10m", 0.12, "requests"),
    ],
)
def test_a_percentage_in_words_is_a_share(title: str, share: float, unit: str):
    """Read after `normalise` spells it '%', so the quote is the normalised text."""
    found = signals(title).shares[0]
    assert found.share == pytest.approx(share) and found.unit == unit


def test_a_load_balancer_is_not_load():
    found = signals("0.58 of load balancer responses are 404")
    assert not found.saturation and found.shares[0].share == pytest.approx(0.58)
    assert signals("load average 0.95 on web-3").shares == []


def test_a_decimal_is_a_share_only_of_units_or_after_a_cue():
    assert signals("build 0.58 of the toolchain released").shares == []
    assert signals("retry budget 0.4 left after deploy 0.58 failed").shares == []


def test_saturation_percentages_are_not_failures():
    found = signals("Disk 85% full on log-archive-1")
    assert not found.shares and found.saturation[0].percent == 85
    assert signals("Edge capacity headroom 60%").saturation[0].percent == 40


def test_an_error_budget_burn_rate_against_a_stated_slo_is_an_error_share():
    found = signals("checkout error budget burn rate 14.4x (SLO 99.9%)").shares[0]
    assert found.share == pytest.approx(0.0144) and "14.4x" in found.measure
    assert signals("checkout error budget burn rate 14.4x").burn_rates[0][0] == 14.4


def test_apdex_is_read_as_a_score():
    assert signals("Apdex 0.41 for web transactions").apdex[0][0] == 0.41


@pytest.mark.parametrize(
    ("title", "share"),
    [
        ("checkout error rate 31 percent over 5m", 0.31),
        ("checkout errors at 31 per cent of requests", 0.31),
        ("3,100 of 10,000 checkout requests failing", 0.31),
        ("4 in 10 login attempts time out", 0.40),
        ("SERVFAIL on 2 in 1000 queries", 0.002),
        ("HTTP 530 for 19 of every 1,000 requests", 0.019),
        ("0.45 of sign-in attempts fail", 0.45),
        ("half of all HTTP requests erroring", 0.50),
        ("a quarter of the payments are declined", 0.25),
    ],
)
def test_a_failing_share_is_read_in_word_fraction_and_decimal_forms(title: str, share: float):
    assert signals(title).shares[0].share == pytest.approx(share, abs=1e-3)


@pytest.mark.parametrize(
    "title",
    [
        "half an hour of lag on the reports queue",
        "release 1.2 of the mobile app shipped",
        "Roughly 1 in 100 managed clusters rely on it",
        "failover took 3 of 10 minutes",
    ],
)
def test_counts_and_versions_that_are_no_failing_share_are_not_read_as_one(title: str):
    assert all(share.affected_only for share in signals(title).shares)


def test_a_host_count_written_with_a_slash_is_read_as_n_of_m():
    found = signals("6/310 IAD workers fail health checks").shares[0]
    assert found.share == pytest.approx(6 / 310) and found.unit.endswith("workers")


@pytest.mark.parametrize(
    ("title", "share"),
    [
        ("50% of all HTTP traffic erroring", 0.50),
        ("30% of checkout traffic timing out", 0.30),
    ],
)
def test_a_share_of_what_fails_is_a_failing_share_whatever_word_is_nearer(title: str, share: float):
    assert [s.share for s in signals(title).shares if not s.affected_only] == [pytest.approx(share)]


@pytest.mark.parametrize("title", ["traffic down 50% of normal", "30% of traffic served from cache"])
def test_a_traffic_share_with_no_failure_is_not_a_failing_share(title: str):
    assert all(s.affected_only for s in signals(title).shares)


def test_endpoints_are_a_counted_unit():
    assert signals("97% of Windows endpoints stopped reporting").shares[0].unit == "endpoints"


def test_a_decimal_right_after_a_failure_word_is_a_ratio():
    (share,) = signals("class load failures 0.71").shares
    assert share.share == 0.71
    assert not signals("errors: 0.3 per second").shares


def test_the_share_of_the_whole_outweighs_the_share_of_one_part():
    """'0.61 on rack chi-r14 (shard-wide 0.039)': the rack is one part of the shard; the shard's figure is the size."""
    from agents.cto.decision.reading import read

    reading = read(signals("game_start_failure_ratio 0.61 on rack chi-r14 (shard-wide 0.039)"))
    assert reading.share == 0.039


def test_a_share_of_idle_capacity_is_what_is_used_not_a_share_failing():
    read = signals("Encoding scheduler falling behind: 38% of encoding slots idle while 412 encodings are queued")
    assert read.shares == []
    assert [s.percent for s in read.saturation] == [62.0]


@pytest.mark.parametrize(
    ("text", "remaining"),
    [
        ("accepted events/s fell from 410,000 to 1,200", 1_200 / 410_000),
        ("orders per minute dropped from 1,200 to 300", 0.25),
        ("traffic down from 9000 rpm to 200 rpm", 200 / 9000),
        ("Checkout requests/s dropped from 12,000 to 9.5k", 9_500 / 12_000),
        ("messages/s fell from 2.4M to 300k", 300_000 / 2_400_000),
        ("Ingress pods restarted and requests/s fell from 12,000 to 300", 300 / 12_000),  # the pods are another clause
    ],
)
def test_a_rate_that_fell_from_one_number_to_another_leaves_their_ratio(text: str, remaining: float):
    assert [t.remaining for t in signals(text).throughput] == [pytest.approx(remaining)]


@pytest.mark.parametrize(
    "text",
    [
        "free disk fell from 500 GB to 20 GB",  # a resource, not work done
        "replicas fell from 12 to 3",
        "p95 fell from 4s to 1s",  # a latency that got better
        "error rate fell from 5% to 1%",
        "api 5xx/min fell from 450 to 3 after rollback",  # errors, retries and throttling falling is a recovery
        "Error rate dropped from 120/s to 3/s after rollback",
        "throttled requests per second dropped from 500 to 10",
        "gateway retries/s fell from 900 to 20",
        "node draining, running pods fell from 38 to 0",
        "HTTP 502s/min fell from 800 to 12 after the fix",  # a second review's wordings: each a recovery
        "Exceptions per minute dropped from 1,200 to 30 after rollback",
        "Dead-letter inflow dropped from 1,200/min to 15/min",
        "Dropped packets/s fell from 4,000 to 10",
        "Card declines/min fell from 300 to 20",
        "Slow queries per minute fell from 200 to 3",
        "Latency for checkout traffic fell from 1,800 to 240",
    ],
)
def test_a_fall_that_is_not_of_a_rate_is_not_a_throughput_drop(text: str):
    assert signals(text).throughput == []


def test_a_number_with_thousands_separators_is_not_a_status_code():
    # '410' inside '410,000' made the rate a failing measure, and it was never read as the drop it is
    read = signals("Ingest: accepted events/s fell from 410,000 to 1,200")
    assert read.shares == [] and len(read.throughput) == 1


@pytest.mark.parametrize(
    ("text", "zero"),
    [
        ("No request errors or latency change on learner-facing services", False),
        ("no requests failing", False),
        ("no orders in the last 10 minutes", True),
        ("zero requests served since 14:02", True),
        ("The job ran late. No transactions were lost", False),  # a reassurance names what was not harmed
        ("no requests rejected, no orders affected", False),
        ("no payments double-charged", False),
        ("no orders received since 14:02", True),
        ("No orders or payments were lost.", False),
        ("No payment data lost.", False),
        ("no transactions were actually lost", False),
        ("Batch export ran late; no orders missing from the export", False),
        ("no messages delivered in 20 minutes", True),
        ("RTGS settlement throughput 0 tx/min for 20m", True),
        ("throughput = 0 req/s since 05:32", True),
        ("tps 0.4 below forecast", False),
        ("throughput 0.5% below last week", False),
        ("search throughput 0% below baseline", False),
        ("error rps 0, total rps 1,240", False),
        ("5xx rps 0 after rollback", False),
        ("throughput 0.0 tx/min", True),
    ],
)
def test_no_requests_is_zero_traffic_but_no_request_errors_is_not(text: str, zero: bool):
    assert any(t.remaining == 0 for t in signals(text).throughput) is zero


@pytest.mark.parametrize(
    ("text", "used"),
    [
        ("Memory 96% used while CPU sits idle", 96.0),
        ("disk 92% full, 8% free", 92.0),
        ("CPU idle 8%", 92.0),
        ("disk 8% free", 92.0),
    ],
)
def test_a_percentage_is_left_over_only_when_the_nearer_word_says_so(text: str, used: float):
    assert {s.percent for s in signals(text).saturation} == {used}


@pytest.mark.parametrize(
    ("text", "used"),
    [
        ("host MemAvailable 0.6%, OOM killer active", 99.4),
        ("memory available 3% on cache-2", 97.0),
        ("available memory 3% on cache-2", 97.0),
        ("disk space available 4% on db-1", 96.0),
        ("mem_available_percent is 4%", 96.0),
        ("memory.available 4% on node-7", 96.0),
        ("Windows Memory Available Percent 3%", 97.0),
    ],
)
def test_memory_or_disk_available_is_what_is_left_not_an_availability(text: str, used: float):
    """Stop 50's blind batch: 'MemAvailable 0.6%' (a hypervisor's free memory) was read as the service's availability
    at 0.6%, a P0. Memory or disk available is the headroom of a resource."""
    read = signals(text)
    assert read.availability == []
    assert {s.percent for s in read.saturation if s.percent is not None} == {used}


@pytest.mark.parametrize(
    ("text", "used"),
    [
        ("Thread pool 100% busy, 0 threads available", 100.0),
        ("connection pool 98% (2 of 100 connections available)", 98.0),
        ("Node memory 94%, 1.2GiB available", 94.0),
        ("Memory 94% on host-1 (available 1.2 GiB)", 94.0),
        ("CPU 95%, API available", 95.0),
    ],
)
def test_available_is_what_is_left_only_beside_its_own_percentage(text: str, used: float):
    """Review of stop 50: 'available' anywhere in the clause turned 'pool 100% busy, 0 threads available' into 0% used.
    Only 'available 4%', 'available: 4%' or '4% available' say the percentage is what is left."""
    assert {s.percent for s in signals(text).saturation if s.percent is not None} == {used}


@pytest.mark.parametrize("text", ["unavailable 12% of requests over 5m", "Service Unavailable for 12% of requests"])
def test_unavailable_for_a_share_is_that_share_failing(text: str):
    """'available' inside 'unavailable' read the share as an availability of 12%: most requests failing, a P0."""
    read = signals(text)
    assert read.availability == []
    assert [s.share for s in read.shares] == [pytest.approx(0.12)]


@pytest.mark.parametrize("text", ["api available 96.1% over 10m", "Available: 96.1% (SLO 99.9%)"])
def test_available_alone_is_still_an_availability(text: str):
    assert [a.percent for a in signals(text).availability] == [96.1]


@pytest.mark.parametrize(
    "text",
    [
        "JVM heap 410 MiB / 512 MiB on api-3",
        "DB connections 475 of 500 in use on primary",
        "450 GB of 500 GB used on db-2",
        "p99 latency 500 ms against a 200 ms SLO",
        "queue depth 450/500",
        "DB connections 480 (limit 500) on orders-db primary",
        "cart-db pool 475 of max 500 connections in use",
        "checkout-api 480 req/s, baseline 500 req/s",
        "checkout at 500 rps",
        "Edge egress 412 Gbps, 62% below the 1h baseline",
    ],
)
def test_a_size_count_or_duration_in_the_four_and_five_hundreds_is_not_a_status_code(text: str):
    read = signals(text)
    assert read.shares == [] and StateKind.FAILING not in {s.kind for s in read.states}


@pytest.mark.parametrize(
    "text",
    ["checkout returning 503 for 30% of requests", "HTTP 500 on 40% of requests", "502 ratio 0.3 over 5m"],
)
def test_a_status_code_beside_a_share_is_still_a_failing_share(text: str):
    assert [s.share for s in signals(text).shares] == [pytest.approx(0.3 if "0.3" in text or "30%" in text else 0.4)]


@pytest.mark.parametrize(
    "text",
    [
        "All checkout requests 502/503 since deploy 14:02",  # a second review: a list of codes is not a count
        "login 503/504 for every sign-in attempt since 14:02",
    ],
)
def test_a_list_of_status_codes_for_every_request_is_every_one_failing(text: str):
    assert [s.share for s in signals(text).shares] == [1.0]


@pytest.mark.parametrize(
    "text",
    [
        "Checkout errors/min, after the rollback, fell from 2,300 to 40",  # an aside between commas is no new clause
        "Payment retries, which peaked at 9,000/min, fell from 9,000 to 120 per minute",
        "HTTP 502/503 per minute fell from 1,200 to 30",
        "orders/min down 70% vs yesterday, expected after the promo ended",  # a dip the team foresaw
        "orders per minute dropped from 1,200 to 300, a seasonal dip",
    ],
)
def test_a_recovery_or_a_foreseen_dip_is_no_throughput_drop(text: str):
    assert signals(text).throughput == []


@pytest.mark.parametrize(
    "text",
    [
        "orders/min down 90%; recovery is expected in 20 minutes",
        "failover did not work as expected; orders/min down 90%",
        "holiday sale: orders/min down 90% since 14:02",
    ],
)
def test_expected_said_of_something_else_leaves_the_drop(text: str):
    assert [t.remaining for t in signals(text).throughput] == [pytest.approx(0.1)]


def test_a_ratio_monitor_s_value_after_its_threshold_is_the_failing_share():
    read = signals(
        "Studio API 5xx error rate high",
        "sum:trace.http.request.errors / sum:trace.http.request.hits was > 0.05 on average during the last 5m: value 0.67.",
    )
    assert max(s.share for s in read.shares) == pytest.approx(0.67)


@pytest.mark.parametrize(
    ("text", "percent"),
    [
        ("0 of 12 probe messages sent in the last 5m reached the receiving client", 0.0),
        ("40% of emails delivered", 40.0),
    ],
)
def test_what_got_through_is_a_success_share(text: str, percent: float):
    assert [a.percent for a in signals("e2e probe", text).availability] == [percent]


@pytest.mark.parametrize(
    "text",
    [
        "12% of messages not delivered",
        "5% of messages delivered late",
        "0.5% of emails delivered to spam",
        "disk usage reached 85% of capacity",
    ],
)
def test_what_did_not_get_through_or_a_threshold_reached_is_not_a_success_share(text: str):
    assert signals("e2e probe", text).availability == []


def test_a_sentry_metric_alert_s_value_before_its_aggregate_is_the_share():
    read = signals("Warning: Coverage upload failure rate", "0.031 failure rate in the last 10 minutes")
    assert [round(s.share, 3) for s in read.shares] == [0.031]


def test_every_one_failing_is_not_read_across_a_denied_verb():
    assert signals("SAN alert", "all virtual volumes online, no disks failed, service times normal").shares == []
    assert [s.share for s in signals("checkout", "all checkout requests failing with 503").shares] == [1.0]


@pytest.mark.parametrize(
    ("text", "remaining"),
    [
        ("Flow message sends 0/min (baseline 41,000/min)", 0.0),
        ("StartTransaction accepted 31/10m vs 59/10m baseline", 31 / 59),
        ("orders 120/min vs 400/min last week", 0.3),
        ("checkout 80/min, normal 400/min", 0.2),
        ("Global edge egress 412 Gbps, 62% below the 1h baseline", 0.38),
        ("jobs started/min down from ~1,900 to 410", 410 / 1900),
        ("New orders inserted: 0/min for 15m (7d baseline for Sunday 16:00 ET: 480/min)", 0.0),
    ],
)
def test_a_rate_beside_its_baseline_leaves_their_ratio(text: str, remaining: float):
    assert [round(t.remaining, 3) for t in signals("x", text).throughput] == [round(remaining, 3)]


@pytest.mark.parametrize("text", ["errors 40/min (baseline 2/min)", "retries 3/min (baseline 10/min)"])
def test_errors_and_retries_beside_a_baseline_are_not_work_done(text: str):
    assert not signals("x", text).throughput


def test_none_of_a_count_accepted_is_nothing_available():
    assert [a.percent for a in signals("x", "0 of 2,318 uploads accepted in the last 10m").availability] == [0]


def test_a_monitors_current_value_is_the_measure_and_was_above_its_threshold_only_the_bound():
    read = signals(
        "ingest error ratio", "**sum:5xx/total** was **> 0.05** over the last 5m.\n\nCurrent value: **0.997**"
    )
    assert max((s.share, s.bound) for s in read.shares if s.bound == "exact") == (0.997, "exact")
    inline = signals("errors", "**errors/submitted** was **> 0.02** over the **last 1h** (value: **0.027**).")
    assert [round(s.share, 3) for s in inline.shares if s.bound == "exact"] == [0.027]
    counted = signals("error ratio", "**5xx/total** was **> 0.05** over the last 5m. Current value: **1,140**")
    assert not [s for s in counted.shares if s.bound == "exact"]  # a count, not the ratio (and not '1')
    floor = signals("success rate", "**success rate** was **< 0.9** during the last 5m. Current value: **0.00**")
    assert [a.percent for a in floor.availability if a.bound == "exact"] == [0]


@pytest.mark.parametrize(
    ("text", "share"),
    [("5xx ratio is **18.4%** (warn 10%, alert 25%)", 0.184), ("checkout errors 31.4% (warn 20%, alert 40%)", 0.314)],
)
def test_the_monitors_warn_and_alert_levels_are_thresholds(text: str, share: float):
    assert [s.share for s in signals("monitor", text).shares] == [share]
    assert [s.share for s in signals("ALERT 45% of checkout requests failing").shares] == [0.45]


@pytest.mark.parametrize(
    "text",
    [
        "212 dispatches assigned twice. The other 83% of requests are being matched and completed normally.",
        "US trades pending: 100% (1,842 of 1,842). UK trades: 0.4% pending (normal).",
    ],
)
def test_a_share_said_to_be_fine_is_not_failing(text: str):
    assert all(s.share == 1.0 for s in signals("trades", text).shares)


def test_a_ratio_belongs_to_the_words_before_it_and_load_in_a_metric_name_is_no_saturation():
    """'5xx ratio 0.96, db connection wait': the 0.96 is the 5xx ratio, not connections in use; and the 'load' of
    'checkout.session.load.errors' names a page load, not CPU load."""
    read = signals("checkout", "merchant-dashboard 5xx ratio 0.96, db connection wait p99 > 30s on checkout-primary")
    assert [s.share for s in read.shares] == [0.96] and not read.saturation
    monitor = signals(
        "checkout",
        "**checkout.session.load.errors / checkout.session.load.hits** was **> 0.05** over 5m. Current value: **0.98**.",
    )
    assert max(s.share for s in monitor.shares if s.bound == "exact") == 0.98 and not monitor.saturation
    assert [s.percent for s in signals("db", "cpu load 97% on db-1").saturation] == [97.0]


@pytest.mark.parametrize(
    ("text", "share", "availability"),
    [
        ("Error rate 12.3% exceeds threshold on job api", 0.123, None),
        ("availability 97.2% below SLO (99.9%)", None, 97.2),
        ("Success rate 91.5% below threshold", None, 91.5),
        ("Crash-free sessions: 97.1%", 0.029, None),
        ("Crash free session rate in the last 1h is 97.4%", 0.026, None),
        ("crash-free users 99.2%, ANR rate 2.1%", 0.021, None),
        ("API availability 93.4%, crash-free sessions 99.9%", 0.001, 93.4),
    ],
)
def test_a_measure_before_a_threshold_verb_and_crash_free_in_its_other_forms(text: str, share, availability):
    """Review of stop 48: a verb between a figure and 'threshold' or 'SLO' ('exceeds', 'below') makes it the measure;
    crash-free after a colon, in Sentry's words or beside another figure is still a share of sessions crashing."""
    read = signals("x", text)
    assert (
        max((round(s.share, 3) for s in read.shares), default=None),
        max((a.percent for a in read.availability), default=None),
    ) == (share, availability)


@pytest.mark.parametrize(
    "text",
    [
        "canary serving only 5% of traffic, p99 latency 2.1s",
        "product pages load just 15% slower than last week",
        "reads served only 40% from cache, db CPU 85%",
        "Disk free on /var: now 6%",
    ],
)
def test_serving_a_share_of_traffic_or_a_slowdown_is_no_availability(text: str):
    assert not signals("x", text).availability


@pytest.mark.parametrize(
    ("text", "remaining"),
    [("order rate 12% of normal for this hour", 0.12), ("ingest rate 20% of baseline since 09:10", 0.2)],
)
def test_a_rate_of_its_normal_is_throughput_left(text: str, remaining: float):
    assert [t.remaining for t in signals("x", text).throughput] == [remaining]
