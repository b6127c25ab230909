"""What runs out, expires or waits: saturation, expiry with time left, delays."""

from __future__ import annotations

import pytest

from tests.agents.cto.alerts import signals


@pytest.mark.parametrize(
    "text",
    [
        "OperationalError: (1114, \"The table 'bookmarks' is full\")",
        "connection pool exhausted on orders-db",
        "authzd pods OOMKilled",
        "inserts failing: id reached 2147483647",
        "front-end servers hit the OS thread limit",
    ],
)
def test_nothing_fits_any_more_is_a_full_resource(text: str):
    assert any(s.full for s in signals(text).saturation)


@pytest.mark.parametrize(
    "text", ["DNS zone transfer stalled, 2 hours remaining on TTL", "certificate renewal failed, 3 retries left"]
)
def test_time_left_on_something_else_is_no_expiry(text: str):
    assert all(e.seconds_left is None for e in signals(text).expiry)


@pytest.mark.parametrize(
    "text",
    ["Watchdog: TLS check hit the error rate limit", "5xx rate limit exceeded on /search", "error-rate limit hit"],
)
def test_an_error_rate_limit_is_a_monitors_threshold_not_a_full_resource(text: str):
    assert not any(s.full for s in signals(text).saturation)
    assert any(s.full for s in signals("API clients hit the rate limit").saturation)


def test_an_id_approaching_its_integer_limit_is_a_warning_not_a_full_table():
    found = signals("events.id at 85% of int32 max (2147483647); about 90 days of headroom").saturation
    assert not any(s.full for s in found)
    assert any(s.percent == 85 for s in found)


def test_a_forecast_is_time_left_not_a_full_resource():
    found = signals("Filesystem on kafka-2 predicted to run out of space within 5 days").saturation
    assert not any(s.full for s in found)
    assert found[0].forecast_seconds == 5 * 86_400


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("SSL certificate for api.example.com expires in 21 days", 21 * 86_400),
        ("chain includes DST Root CA X3, which expires in 27 days", 27 * 86_400),
        ("certificate for shop.example.com expires in 6 hours", 6 * 3600),
        ("certificate distrusted from Chrome 70 (about 13 months)", 13 * 2_592_000),
        ("domain example.com expires in 3 days", 3 * 86_400),
        ("acme: certificate for mail.example.org valid, 86 days left", 86 * 86_400),
        ("TLS cert on api.example.com valid, 12 days remaining", 12 * 86_400),
        ("ACME renewal failing; current certificate valid for 30 more days", 30 * 86_400),
    ],
)
def test_expiry_carries_the_time_left(text: str, left: float):
    found = signals(text).expiry[0]
    assert (found.seconds_left, found.expired) == (left, False)


def test_an_expired_certificate_is_expired_and_a_future_distrust_has_no_time():
    assert signals("TLS certificate for www.example.com has expired").expiry[0].expired
    assert signals("certificate issuer will be distrusted by Chrome").expiry[0].seconds_left is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("outbound email queue age 47 minutes", 2820),
        ("audit log ingestion lag 42 minutes", 2520),
        ("Oldest pending delivery is 24 minutes old", 1440),
        ("search-indexer lagging 20 minutes behind", 1200),
        ("job mpg.provision not started within 600s", 600),
    ],
)
def test_work_that_waits_is_a_delay(text: str, seconds: float):
    assert signals(text).delays[0].seconds == seconds


def test_a_latency_in_minutes_is_not_read_as_a_queue_delay():
    assert not signals("add-on provisioning p95 38m (normal 3m)").delays


def test_time_left_before_a_limit_is_a_forecast_not_a_full_resource():
    found = signals("x", "id at 79% of signed INT max; ~7 months to exhaustion at current insert rate").saturation
    assert not any(s.full for s in found)
    assert any(s.percent == 79.0 for s in found)
    assert any(s.forecast_seconds and s.forecast_seconds > 150 * 86_400 for s in found)
    assert any(s.full for s in signals("connection pool exhausted").saturation)
