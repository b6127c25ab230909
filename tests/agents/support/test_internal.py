"""One list of what a customer must never see; a human's note is held to more, since responders
write pod names and release numbers that a draft's region must not be mistaken for."""

from __future__ import annotations

import pytest

from agents.support.internal import internal_details, quotable


def test_a_region_in_a_draft_is_not_an_internal_detail() -> None:
    assert internal_details("Checkout is failing for users in us-east-1.") == []


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("KeyError in checkout", "an exception name"),
        ("see https://grafana.internal/d/x", "a hostname"),
        ("ops@example.com knows", "an email address"),
        ("File \"app.py\", line 3", "a stack trace"),
    ],
)
def test_internal_details_are_named(text: str, what: str) -> None:
    assert what in [found for found, _ in internal_details(text)]


@pytest.mark.parametrize(
    "note",
    [
        "the checkout-7d9f8c pod ran out of memory",
        "db-2 lost its replica",
        "rolled back 2026.11.2",
        "Bob broke the deploy",
        "KeyError in the cart service",
    ],
)
def test_a_note_naming_pods_releases_people_or_exceptions_is_not_quoted(note: str) -> None:
    assert not quotable(note)


def test_a_plain_cause_is_quoted() -> None:
    assert quotable("a configuration change to the payment provider's retry policy")
