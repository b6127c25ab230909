"""Fuzzing the normalisers: any JSON value, from anywhere in a source's real payload down to the
whole body, either normalises into storable Alerts or raises the project's own error
(`PayloadError`, `Ignored`, `MalformedJSON`): never a TypeError, an OverflowError or a pydantic
ValidationError, which the webhook would turn into a 500 and the source into retries.

Bounded for `make test`: derandomised (the same examples every run) and a fixed example count.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes.spec import spec_payload
from tools.webhooks import alertmanager, datadog, generic, grafana, pagerduty, sentry
from tools.webhooks.base import Ignored, PayloadError
from warroom.alerts.models import Alert
from warroom.untrusted import MalformedJSON, parse_json

RECEIVED = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
FUZZ = settings(
    derandomize=True, max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
SAMPLES: list[tuple[ModuleType, dict[str, Any] | None, dict[str, str]]] = [
    (sentry, spec_payload("sentry-issue-alert.json"), {"sentry-hook-resource": "event_alert"}),
    (sentry, spec_payload("sentry-issue-created.json"), {"sentry-hook-resource": "issue"}),
    (sentry, spec_payload("sentry-error-created.json"), {"sentry-hook-resource": "error"}),
    (sentry, spec_payload("sentry-metric-alert.json"), {"sentry-hook-resource": "metric_alert"}),
    (sentry, spec_payload("sentry-issue-alert.json"), {}),
    (pagerduty, spec_payload("pagerduty-incident-triggered.json"), {}),
    (pagerduty, spec_payload("pagerduty-incident-priority-updated.json"), {}),
    (alertmanager, spec_payload("alertmanager-firing.json"), {}),
    (alertmanager, spec_payload("alertmanager-resolved.json"), {}),
    (grafana, spec_payload("grafana-firing.json"), {}),
    (datadog, spec_payload("datadog.json"), {}),
    (
        generic,
        {"title": "t", "service": "s", "occurred_at": "2026-11-03T02:00:00Z", "links": [{"label": "l", "url": "u"}]},
        {},
    ),
]
ODD_LEAVES = st.sampled_from(
    [
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "http://[::1",
        "javascript:alert(1)",
        "\x00",
        "\ud800",
        "x" * 5000,
        10**30,
        -(10**30),
        -1,
        0,
        2**63,
        1e300,
        -0.0,
        "",
        "firing",
        "resolved",
        "4",
        "1",
    ]
)
JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
JSON_VALUES = st.recursive(
    JSON_LEAVES | st.text(max_size=20) | ODD_LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replaced(payload: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(payload))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


def normalises_or_refuses(module: ModuleType, payload: Any, headers: dict[str, str]) -> None:
    """The property: our own error, or alerts that serialise (as the hot path stores them)."""
    try:
        alerts = module.normalise(parse_json(json.dumps(payload).encode()), headers, RECEIVED)
    except (PayloadError, Ignored, MalformedJSON):
        return
    for alert in alerts:
        assert isinstance(alert, Alert)
        stored = alert.model_dump_json()
        assert "\\u0000" not in stored
        Alert.model_validate_json(stored)


@pytest.mark.parametrize(
    ("module", "sample", "headers"),
    SAMPLES,
    ids=[f"{m.__name__.rsplit('.', 1)[1]}-{i}" for i, (m, _, _) in enumerate(SAMPLES)],
)
@FUZZ
@given(data=st.data())
def test_any_value_anywhere_in_a_real_payload_normalises_or_raises_our_error(module, sample, headers, data):
    path = data.draw(st.sampled_from(_paths(sample)), label="path")
    value = data.draw(JSON_VALUES, label="value")
    normalises_or_refuses(module, _replaced(sample, path, value), headers)


@pytest.mark.parametrize("module", [sentry, pagerduty, alertmanager, grafana, datadog, generic])
@FUZZ
@given(payload=JSON_VALUES, resource=st.sampled_from(["", "event_alert", "issue", "error", "metric_alert", "x"]))
def test_any_json_body_normalises_or_raises_our_error(module, payload, resource):
    normalises_or_refuses(module, payload, {"sentry-hook-resource": resource} if resource else {})
