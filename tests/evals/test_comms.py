"""The comms gate, and proof that each check of the rubric fails on the message it is meant to catch."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from evals.comms import KNOWN_GAPS, judge_message, score_comms
from evals.comms_record import Record
from evals.harness import Outcome
from evals.lifecycle import PublicMessage

pytestmark = pytest.mark.timeout(300)


def _case(outcomes: list[Outcome], name: str) -> Outcome:
    [outcome] = [o for o in outcomes if o.case == name]
    assert outcome.response is not None, outcome.response_error
    return outcome


def test_every_case_rated_p0_or_p1_is_carried_to_resolution(outcomes):
    paged = [o for o in outcomes if o.severity is not None and o.severity.pages_customers]
    assert len(paged) >= 40
    assert [o.case for o in paged if o.response is None or o.response.incident["status"] != "resolved"] == []


def test_every_public_channel_is_scored(outcomes):
    channels = {m.channel for o in outcomes if o.response for m in o.response.messages}
    assert {"email", "discord", "x", "status_page"} <= channels


def test_every_comms_failure_is_a_named_product_gap_and_every_named_gap_still_occurs(outcomes):
    result = score_comms(outcomes)
    assert result.errors == []
    assert [f"{f.case} {f.channel}/{f.kind} [{f.check}] {f.detail}" for f in result.unexplained] == []
    assert result.gaps_gone == [], "the product closed these gaps: remove their marks"


@pytest.fixture
def login(outcomes) -> tuple[Outcome, Record, PublicMessage]:
    outcome = _case(outcomes, "p0-login-outage")
    record = Record(outcome.response)
    [message] = [m for m in outcome.response.messages if (m.channel, m.kind) == ("discord", "update")]
    return outcome, record, message


def _judge(login, text: str, **changes) -> dict[str, str]:
    outcome, record, message = login
    changed = message.model_copy(update={"text": text, **changes})
    return judge_message(outcome.case, changed, record, outcome.comms.must_mention).failed


def test_a_specific_current_message_passes_every_check(login):
    _, record, message = login
    assert record.users == 110
    assert _judge(login, message.text) == {}


@pytest.mark.parametrize(
    ("replace", "by", "check"),
    [
        ("some users", "250 users", "facts_only"),
        ("some users", "110 users", "no_raw_count"),
        ("Since 02:00 UTC", "Since 01:40 UTC", "started"),
        ("Next update by 02:30 UTC.", "", "next_update"),
        ("Login failing", "Login failing (AuthTokenError at db-1.internal.example.com)", "no_internal"),
        ("login", "sign-on", "names_thing"),
        ("we're monitoring the results.", "Dana Reyes is monitoring the results.", "no_internal"),
        ("we're monitoring the results.", "about 40% of requests fail.", "facts_only"),
        (
            "we're monitoring the results.",
            "A configuration change lowered the database connection pool limit below peak traffic.",
            "no_raw_note",
        ),
    ],
)
def test_each_check_fails_on_what_it_guards(login, replace, by, check):
    _, _, message = login
    text = re.sub(re.escape(replace), by, message.text, flags=re.IGNORECASE)
    assert text != message.text
    assert check in _judge(login, text)


@pytest.mark.parametrize(
    ("said", "failed"),
    [("about 50% of users", None), ("about 20% of users", "current"), ("some users", "cohort")],
)
def test_where_the_share_is_known_public_text_must_give_todays_share(login, said, failed):
    outcome, record, message = login
    record.share = 50.0  # as if the service's size were configured: 110 of 220 users
    text = re.sub("some users", said, message.text, flags=re.IGNORECASE)
    found = judge_message(outcome.case, message.model_copy(update={"text": text}), record, outcome.comms.must_mention)
    assert (failed in found.failed) if failed else ("cohort" not in found.failed and "current" not in found.failed)


def test_an_enterprise_notice_may_give_the_accounts_own_count(login):
    _, _, message = login
    text = re.sub("some users", "12 users", message.text, flags=re.IGNORECASE)
    assert "no_raw_count" not in _judge(login, text, channel="enterprise_email")
    assert "no_raw_count" in _judge(login, text)


def test_a_draft_the_product_blocked_fails_as_ungrounded(login):
    _, _, message = login
    assert "grounded" in _judge(login, message.text, state="blocked", problems=["number '250' is not in the facts"])


def test_an_update_still_approvable_after_the_all_clear_fails_as_stale(login):
    _, record, message = login
    assert record.resolved is not None
    assert "not_stale" in _judge(login, message.text, state="pending_approval")
    assert "not_stale" in _judge(login, message.text, state="approved")
    assert "not_stale" not in _judge(login, message.text, state="sent")


def test_no_scenario_leaves_a_still_going_on_draft_approvable_after_resolution(outcomes):
    stale = [
        f"{o.case} {m.channel}/{m.kind} #{m.state}"
        for o in outcomes
        if o.response
        for m in o.response.messages
        if m.kind in ("initial", "update") and m.state in ("pending_approval", "blocked", "approved")
    ]
    assert stale == []


def test_a_status_page_that_misses_its_own_next_update_time_is_caught(outcomes):
    outcome = _case(outcomes, "p0-login-outage")
    record = Record(outcome.response)
    page = sorted((m for m in outcome.response.messages if m.channel == "status_page"), key=lambda m: m.at)
    first, second = page[-3], page[-2]
    on_time = judge_message(outcome.case, first, record, outcome.comms.must_mention, second).failed
    late = judge_message(
        outcome.case,
        first,
        record,
        outcome.comms.must_mention,
        second.model_copy(update={"at": second.at + timedelta(minutes=3)}),
    ).failed
    assert "promise_kept" not in on_time and "promise_kept" in late


def test_known_gaps_name_where_the_product_falls_short():
    assert all(len(reason) > 30 for reason in KNOWN_GAPS.values())


def test_a_region_code_in_public_text_is_caught(login):
    _, _, message = login
    assert "no_region_code" in _judge(login, message.text + " Users in eu-west-1 were affected.")
    assert "no_region_code" not in _judge(login, message.text + " Users in Europe were affected.")


def test_a_message_that_does_not_say_the_symptom_the_alerts_show_is_caught(login):
    outcome, record, message = login
    incident = {**record.response.incident, "classification": {"facts": {"latency_factor": 6.0, "state": "degraded"}}}
    record.response = record.response.model_copy(update={"incident": incident})
    found = judge_message(outcome.case, message, record, outcome.comms.must_mention).failed
    assert "verb_matches_symptom" in found and "slow" in found["verb_matches_symptom"]
    slow = message.model_copy(update={"text": message.text.replace("failing", "slow")})
    assert "verb_matches_symptom" not in judge_message(outcome.case, slow, record, outcome.comms.must_mention).failed


def test_the_enterprise_scenarios_give_the_accounts_own_count_and_keep_its_own_problem_off_the_page(outcomes):
    shared = _case(outcomes, "p0-checkout-storm-enterprise-share")
    assert shared.response.incident["users_affected"] == 18
    [notice] = [m for m in shared.response.messages if (m.channel, m.kind) == ("enterprise_email", "initial")]
    assert "12 users" in notice.text and "18" not in notice.text
    assert {"status_page", "x", "discord"} <= {m.channel for m in shared.response.messages}
    alone = _case(outcomes, "p1-enterprise-sso-one-account")
    assert {m.channel for m in alone.response.messages} == {"email", "enterprise_email"}


def test_the_incidents_count_to_an_account_a_broadcast_of_its_problem_and_no_notice_fail(outcomes):
    shared = _case(outcomes, "p0-checkout-storm-enterprise-share")
    record = Record(shared.response)
    [notice] = [m for m in shared.response.messages if (m.channel, m.kind) == ("enterprise_email", "initial")]
    wrong = notice.model_copy(update={"text": notice.text.replace("12 users", "18 users")})
    judged = judge_message(shared.case, wrong, record, shared.comms.must_mention, None, shared.comms)
    assert "enterprise_count" in judged.failed
    alone = _case(outcomes, "p1-enterprise-sso-one-account")
    page = next(m for m in shared.response.messages if m.channel == "status_page")
    assert "no_broadcast" in judge_message(alone.case, page, record, [], None, alone.comms).failed
    silent = shared.response.model_copy(
        update={"messages": [m for m in shared.response.messages if m.channel != "enterprise_email"]}
    )
    result = score_comms([shared.model_copy(update={"response": silent})], every_case=False)
    assert [f.detail for f in result.failures if f.check == "enterprise_count"] == [
        "no notice to the enterprise account its own users were hit in"
    ]


def test_an_all_clear_where_customers_buy_that_says_nothing_to_do_fails_the_advice_check(outcomes):
    outcome = _case(outcomes, "p0-checkout-error-storm")
    record = Record(outcome.response)
    [message] = [m for m in outcome.response.messages if (m.channel, m.kind) == ("email", "all_clear")]
    assert "advice" not in judge_message(outcome.case, message, record, outcome.comms.must_mention).failed
    silent = message.model_copy(update={"text": re.sub(r"If your order did not go through[^.]*\.", "", message.text)})
    assert silent.text != message.text
    assert "advice" in judge_message(outcome.case, silent, record, outcome.comms.must_mention).failed
