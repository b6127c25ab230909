import pytest

from agents.support.drafts import Draft
from agents.support.grounding import check_grounding
from tests.agents.support.test_drafts import checkout_p0, resolved
from warroom.channels import Channel
from warroom.drafts.models import CommsKind


def _draft(
    body: str, *, channel: Channel = Channel.DISCORD, public: bool = True, account: str | None = None
) -> Draft:
    return Draft(
        incident_id=42,
        kind=CommsKind.UPDATE,
        channel=channel,
        audience="test",
        subject="Checkout",
        body=body,
        public=public,
        account=account,
    )


@pytest.mark.parametrize(
    "body",
    [
        "Checkout is failing for about 15% of users since 02:14 UTC.",
        "Checkout is failing for ~15 percent of users; 312 people were affected.",
        "Roughly 0.15 of checkout requests fail. We expect a fix within 30 minutes.",
        "We expect a fix within thirty minutes, or within half an hour.",
        "Next update at 2:30 am UTC. Errors: 847 in 3 minutes.",
        "Mostly Chrome 120+ users in us-east-1 are affected.",
    ],
)
def test_claims_in_any_normalised_form_of_the_facts_pass(body: str) -> None:
    assert check_grounding(_draft(body), checkout_p0()).problems == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("Checkout is failing for about 20% of users.", "percentage '20%'"),
        ("About 5,000 users are affected.", "number '5,000'"),
        ("Next update at 03:00 UTC.", "time '03:00 utc'"),
        ("We expect a fix within 2 hours.", "duration '2 hours'"),
        ("We expect a fix within 45 minutes.", "duration '45 minutes'"),
        ("This started on 2026-11-02.", "date '2026-11-02'"),
    ],
)
def test_a_number_time_or_duration_not_in_the_facts_fails(body: str, problem: str) -> None:
    result = check_grounding(_draft(body), checkout_p0())

    assert not result.ok
    assert any(problem in p for p in result.problems), result.problems


def test_a_cause_is_refused_when_none_is_recorded() -> None:
    facts = checkout_p0(cause=None)

    result = check_grounding(_draft("Checkout failed due to a database outage."), facts)

    assert result.problems == ["states a cause ('a database outage') but no cause is in the facts"]


def test_a_cause_that_differs_from_the_recorded_one_fails() -> None:
    result = check_grounding(_draft("The root cause was a DNS misconfiguration."), checkout_p0())

    assert result.problems == ["cause 'a dns misconfiguration' does not match the recorded cause"]


def test_the_recorded_cause_in_other_words_passes() -> None:
    draft = _draft("Checkout failed because of a new deploy that broke the order total.")

    assert check_grounding(draft, checkout_p0()).ok


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ("Errors come from db-primary.internal.example.net.", "a hostname"),
        ("Errors come from 10.0.3.17.", "an IP address"),
        ("Contact ann@example.com for details.", "an email address"),
        ("We saw a TypeError in the cart service.", "an exception name"),
        ("The failure is in /srv/app/checkout/total.py.", "a file path"),
        ('Traceback (most recent call last):\n  File "app.py", line 3', "a stack trace"),
        ("Globex was also affected.", "another customer"),
        ("Only release web@2026.11.03-1 is affected.", "an internal release"),
    ],
)
def test_a_public_draft_with_internal_details_fails(body: str, what: str) -> None:
    result = check_grounding(_draft(body), checkout_p0())

    assert any(what in p for p in result.problems), result.problems


def test_internal_drafts_may_carry_internal_details() -> None:
    draft = _draft(
        "TypeError on /api/checkout from db-1.internal; ann@example.com saw it.",
        channel=Channel.SLACK_INTERNAL,
        public=False,
    )

    assert check_grounding(draft, checkout_p0()).ok


def test_an_enterprise_email_may_name_its_own_account_but_not_another() -> None:
    facts = checkout_p0()

    own = check_grounding(_draft("Dear Acme Corp team,", account="Acme Corp"), facts)
    other = check_grounding(_draft("Dear Acme Corp team, Globex too.", account="Acme Corp"), facts)

    assert own.ok
    assert other.problems == ["public draft names another customer ('Globex')"]


def test_rca_deadline_and_sla_days_are_grounded_in_the_account_contract() -> None:
    facts = resolved(checkout_p0())

    good = check_grounding(_draft("An RCA follows within 5 days, by 8 November 2026."), facts)
    bad = check_grounding(_draft("An RCA follows within 7 days, by 10 November 2026."), facts)

    assert good.ok
    assert len(bad.problems) == 2


def test_an_x_post_over_280_characters_is_not_sendable() -> None:
    result = check_grounding(_draft("Checkout is failing. " * 20, channel=Channel.X), checkout_p0())

    assert result.problems == ["X post is 420 characters; the limit is 280"]
