"""Evidence as the tools return it, built piece by piece for the first look's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agents.cto.investigation.evidence import (
    AlertFact,
    Evidence,
    FrameFact,
    IncidentFact,
    IssueFact,
    ReleaseFact,
    SentryEventFact,
    TagFact,
    TagShareFact,
)

START = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


def tag(key: str, counts: dict[str, int]) -> TagFact:
    total = sum(counts.values())
    return TagFact(
        citation=f"sentry:tag:{key}",
        key=key,
        total=total,
        unique_values=len(counts),
        top=[
            TagShareFact(citation=f"sentry:tag:{key}:{value}", value=value, count=n, share=n / total)
            for value, n in sorted(counts.items(), key=lambda pair: -pair[1])
        ],
    )


def issue(released_minutes_before: float | None, version: str = "shop@2026.11.2") -> IssueFact:
    release = None
    if released_minutes_before is not None:
        release = ReleaseFact(version=version, released_at=START - timedelta(minutes=released_minutes_before))
    return IssueFact(
        citation="sentry:issue",
        id="4412093",
        title="TypeError: Cannot read properties of undefined (reading 'amount')",
        culprit="shop.checkout.views in create_order",
        count=847,
        user_count=135,
        first_seen=START,
        last_seen=START + timedelta(minutes=3),
        first_release=release,
    )


def event(
    exception: str = "TypeError", value: str = "Cannot read properties of undefined (reading 'amount')"
) -> SentryEventFact:
    return SentryEventFact(
        event_id="e1",
        exception_type=exception,
        exception_value=value,
        frames=[
            FrameFact(
                citation="sentry:event:latest:frame:1",
                function="create_order",
                module="shop.checkout.views",
                filename="shop/checkout/views.py",
                lineno=88,
                context_line="total = cart.payment.amount",
            )
        ],
        release="shop@2026.11.2",
    )


@pytest.fixture
def evidence() -> Evidence:
    return Evidence(
        incident=IncidentFact(id=1, title="Checkout errors", service="shop", first_seen=START, opened_at=START),
        alerts=[
            AlertFact(
                citation="alert:1",
                incident_id=1,
                source="sentry",
                title="TypeError: Cannot read properties of undefined (reading 'amount')",
                at=START,
                count=847,
                sentry_issue="4412093",
            )
        ],
    )
