"""The status page speaks of the symptom customers live through and of a share of customers,
never of a raw count (it says how small the business is and goes stale within minutes)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from agents.cto.status_posts import first_status_post, headline, resolved_post, update_post
from agents.notes import NoteFacts
from tests.agents.cto.postmortem.test_draft import checkout_incident
from warroom.incidents.models import IncidentStatus
from warroom.settings import ServiceConfig, Settings
from warroom.severity import Classification, Severity

NOW = datetime(2026, 11, 3, 2, 5, tzinfo=UTC)
SIZED = Settings(services={"checkout": ServiceConfig(users=2600)})


def _live(severity: Severity, **facts: object):
    classification = Classification(severity=severity, reason="r", facts=dict(facts))
    return checkout_incident(
        status=IncidentStatus.INVESTIGATING, severity=severity, classification=classification, resolved_at=None
    )


@pytest.mark.parametrize(
    ("severity", "facts", "verb"),
    [
        (Severity.P0, {"state": "failing", "failing_share": 0.9}, "is failing"),
        (Severity.P0, {"state": "failing", "failing_share": 0.2}, "is failing intermittently"),
        (Severity.P1, {"latency_factor": 6.0}, "is slow"),
        (Severity.P0, {"state": "down"}, "is unavailable"),
        (Severity.P1, {}, "is degraded"),
    ],
)
def test_the_verb_is_the_symptom_not_the_severity(severity, facts, verb) -> None:
    incident = _live(severity, **facts)
    post = first_status_post(incident, incident.classification, NOW, SIZED)
    assert post.title == f"Checkout {verb}"
    assert f"Checkout {verb} for about 12% of customers since 01:59 UTC" in post.body


def test_no_raw_count_reaches_the_page_and_without_a_denominator_it_says_some_customers() -> None:
    incident = _live(Severity.P0, state="failing", failing_share=0.9)
    posts = [
        first_status_post(incident, incident.classification, NOW, Settings()),
        update_post(incident, NoteFacts(), NOW, Settings(), NOW),
        resolved_post(incident, NOW, Settings()),
    ]
    for post in posts:
        assert "312" not in post.body and not re.search(r"\d+ (users|customers)", post.body)
    assert "for some customers since 01:59 UTC" in posts[0].body
    assert "Checkout is failing for some customers since 01:59 UTC" in posts[1].body
    assert "about 12% of customers" in resolved_post(incident, NOW, SIZED).body


def test_the_closing_message_counts_only_what_was_counted_and_links_the_postmortem() -> None:
    from agents.cto.war_room import closing_summary

    settings = Settings(public_url="https://ops.example.com")
    said = closing_summary(checkout_incident(), "Dana", NOW, settings)
    assert said == (
        "Resolved by Dana after 6 minutes (847 error events, 312 users affected). "
        "The postmortem draft: https://ops.example.com/incidents/7#postmortem"
    )
    slow = checkout_incident(event_count=0, users_affected=0)
    assert "0 users" not in closing_summary(slow, "Dana", NOW, settings)


def test_the_headline_a_responder_reads_is_the_symptom_in_the_past_once_resolved() -> None:
    live = _live(Severity.P1, latency_factor=6.0)
    assert headline(live) == "Checkout is slow"
    assert headline(live.model_copy(update={"status": IncidentStatus.RESOLVED})) == "Checkout was slow"
    unrated = live.model_copy(update={"severity": None, "title": "KeyError: 'currency'"})
    assert headline(unrated) == "KeyError: 'currency'"


def test_a_raise_is_news_on_the_page_at_the_stage_reached_not_the_first_notice_again() -> None:
    incident = _live(Severity.P0, state="failing", failing_share=0.9).model_copy(
        update={"status": IncidentStatus.IDENTIFIED}
    )
    first = first_status_post(incident, incident.classification, NOW, SIZED)
    raised = first_status_post(incident, incident.classification, NOW, SIZED, raised=True)
    assert first.body.startswith("We are investigating an issue: Checkout is failing")
    assert first.status is IncidentStatus.INVESTIGATING
    assert raised.body.startswith("Update: this is more serious than first reported. Checkout is failing for about")
    assert raised.status is IncidentStatus.IDENTIFIED and "next update by 02:20 UTC" in raised.body
