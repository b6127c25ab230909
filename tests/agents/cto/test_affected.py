"""What customers would call the broken part: their words, never an internal component's name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.cto.affected import affected_thing
from warroom.incidents.models import EndpointCount, Incident, IncidentStatus

T0 = datetime(2026, 11, 3, 2, 14, tzinfo=UTC)


def _incident(title: str = "t", service: str | None = None, endpoints: tuple[str, ...] = ()) -> Incident:
    return Incident(
        id=1,
        title=title,
        service=service,
        dedup_key="k",
        source="sentry",
        status=IncidentStatus.INVESTIGATING,
        severity=None,
        classification=None,
        opened_at=T0,
        first_seen=T0,
        last_seen=T0,
        event_count=1,
        alert_count=1,
        users_affected=0,
        endpoints=[EndpointCount(endpoint=e, count=1) for e in endpoints],
    )


@pytest.mark.parametrize(
    ("incident", "thing"),
    [
        (_incident(endpoints=("/api/v2/orders/{id}",)), "Orders"),
        (_incident(service="auth-service"), "Login"),
        (_incident(title="Crash in the Android app"), "The Android app"),
        (_incident(service="ingress-nginx"), "The site"),
        (_incident(service="billing-worker"), "Billing"),
        (_incident(service="db-1"), "Our service"),
    ],
)
def test_the_broken_part_is_named_in_customers_words(incident: Incident, thing: str) -> None:
    assert affected_thing(incident) == thing
