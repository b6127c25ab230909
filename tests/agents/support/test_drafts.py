from datetime import UTC, datetime, timedelta

import pytest

from agents.support.cohort import detect_cohort
from agents.support.comms import prepare_comms
from agents.support.drafts import Draft, draft_comms, format_percent
from agents.support.facts import AccountImpact, Brand, FollowUp, IncidentFacts, KnownAccount
from agents.support.grounding import check_grounding
from warroom.alerts.models import AffectedUser
from warroom.channels import Channel, x_weighted_length
from warroom.drafts.models import CommsKind
from warroom.incidents.models import IncidentStatus
from warroom.severity import Severity

T0 = datetime(2026, 11, 3, 2, 14, tzinfo=UTC)


def checkout_p0(**overrides: object) -> IncidentFacts:
    """The 2am outage: 847 errors in 3 minutes on /api/checkout, 15% of users, mostly Chrome."""
    fields: dict[str, object] = {
        "incident_id": 42,
        "title": "TypeError: Cannot read properties of undefined (reading 'total')",
        "affected_thing": "checkout",
        "service": "checkout-api",
        "endpoints": ["/api/checkout"],
        "severity": Severity.P0,
        "status": IncidentStatus.IDENTIFIED,
        "started_at": T0,
        "detected_at": T0 + timedelta(minutes=1),
        "last_seen_at": T0 + timedelta(minutes=3),
        "next_update_at": T0 + timedelta(minutes=16),
        "event_count": 847,
        "affected_share": 0.15,
        "users_affected": 312,
        "cause": "a new deploy broke the order total and has been rolled back",
        "eta_minutes": 30,
        "tags": {
            "browser": {"Chrome 120": 600, "Chrome 121": 150, "Firefox 119": 60, "Safari 17": 37},
            "region": {"us-east-1": 800, "eu-west-1": 47},
            "release": {"web@2026.11.03-1": 847},
            "feature_flag": {"new-checkout": 820, "none": 27},
        },
        "affected_users": [
            AffectedUser(id="u1", email="ann@example.com", account="acme"),
            AffectedUser(id="u2", email="bob@example.org"),
            AffectedUser(id="u3", email="ANN@example.com"),
        ],
        "known_accounts": [
            KnownAccount(id="acme", name="Acme Corp", contact_emails=["ops@acme.test"], sla_rca_days=5),
            KnownAccount(id="globex", name="Globex", contact_emails=["it@globex.test"], sla_rca_days=3),
        ],
    }
    fields.update(overrides)
    return IncidentFacts.model_validate(fields)


def resolved(facts: IncidentFacts) -> IncidentFacts:
    return facts.model_copy(
        update={
            "status": IncidentStatus.RESOLVED,
            "resolved_at": T0 + timedelta(minutes=72),
            "what_was_fixed": "we rolled back the deploy and restored the order total",
        }
    )


def _by_channel(drafts: list[Draft]) -> dict[Channel, list[Draft]]:
    out: dict[Channel, list[Draft]] = {}
    for draft in drafts:
        out.setdefault(draft.channel, []).append(draft)
    return out


def _drafts(facts: IncidentFacts, kind: CommsKind) -> dict[Channel, list[Draft]]:
    return _by_channel(draft_comms(facts, detect_cohort(facts), kind))


@pytest.mark.parametrize("kind", [k for k in CommsKind if k is not CommsKind.RCA])
def test_every_template_passes_its_own_grounding_for_the_checkout_outage(kind: CommsKind) -> None:
    facts = checkout_p0()
    if kind is CommsKind.ALL_CLEAR:
        facts = resolved(facts)

    _, checked = prepare_comms(facts, kind)

    assert {c.draft.channel for c in checked} == set(Channel)
    assert [(c.draft.channel, c.grounding.problems) for c in checked if not c.sendable] == []


def test_the_rca_is_one_enterprise_email_per_affected_account_with_its_own_numbers_and_dates() -> None:
    impact = AccountImpact(account="acme", users=1, requests=37, first_at=T0, last_at=T0 + timedelta(minutes=9))
    follow_up = FollowUp(title="add a checkout total check to the release pipeline", due=T0 + timedelta(days=7))
    facts = resolved(checkout_p0(account_impact=[impact], follow_ups=[follow_up]))

    _, checked = prepare_comms(facts, CommsKind.RCA)

    [rca] = checked
    assert (rca.draft.channel, rca.draft.account, rca.draft.recipients) == (
        Channel.ENTERPRISE_EMAIL,
        "Acme Corp",
        ["ops@acme.test"],
    )
    assert rca.sendable, rca.grounding.problems
    body = rca.draft.body
    assert (
        "1 of your users was affected, and 37 of their requests failed, between 02:14 UTC and 02:23 UTC (9 minutes)"
        in body
    )
    assert "Cause\nA new deploy broke the order total and has been rolled back." in body
    assert "- Add a checkout total check to the release pipeline (by 10 November 2026)" in body
    assert "Globex" not in body
    wrong = rca.draft.model_copy(update={"body": body.replace("37 of their", "370 of their")})
    assert "number '370' is not in the facts" in check_grounding(wrong, facts).problems


def test_initial_public_post_is_specific_about_who_what_cause_and_eta() -> None:
    facts = checkout_p0(public_cause="a faulty release broke order totals and has been rolled back")
    (post,) = _drafts(facts, CommsKind.INITIAL)[Channel.DISCORD]

    assert post.body.splitlines()[2:] == [
        "Since 02:14 UTC, checkout has been failing for about 15% of users, mostly Chrome 120+ users in the eastern US.",
        "We've identified the cause (a faulty release broke order totals and has been rolled back) and are working "
        "on a fix.",
        "We expect it to be fixed within 30 minutes.",
        "Next update by 02:30 UTC.",
    ]
    assert check_grounding(post, facts).ok
    assert post.public
    assert post.facts_used["affected_share"] == 0.15
    assert post.facts_used["eta_minutes"] == 30


def test_public_messages_never_quote_an_internal_note() -> None:
    """`cause:` and `fixed:` notes are the team's words (hosts, releases, colleagues): only a
    `public:` note reaches customers; the internal summary keeps the team's words."""
    facts = resolved(checkout_p0())
    for kind in (CommsKind.INITIAL, CommsKind.ALL_CLEAR):
        drafts = _drafts(facts if kind is CommsKind.ALL_CLEAR else checkout_p0(), kind)
        for channel in (Channel.EMAIL, Channel.DISCORD, Channel.X, Channel.ENTERPRISE_EMAIL):
            for draft in drafts.get(channel, []):
                assert "new deploy broke the order total" not in draft.body, (channel, kind)
                assert "rolled back the deploy" not in draft.body, (channel, kind)
    (summary,) = _drafts(facts, CommsKind.ALL_CLEAR)[Channel.SLACK_INTERNAL]
    assert "we rolled back the deploy and restored the order total" in summary.body


def test_email_goes_only_to_affected_users() -> None:
    (email,) = _drafts(checkout_p0(), CommsKind.INITIAL)[Channel.EMAIL]

    assert email.recipients == ["ann@example.com", "bob@example.org"]


def test_no_email_draft_when_no_affected_user_has_an_address() -> None:
    drafts = _drafts(checkout_p0(affected_users=[AffectedUser(id="u1")]), CommsKind.INITIAL)

    assert Channel.EMAIL not in drafts


def test_only_affected_enterprise_accounts_get_a_formal_notice_with_their_rca_deadline() -> None:
    (notice,) = _drafts(resolved(checkout_p0()), CommsKind.ALL_CLEAR)[Channel.ENTERPRISE_EMAIL]

    assert notice.account == "Acme Corp"
    assert notice.recipients == ["ops@acme.test"]
    assert notice.body.startswith("Dear Acme Corp team,")
    assert "root-cause analysis within 5 days, by 8 November 2026" in notice.body
    assert "Globex" not in notice.body


def test_x_post_fits_280_characters_even_with_a_long_cause() -> None:
    facts = checkout_p0(cause="a configuration change to the payment provider's retry policy " * 4)

    (post,) = _drafts(facts, CommsKind.INITIAL)[Channel.X]

    assert x_weighted_length(post.body) <= 280
    assert check_grounding(post, facts).ok


def test_all_clear_says_what_was_fixed_how_long_and_who_was_affected() -> None:
    facts = resolved(checkout_p0(public_cause="a faulty release broke order totals; we rolled it back"))
    (post,) = _drafts(facts, CommsKind.ALL_CLEAR)[Channel.DISCORD]

    assert "a faulty release broke order totals; we rolled it back" in post.body
    assert "From 02:14 UTC to 03:26 UTC (1 hour 12 minutes)" in post.body
    assert "about 15% of users, mostly Chrome 120+ users in the eastern US" in post.body


def test_an_all_clear_without_a_resolution_time_is_refused() -> None:
    with pytest.raises(ValueError, match="resolved_at"):
        draft_comms(checkout_p0(), detect_cohort(checkout_p0()), CommsKind.ALL_CLEAR)


def test_without_a_known_cause_drafts_say_investigating_and_claim_no_cause() -> None:
    facts = checkout_p0(status=IncidentStatus.INVESTIGATING, cause=None, eta_minutes=None)

    (post,) = _drafts(facts, CommsKind.INITIAL)[Channel.DISCORD]

    assert "We're investigating the cause." in post.body
    assert "expect" not in post.body
    assert check_grounding(post, facts).ok


def test_internal_summary_carries_internals_and_is_not_public() -> None:
    (summary,) = _drafts(checkout_p0(), CommsKind.INITIAL)[Channel.SLACK_INTERNAL]

    assert not summary.public
    assert "847 events in 3 minutes" in summary.body
    assert "/api/checkout" in summary.body
    assert "on release web@2026.11.03-1 with the new-checkout flag" in summary.body
    assert "enterprise notices: Acme Corp" in summary.body


def test_internal_summary_counts_one_event_as_one_event() -> None:
    facts = checkout_p0().model_copy(update={"event_count": 1, "last_seen_at": None})
    (summary,) = _drafts(facts, CommsKind.INITIAL)[Channel.SLACK_INTERNAL]

    assert ": 1 event" in summary.body and "1 events" not in summary.body


def test_drafts_are_deterministic() -> None:
    facts = checkout_p0()
    cohort = detect_cohort(facts)

    assert draft_comms(facts, cohort, "update") == draft_comms(facts, cohort, "update")


def test_p1_is_described_as_degraded_rather_than_failing() -> None:
    (post,) = _drafts(checkout_p0(severity=Severity.P1), CommsKind.UPDATE)[Channel.DISCORD]

    assert post.body.startswith("🟠 **Checkout degraded** (update)\n\nSince 02:14 UTC, checkout has been degraded for")


def test_percentages_keep_a_decimal_below_one_percent() -> None:
    assert (format_percent(0.15), format_percent(0.004)) == ("15%", "0.4%")


@pytest.mark.parametrize("status", list(IncidentStatus))
@pytest.mark.parametrize("known", ["everything", "nothing"])
@pytest.mark.parametrize("severity", [Severity.P0, Severity.P1])
def test_templates_stay_grounded_whatever_is_known(status: IncidentStatus, known: str, severity: Severity) -> None:
    facts = checkout_p0(status=status, severity=severity)
    if known == "nothing":
        facts = facts.model_copy(
            update={
                "cause": None,
                "eta_minutes": None,
                "affected_share": None,
                "next_update_at": None,
                "tags": {},
                "users_affected": 0,
                "last_seen_at": None,
            }
        )
    kinds = [CommsKind.INITIAL, CommsKind.UPDATE]
    if status is IncidentStatus.RESOLVED:
        facts, kinds = resolved(facts), [CommsKind.ALL_CLEAR]

    for kind in kinds:
        _, checked = prepare_comms(facts, kind)
        assert [(c.draft.channel, c.grounding.problems) for c in checked if not c.sendable] == []


@pytest.mark.parametrize("kind", [CommsKind.INITIAL, CommsKind.ALL_CLEAR])
def test_every_public_message_links_the_status_page_and_stays_grounded(kind: CommsKind) -> None:
    brand = Brand(company="Northwind", signer="The Northwind team", status_url="https://status.northwind.com/")
    facts = checkout_p0(brand=brand)
    if kind is CommsKind.ALL_CLEAR:
        facts = resolved(facts)
    _, checked = prepare_comms(facts, kind)
    public = [c for c in checked if c.draft.public]
    assert {c.draft.channel for c in public} == {Channel.X, Channel.DISCORD, Channel.EMAIL, Channel.ENTERPRISE_EMAIL}
    for c in public:
        assert brand.status_url in c.draft.body, c.draft.channel
        assert c.grounding.problems == [], c.draft.channel
    for c in public:
        if c.draft.channel in (Channel.EMAIL, Channel.ENTERPRISE_EMAIL):
            assert c.draft.body.rstrip().endswith("The Northwind team")
    x = next(c.draft for c in public if c.draft.channel is Channel.X)
    assert x_weighted_length(x.body) <= 280


def test_the_all_clear_does_not_promise_nothing_more_is_needed() -> None:
    email = _drafts(resolved(checkout_p0()), CommsKind.ALL_CLEAR)[Channel.EMAIL][0]
    assert "nothing more is needed" not in email.body


@pytest.mark.parametrize(
    ("reading", "severity", "ongoing"),
    [
        ({"state": "failing", "failing_share": 1.0}, Severity.P1, "checkout has been failing for"),
        ({"state": "failing", "failing_share": 0.2}, Severity.P0, "checkout has been failing intermittently for"),
        ({"state": "degraded", "latency_factor": 6.0}, Severity.P0, "checkout has been slow for"),
        ({"state": "down"}, Severity.P1, "checkout has been unavailable for"),
        ({"state": "delayed"}, Severity.P1, "checkout has been delayed for"),
        ({}, Severity.P1, "checkout has been degraded for"),
    ],
)
def test_the_verb_follows_the_symptom_not_the_severity(reading, severity, ongoing) -> None:
    from agents.support.facts import Symptom

    facts = checkout_p0(severity=severity, symptom=Symptom.from_reading(reading))
    email = _drafts(facts, CommsKind.INITIAL)[Channel.EMAIL][0]
    assert ongoing in email.body
    _, checked = prepare_comms(facts, CommsKind.INITIAL)
    assert [c.grounding.problems for c in checked if not c.sendable] == []


def test_an_enterprise_notice_gives_the_accounts_own_count() -> None:
    facts = checkout_p0(affected_share=None, users_affected=3)
    notice = _drafts(facts, CommsKind.INITIAL)[Channel.ENTERPRISE_EMAIL][0]
    assert notice.account == "Acme Corp"
    assert "for 1 user." in notice.body  # u1 is Acme's; the incident's 3 users are not theirs to hear about
    _, checked = prepare_comms(facts, CommsKind.INITIAL)
    assert [c.grounding.problems for c in checked if not c.sendable] == []


def test_a_problem_only_one_account_has_is_not_broadcast_publicly() -> None:
    acme_only = [
        AffectedUser(id="u1", email="ann@acme.test", account="acme"),
        AffectedUser(id="u2", email="bo@acme.test", account="acme"),
    ]
    facts = checkout_p0(affected_users=acme_only, users_affected=2, affected_share=None)
    channels = _drafts(facts, CommsKind.INITIAL)
    assert Channel.X not in channels and Channel.DISCORD not in channels
    assert "for 2 users" in channels[Channel.ENTERPRISE_EMAIL][0].body
    assert Channel.EMAIL in channels  # the affected people themselves still hear
    # One of the affected is nobody's: a public problem again.
    mixed = checkout_p0(affected_users=[*acme_only, AffectedUser(id="u9", email="x@example.org")], users_affected=3)
    assert Channel.X in _drafts(mixed, CommsKind.INITIAL)


@pytest.mark.parametrize("kind", [CommsKind.INITIAL, CommsKind.ALL_CLEAR])
def test_customers_get_a_share_or_no_size_never_the_raw_count(kind: CommsKind) -> None:
    unsized = checkout_p0(affected_share=None, users_affected=312)
    facts = resolved(unsized) if kind is CommsKind.ALL_CLEAR else unsized
    channels = _drafts(facts, kind)
    for channel in (Channel.EMAIL, Channel.DISCORD, Channel.X):
        body = channels[channel][0].body
        assert "312" not in body and "3 users" not in body, (channel, body)
        assert "some users" in body.lower(), (channel, body)
    sized = checkout_p0()
    assert (
        "about 15% of users"
        in _drafts(resolved(sized) if kind is CommsKind.ALL_CLEAR else sized, kind)[Channel.EMAIL][0].body
    )
    internal = channels[Channel.SLACK_INTERNAL][0].body
    assert "· 312 users" in internal  # the team still sees the count


def test_a_revenue_all_clear_waits_until_someone_says_whether_customers_were_charged() -> None:
    open_slot = resolved(
        checkout_p0(revenue_path=True, advice="If your order did not go through, please place it again now.")
    )
    _, checked = prepare_comms(open_slot, CommsKind.ALL_CLEAR)
    held = {c.draft.channel: c for c in checked if not c.sendable}
    assert set(held) >= {Channel.EMAIL, Channel.DISCORD, Channel.ENTERPRISE_EMAIL}
    assert any("say whether customers were charged" in p for p in held[Channel.EMAIL].grounding.problems)
    assert "If your order did not go through, please place it again now." in held[Channel.EMAIL].draft.body
    said = open_slot.model_copy(update={"charged": "no card was charged for an order that failed"})
    _, checked = prepare_comms(said, CommsKind.ALL_CLEAR)
    assert [c.grounding.problems for c in checked if not c.sendable] == []
    email = next(c.draft for c in checked if c.draft.channel is Channel.EMAIL)
    assert "No card was charged for an order that failed." in email.body
    assert "[to be written" not in email.body


def test_an_all_clear_off_the_revenue_paths_asks_nothing_and_gives_the_generic_advice() -> None:
    facts = resolved(checkout_p0(affected_thing="search", revenue_path=False))
    _, checked = prepare_comms(facts, CommsKind.ALL_CLEAR)
    assert [c.grounding.problems for c in checked if not c.sendable] == []
    email = next(c.draft for c in checked if c.draft.channel is Channel.EMAIL)
    assert "If search failed for you during that time, please try again now." in email.body


def test_a_p0_only_resemblance_raised_is_told_at_the_rules_level() -> None:
    """Customers read what the rules established (P1: degraded, 🟠), not the resemblance's guess (failing, 🔴)."""
    facts = checkout_p0(public_severity=Severity.P1)
    drafts = _drafts(facts, CommsKind.INITIAL)
    assert "checkout has been degraded for" in drafts[Channel.EMAIL][0].body
    assert drafts[Channel.DISCORD][0].body.startswith("🟠 **Checkout degraded**")
    assert drafts[Channel.SLACK_INTERNAL][0].body.startswith("*[P0]"), "the team is told the P0 it is paged for"
    confirmed = _drafts(checkout_p0(public_severity=Severity.P0), CommsKind.INITIAL)
    assert confirmed[Channel.DISCORD][0].body.startswith("🔴 **Checkout failing**")


def test_a_data_exposure_is_told_as_affected_never_as_failing() -> None:
    from agents.support.facts import Symptom

    assert Symptom.from_reading({"exposure": ["exposed"]}) is Symptom.AFFECTED
    assert Symptom.from_reading({"security_topic": ["secret", "exposure"]}) is Symptom.AFFECTED
    assert Symptom.from_reading({"exposure": ["exposed"], "state": "down"}) is Symptom.UNAVAILABLE
    assert Symptom.from_reading({"exposure": ["exposed"], "state": "failing"}) is Symptom.AFFECTED, "errors alone"
    assert Symptom.from_reading({"exposure": ["exposed"], "state": "failing", "failing_share": 0.9}) is Symptom.FAILING
    facts = checkout_p0(symptom=Symptom.AFFECTED)
    drafts = _drafts(facts, CommsKind.INITIAL)
    assert "checkout has been affected for" in drafts[Channel.EMAIL][0].body
    assert drafts[Channel.EMAIL][0].subject == "We're looking into a problem with checkout"
    assert drafts[Channel.DISCORD][0].body.startswith("🔴 **Checkout affected**")
    every = [d.body for ds in drafts.values() for d in ds] + [
        d.body for ds in _drafts(resolved(facts), CommsKind.ALL_CLEAR).values() for d in ds
    ]
    assert not any("failing" in body or "could not use" in body for body in every)
    [rca, *_] = _drafts(resolved(facts), CommsKind.RCA)[Channel.ENTERPRISE_EMAIL]
    assert "Checkout was affected from" in rca.body
    _, checked = prepare_comms(facts, CommsKind.INITIAL)
    assert [c.grounding.problems for c in checked if not c.sendable] == []


def test_the_internal_summary_with_nobody_to_email_yet_is_sendable() -> None:
    facts = checkout_p0(affected_users=[])
    _, checked = prepare_comms(facts, CommsKind.INITIAL)
    [internal] = [c for c in checked if c.draft.channel is Channel.SLACK_INTERNAL]
    assert "Customer email: no affected user's address known yet" in internal.draft.body
    assert internal.sendable, internal.grounding.problems
