"""The source's label, warroom's own counting and the state words."""

from __future__ import annotations

import pytest

from agents.cto.signals.facts import StateKind
from tests.agents.cto.alerts import signals
from warroom.severity import Severity


@pytest.mark.parametrize(
    ("level", "points_to"),
    [
        ("critical", Severity.P1),
        ("warning", Severity.P3),
        ("p2", Severity.P2),
        ("high", Severity.P2),
        ("sev0", Severity.P0),
    ],
)
def test_the_source_label_is_read_as_the_level_it_points_to(level: str, points_to: Severity):
    label = signals("x", level=level).label
    assert label is not None and (label.points_to, label.field, label.quote) == (points_to, "level", level)


def test_an_unknown_label_is_not_a_signal():
    assert signals("x", level="purple").label is None


def test_one_delivery_carrying_a_count_has_no_rate():
    volume = signals("Ecto.InvalidChangesetError", event_count=57, users_affected=41).volume
    assert (volume.events, volume.users, volume.minutes, volume.per_minute) == (57, 41, None, None)


def test_deliveries_spread_over_minutes_give_a_rate():
    volume = signals("TypeError", event_count=64, minutes=3.2).volume
    assert volume.per_minute == pytest.approx(20)


def test_a_rate_the_monitor_states_is_read_and_a_threshold_is_not():
    volume = signals("Critical: Checkout errors above 500 in 10 minutes", "1000 events in the last 10 minutes").volume
    assert (volume.per_minute, volume.stated) == (100, True)
    assert signals("0.2% of requests returned 404 in the last 10 minutes").volume.per_minute is None


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("Payments API and Dashboard down", StateKind.DOWN),
        ("6PN private networking unreachable on host fra-w-77", StateKind.DOWN),
        ("inserts into events failing", StateKind.FAILING),
        ("blob front-ends unresponsive in 12 of 15 regions", StateKind.DOWN),
        ("Inbound connectivity lost to all regions", StateKind.DOWN),
        ("instances lost network connectivity", StateKind.DOWN),
        ("Async task processing halted; requests time out in the queue", StateKind.FAILING),
        ("tarball requests returning 404", StateKind.FAILING),
        ("0.58 of load balancer responses are 404", StateKind.FAILING),
        ("uploads were 503 for EU customers", StateKind.FAILING),
        ("97% of Windows endpoints stopped reporting", StateKind.FAILING),
        ("machines blue-screen in csagent.sys", StateKind.FAILING),
        ("kernel panic on boot after the driver update", StateKind.FAILING),
        ("EBS latency in us-east-1 zone c", StateKind.DEGRADED),
        ("log parts queue lag 14 minutes", StateKind.DELAYED),
        ("DeprecationWarning: utcnow() is deprecated", StateKind.AT_RISK),
    ],
)
def test_state_words_are_read(text: str, state: StateKind):
    assert state in {s.kind for s in signals(text).states}


@pytest.mark.parametrize(
    ("text", "at_risk"),
    [
        ("TLS certificate for api.example.com expires in 9 days", True),
        ("domain expiring soon", True),
        ("DepositHoldExpired: booking hold expired before deposit capture completed", False),
        ("session expired during checkout", False),
    ],
)
def test_something_that_will_expire_is_at_risk_and_something_that_expired_is_not(text: str, at_risk: bool):
    """'Hold expired', 'session expired': a time limit that already ran out, failing someone now, not a warning."""
    assert (StateKind.AT_RISK in {s.kind for s in signals(text).states}) is at_risk


@pytest.mark.parametrize(
    "text",
    [
        "search results are 100% relevant again",
        "the nightly job stopped at 02:00 as scheduled",
        "the queue size is 420 items",
        "checkout p99 was 450 ms",
    ],
)
def test_words_near_the_new_state_phrases_are_not_failures(text: str):
    assert StateKind.FAILING not in {s.kind for s in signals(text).states}


def test_work_stuck_in_a_queue_is_delayed_not_down():
    states = {s.kind for s in signals("outbound emails stuck in the queue for 20 minutes").states}
    assert StateKind.DELAYED in states and StateKind.DOWN not in states
    assert StateKind.DOWN in {s.kind for s in signals("ord-w-412: LVM2 commands stuck for five minutes").states}


def test_a_denied_state_is_not_read():
    assert StateKind.FAILING not in {s.kind for s in signals("no customer-facing errors").states}


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("19 PoPs not reachable", StateKind.DOWN),
        ("endpoints stopped reporting", StateKind.DOWN),
        ("api.example.com not responding", StateKind.DOWN),
        ("zero throughput on the ingest tier", StateKind.DOWN),
        ("half of the HTTP traffic erroring", StateKind.FAILING),
    ],
)
def test_states_are_read_in_other_words(text: str, state: StateKind):
    assert state in {s.kind for s in signals(text).states}


@pytest.mark.parametrize(
    "text", ["replica reachable again", "reporting dashboard slow", "zero errors in the last hour"]
)
def test_words_near_a_down_state_that_are_not_one(text: str):
    assert StateKind.DOWN not in {s.kind for s in signals(text).states}


@pytest.mark.parametrize(
    "text",
    [
        "probe_success == 0 for api.example.com for 4m",
        "up == 0 for 3m",
        "0 of 1,240 cluster plan executions succeeded in 15m",
        "none of the 6 probes passing",
    ],
)
def test_nothing_succeeding_is_down(text: str):
    assert StateKind.DOWN in {s.kind for s in signals(text).states}


@pytest.mark.parametrize(
    "text", ["up == 0.5 on node", "success rate: 0.97", "0 of 3 retries left", "probe_success == 1"]
)
def test_some_success_or_a_count_left_is_not_down(text: str):
    assert StateKind.DOWN not in {s.kind for s in signals(text).states}


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("no voice / 5G data anywhere, 911 included", StateKind.DOWN),
        ("asset-manager 404s up from ~200/min to 3,100/min", StateKind.FAILING),
        ("~0.9M/day => ~63d to overflow", StateKind.AT_RISK),
    ],
)
def test_more_states_in_the_words_people_use(text: str, state: StateKind):
    assert state in {s.kind for s in signals(text).states}


@pytest.mark.parametrize("text", ["No errors anywhere in the logs", "no new alerts anywhere"])
def test_nothing_wrong_anywhere_is_not_down(text: str):
    assert StateKind.DOWN not in {s.kind for s in signals(text).states}


@pytest.mark.parametrize(
    "text",
    [
        "Checkout availability 60%; latency normal",
        "orders/min down 85%; error rate unchanged",
        "errors are normal",
        "error rate and latency normal",
        "latency within SLO",
    ],
)
def test_a_measure_said_to_be_normal_is_no_state(text: str):
    kinds = {s.kind for s in signals(text).states}
    assert StateKind.DEGRADED not in kinds and StateKind.FAILING not in kinds


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("latency elevated on search", StateKind.DEGRADED),
        ("checkout failing within 2 minutes of deploy 4411", StateKind.FAILING),  # 'within' of time, not of an SLO
        ("checkout unavailable within eu-west-1", StateKind.DOWN),
        ("error rate stable at 40%", StateKind.FAILING),
    ],
)
def test_a_measure_said_to_be_bad_is_still_a_state(text: str, kind: StateKind):
    assert kind in {s.kind for s in signals(text).states}


def test_the_peers_small_error_figure_is_not_a_failing_state():
    states = signals("users.info fetches from 2 edge regions failing 97%", "Other 6 regions < 0.1% errors").states
    assert [s.quote for s in states if "Other" in s.quote] == []
    assert signals("x", "eu-west-1 errors at 0.1%").states


def test_another_places_state_after_the_peers_figure_is_kept():
    states = signals("users.info fetches failing 97% in eu-west-1", "Other regions 0.2%, us-east-1 down").states
    assert any("us-east-1 down" in s.quote for s in states)
