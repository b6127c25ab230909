"""Sentry's metric alerts: what the rule measures, read from its own filter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.fakes.spec import spec_payload
from tools.webhooks import sentry

RECEIVED = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
HEADERS = {"sentry-hook-resource": "metric_alert"}


def filtered(query: str) -> dict[str, Any]:
    payload = spec_payload("sentry-metric-alert.json")
    payload["data"]["metric_alert"]["alert_rule"]["query"] = query
    return payload


@pytest.mark.parametrize(
    ("query", "endpoint"),
    [
        ("transaction:[/file/open,/file/new]", "/file/open"),
        ("transaction:/merchants/*/payment_methods*", "/merchants/*/payment_methods*"),
        ('event.type:transaction transaction:"/api/checkout"', "/api/checkout"),
        ("transaction:/static/*", None),
        ("transaction:/*", None),
        ("level:error", None),
    ],
)
def test_a_rule_filtered_to_a_transaction_measures_that_endpoint(query: str, endpoint: str | None):
    """A failure rate of `/file/open` in project `web` is that feature's, not the whole site's; a catch-all is the site."""
    (alert,) = sentry.normalise(filtered(query), HEADERS, RECEIVED)
    assert alert.endpoint == endpoint
