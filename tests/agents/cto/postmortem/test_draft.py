from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.blameless import find_blame
from agents.cto.postmortem.causes import OPEN
from agents.cto.postmortem.draft import draft_postmortem, people_in, render_markdown
from agents.cto.postmortem.models import (
    UNKNOWN,
    AlertSummary,
    CommsSent,
    HumanNote,
    Owners,
    PastIncident,
    Postmortem,
    PostmortemInput,
    StatusUpdateSent,
    WarRoomMessage,
)
from warroom.incidents.models import Incident, IncidentStatus, TimelineEvent
from warroom.severity import Classification, Severity

SECTIONS = [
    "Summary",
    "Impact",
    "Timeline",
    "Root cause",
    "Five whys",
    "Contributing factors",
    "What went well",
    "What could be better",
    "Action items",
    "Related incidents",
]


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 11, 3, hour, minute, second, tzinfo=UTC)


def checkout_incident(**changes: object) -> Incident:
    incident = Incident(
        id=7,
        title="Checkout failing: 500s on /api/checkout",
        service="checkout",
        dedup_key="sentry:42",
        source="sentry",
        status=IncidentStatus.RESOLVED,
        severity=Severity.P0,
        classification=None,
        opened_at=at(2, 0),
        first_seen=at(1, 59, 30),
        last_seen=at(2, 3),
        event_count=847,
        alert_count=3,
        users_affected=312,
        acknowledged_at=at(2, 4),
        resolved_at=at(2, 47),
        timeline=[
            TimelineEvent(incident_id=7, at=at(2, 0), kind="opened", text="Incident opened as P0"),
            TimelineEvent(incident_id=7, at=at(2, 4), kind="acknowledged", actor="bob", text="Acknowledged"),
            TimelineEvent(incident_id=7, at=at(2, 47), kind="resolved", actor="bob", text="Marked resolved"),
        ],
    )
    return incident.model_copy(update=changes)


NOTES = [
    HumanNote(at=at(2, 20), author="alice", text="Bob broke checkout with the deploy"),
    HumanNote(
        at=at(2, 30),
        author="bob",
        text="root cause: the payment provider API key expired\n"
        "why: checkout calls to the provider returned 401\n"
        "- contributing factor: no expiry monitoring on secrets\n"
        "action [P1]: add an expiry alert for provider keys owner: alice",
    ),
]


def demo_input(**changes: object) -> PostmortemInput:
    inp = PostmortemInput(
        incident=checkout_incident(),
        alerts=[AlertSummary(at=at(2, 0), source="sentry", title="TypeError in checkout", count=847)],
        status_posts=[
            StatusUpdateSent(at=at(2, 0, 1), status=IncidentStatus.INVESTIGATING, body="Checkout errors."),
            StatusUpdateSent(at=at(2, 15), status=IncidentStatus.IDENTIFIED, body="Cause found."),
            StatusUpdateSent(at=at(2, 30), status=IncidentStatus.MONITORING, body="Fix deployed."),
            StatusUpdateSent(at=at(2, 45), status=IncidentStatus.RESOLVED, body="Checkout works again."),
        ],
        comms=[CommsSent(at=at(2, 9), channel="email", audience="312 customers who hit checkout errors")],
        notes=NOTES,
        war_room=[
            WarRoomMessage(at=at(2, 12), author="alice", text="rotating the key now"),
            WarRoomMessage(at=at(2, 13), author="warroom", text="P0 update due at 02:15"),
        ],
        cohort="customers checking out in the EU",
        cohort_size=312,
        revenue_per_minute=50,
        owners=Owners(incident_commander="bob", on_call="carol", roles={"comms": "alice"}),
        now=at(3, 0),
    )
    return inp.model_copy(update=changes)


def same_cause_past(open_items: list[str]) -> PastIncident:
    return PastIncident(
        id=3,
        title="Checkout 401s from the payment provider",
        root_cause="expired payment provider API key",
        resolved_at=at(1, 0) - timedelta(days=40),
        open_action_items=open_items,
    )


def section(markdown: str, name: str) -> str:
    return markdown.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]


def test_every_section_is_present_in_order() -> None:
    markdown = render_markdown(draft_postmortem(demo_input()))

    positions = [markdown.index(f"\n## {name}\n") for name in SECTIONS]
    assert positions == sorted(positions)


def test_timeline_keeps_the_stored_timestamps_of_every_source_in_order() -> None:
    inp = demo_input()

    pm = draft_postmortem(inp)

    stored = (
        [a.at for a in inp.alerts]
        + [e.at for e in inp.incident.timeline]
        + [m.at for m in inp.war_room]
        + [p.at for p in inp.status_posts]
        + [c.at for c in inp.comms]
    )
    assert sorted(e.at for e in pm.timeline) == sorted(stored)
    assert [e.at for e in pm.timeline] == sorted(e.at for e in pm.timeline)
    assert {e.source for e in pm.timeline} == {
        "alert (sentry)",
        "incident (opened)",
        "incident (acknowledged)",
        "incident (resolved)",
        "war room",
        "status page",
        "comms (email)",
    }
    timeline = section(render_markdown(pm), "Timeline")
    for moment in stored:
        assert f"| {moment:%H:%M} UTC |" in timeline  # a time a person reads, not microseconds
    assert "+00:00" not in render_markdown(pm)


def test_durations_come_from_the_stored_timestamps() -> None:
    impact = draft_postmortem(demo_input()).impact

    assert impact.duration == timedelta(minutes=47, seconds=30)  # from the first error: one duration everywhere
    assert impact.time_to_detect == timedelta(seconds=30)
    assert impact.time_to_acknowledge == timedelta(minutes=4)
    assert impact.time_to_first_status_post == timedelta(seconds=1)
    assert impact.time_to_first_comms == timedelta(minutes=9)
    assert (impact.users_affected, impact.requests_affected, impact.cohort_size) == (312, 847, 312)


def test_late_first_comms_is_measured_against_the_target() -> None:
    pm = draft_postmortem(demo_input())

    line = "first comms after 9 minutes vs the 5-minute target"
    assert line in pm.could_be_better
    assert [b.measure for b in pm.impact.sla_breaches] == ["time_to_first_comms"]
    assert line in section(render_markdown(pm), "What could be better")


def test_steps_within_target_go_under_what_went_well() -> None:
    pm = draft_postmortem(demo_input())

    assert pm.went_well == [
        "detected 30 seconds after the first error vs the 5-minute target",
        "acknowledged after 4 minutes vs the 5-minute target for P0",
        "first status-page post after 1 second vs the 5-minute target",
        "resolved after 47 minutes 30 seconds vs the 1-hour target for P0",
        "status-page updates at most 15 minutes apart vs the 15-minute cadence for P0",
    ]


def test_missing_comms_and_status_post_on_a_p0_are_breaches() -> None:
    pm = draft_postmortem(demo_input(comms=[], status_posts=[]))

    assert {b.measure for b in pm.impact.sla_breaches} == {"time_to_first_comms", "time_to_first_status_post"}
    assert "no customer comms were sent (the 5-minute target)" in pm.could_be_better


def test_p2_without_comms_is_not_a_breach() -> None:
    inp = demo_input(incident=checkout_incident(severity=Severity.P2), comms=[], status_posts=[])

    assert draft_postmortem(inp).impact.sla_breaches == []


def test_revenue_estimate_is_duration_times_revenue_per_minute() -> None:
    pm = draft_postmortem(demo_input())

    assert pm.impact.revenue_estimate == 47.5 * 50
    assert "≈ 2,375.00 USD" in render_markdown(pm)


def test_revenue_estimate_is_absent_when_not_configured() -> None:
    pm = draft_postmortem(demo_input(revenue_per_minute=None))

    assert pm.impact.revenue_estimate is None
    assert "not configured (set revenue_per_minute)" in render_markdown(pm)


def test_unresolved_incident_is_measured_until_now() -> None:
    pm = draft_postmortem(demo_input(incident=checkout_incident(resolved_at=None)))

    assert pm.impact.duration == timedelta(hours=1, seconds=30)
    assert not any(line.startswith("resolved after") for line in pm.went_well + pm.could_be_better)


def test_root_cause_whys_and_factors_come_from_the_notes() -> None:
    pm = draft_postmortem(demo_input())

    assert pm.root_cause_known
    assert pm.root_cause == "the payment provider API key expired"
    assert pm.five_whys[0].answer == "checkout calls to the provider returned 401"
    assert [(w.question, w.answer) for w in pm.five_whys[1:]] == [
        ("Why “checkout calls to the provider returned 401”?", "the payment provider API key expired"),
        ("Why “the payment provider API key expired”?", OPEN),  # one question where the notes stop
    ]
    assert pm.contributing_factors == ["no expiry monitoring on secrets"]


def test_because_sentences_chain_into_the_five_whys() -> None:
    notes = [
        HumanNote(at=at(2, 20), author="bob", text="Checkout returned 500s because the provider answered 401"),
        HumanNote(at=at(2, 25), author="bob", text="The provider answered 401 because the API key expired"),
    ]

    pm = draft_postmortem(demo_input(notes=notes))

    assert [(w.question, w.answer) for w in pm.five_whys[:2]] == [
        ("Why “Checkout returned 500s”?", "the provider answered 401"),
        ("Why “The provider answered 401”?", "the API key expired"),
    ]
    assert pm.root_cause == "the API key expired"


def test_unknown_root_cause_is_left_to_be_completed_not_invented() -> None:
    pm = draft_postmortem(demo_input(notes=[], war_room=[]))

    assert not pm.root_cause_known
    assert pm.root_cause == UNKNOWN
    assert [(w.question, w.answer) for w in pm.five_whys] == [("Why did checkout fail?", UNKNOWN)]
    assert pm.contributing_factors == []
    assert "## Contributing factors" not in render_markdown(pm)  # an empty section is dropped, not "unknown"
    assert "Complete the root-cause analysis and the five whys" in [a.title for a in pm.action_items]
    assert f"## Root cause\n\n{UNKNOWN}\n" in render_markdown(pm)


def test_every_action_item_has_an_owner_and_a_priority_based_due_date() -> None:
    inp = demo_input(past_incidents=[same_cause_past(["Add key expiry alert"])])

    items = draft_postmortem(inp).action_items

    due_days = {Severity.P0: 7, Severity.P1: 14, Severity.P2: 30}
    assert {item.priority for item in items} >= {Severity.P0, Severity.P1}
    for item in items:
        assert item.owner and item.source
        assert item.due == inp.now + timedelta(days=due_days[item.priority])


def test_note_action_keeps_its_priority_and_named_owner() -> None:
    items = draft_postmortem(demo_input()).action_items

    (note_item,) = [i for i in items if i.title == "add an expiry alert for provider keys"]
    assert (note_item.owner, note_item.priority) == ("alice (comms)", Severity.P1)


def test_action_owner_defaults_to_incident_commander_then_on_call() -> None:
    note = HumanNote(at=at(2, 30), author="bob", text="todo: rotate keys on a schedule")
    with_commander = draft_postmortem(demo_input(notes=[note])).action_items[0]
    on_call_only = draft_postmortem(demo_input(notes=[note], owners=Owners(on_call="carol"))).action_items[0]
    nobody = draft_postmortem(demo_input(notes=[note], owners=Owners())).action_items[0]

    assert (with_commander.owner, on_call_only.owner, nobody.owner) == ("bob", "carol", "incident commander")


def test_late_comms_action_goes_to_the_comms_role() -> None:
    items = draft_postmortem(demo_input()).action_items

    (comms_item,) = [i for i in items if i.source == "missed target: time_to_first_comms"]
    assert comms_item.owner == "alice (comms)"
    assert "5-minute target (this time: 9 minutes)" in comms_item.title


def test_same_cause_past_incident_with_open_items_gets_a_plain_warning() -> None:
    pm = draft_postmortem(demo_input(past_incidents=[same_cause_past(["Add key expiry alert"])]))

    assert pm.related_incidents[0].same_cause
    assert pm.repeat_warnings == [
        "This looks like the same cause as incident #3 “Checkout 401s from the payment provider” "
        "(root cause: expired payment provider API key), and its 1 action item is still open: "
        "Add key expiry alert."
    ]
    assert pm.repeat_warnings[0] in section(render_markdown(pm), "Related incidents")
    assert any(i.source == "related incident #3" for i in pm.action_items)


def test_same_cause_past_incident_with_items_done_gets_no_warning() -> None:
    pm = draft_postmortem(demo_input(past_incidents=[same_cause_past([])]))

    assert [r.id for r in pm.related_incidents] == [3]
    assert pm.repeat_warnings == []
    assert "Repeat:" not in render_markdown(pm)


def test_unrelated_past_incident_is_not_listed() -> None:
    past = PastIncident(
        id=4, title="Newsletter images slow", root_cause="CDN cache purge", open_action_items=["Tune CDN"]
    )

    pm = draft_postmortem(demo_input(past_incidents=[past]))

    assert pm.related_incidents == []
    assert "- none found" in section(render_markdown(pm), "Related incidents")


@pytest.mark.parametrize(
    "war_room",
    [[], [WarRoomMessage(at=at(2, 14), author="carol", text="this is Alice's fault, careless deploy")]],
)
def test_draft_passes_the_blame_check(war_room: list[WarRoomMessage]) -> None:
    inp = demo_input(war_room=war_room, past_incidents=[same_cause_past(["Add key expiry alert"])])

    markdown = render_markdown(draft_postmortem(inp))

    assert find_blame(markdown, [*people_in(inp), "Bob", "Alice", "Carol"]) == []


def test_blaming_lines_are_left_out_and_counted() -> None:
    pm = draft_postmortem(demo_input())

    assert pm.withheld == 1
    assert "broke" not in render_markdown(pm)
    assert "1 recorded line left out of this draft" in render_markdown(pm)


def test_names_appear_only_as_action_item_owners() -> None:
    markdown = render_markdown(draft_postmortem(demo_input()))

    action_rows = section(markdown, "Action items")
    outside = markdown.replace(action_rows, "")
    assert not re.search(r"\b(bob|alice|carol)\b", outside, re.IGNORECASE)
    assert "| alice (comms) |" in action_rows


def test_war_room_cause_lines_count_but_war_room_chatter_does_not() -> None:
    war_room = [
        WarRoomMessage(at=at(2, 10), author="alice", text="rolling back because it is the safest move"),
        WarRoomMessage(at=at(2, 11), author="carol", text="cause: provider key rotation job was disabled"),
    ]

    pm = draft_postmortem(demo_input(notes=[], war_room=war_room))

    assert pm.root_cause == "provider key rotation job was disabled"
    assert [(w.question, w.answer) for w in pm.five_whys] == [
        ("Why did checkout fail?", "provider key rotation job was disabled"),
        ("Why “provider key rotation job was disabled”?", OPEN),
    ]


def test_draft_round_trips_through_json_for_storage() -> None:
    pm = draft_postmortem(demo_input(past_incidents=[same_cause_past(["Add key expiry alert"])]))

    assert Postmortem.model_validate_json(pm.model_dump_json()) == pm


_SUBJECTS = ["Bob", "Alice", "carol", "@bob", "someone", "the on-call engineer", "Bob's deploy"]
_FAILURES = [
    "broke checkout",
    "forgot to renew the key",
    "caused the outage",
    "misconfigured the LB",
    "should have known better",
    "was careless",
    "made a human error",
]


@settings(max_examples=40, deadline=None)
@given(
    lines=st.lists(st.tuples(st.sampled_from(_SUBJECTS), st.sampled_from(_FAILURES)), min_size=1, max_size=4),
    prefix=st.sampled_from(["", "root cause: ", "why: ", "cause: ", "action: ", "contributing factor: "]),
)
def test_draft_passes_the_blame_check_whatever_humans_wrote(lines: list[tuple[str, str]], prefix: str) -> None:
    text = "\n".join(f"{prefix}{who} {what}" for who, what in lines)
    inp = demo_input(
        notes=[HumanNote(at=at(2, 30), author="alice", text=text)],
        war_room=[WarRoomMessage(at=at(2, 31), author="carol", text=text)],
    )

    markdown = render_markdown(draft_postmortem(inp))

    assert find_blame(markdown, ["Bob", "Alice", "Carol"]) == []


def test_the_title_says_what_broke_how_and_for_how_long_not_the_exception() -> None:
    pm = draft_postmortem(demo_input())
    assert pm.title == "Checkout failed for 48 minutes"  # 01:59:30 to 02:47, as customers were told
    assert pm.summary.startswith("Checkout failed for 48 minutes (P0), from 01:59 to 02:47 UTC on 3 November 2026.")
    assert "Checkout failing: 500s" not in pm.title
    slow = checkout_incident(
        severity=Severity.P1,
        classification=Classification(
            severity=Severity.P1, reason="latency", facts={"state": "degraded", "latency_factor": 5.0}
        ),
    )
    assert draft_postmortem(demo_input(incident=slow)).title.startswith("Checkout was slow for ")


SCENARIO_NOTES = [
    HumanNote(at=at(2, 4), author="dana", text="hypothesis: the 2.34 release changed how totals are read"),
    HumanNote(
        at=at(2, 6),
        author="dana",
        text="cause: release 2.34 dropped the currency field for EUR carts; the contract test did not cover EUR",
    ),
    HumanNote(at=at(2, 8), author="dana", text="We'll add a contract test for every currency before the next release."),
    HumanNote(at=at(2, 30), author="dana", text="fixed: rolled back to 2.33"),
]


def test_the_noted_cause_seeds_the_whys_and_the_first_open_question_is_specific() -> None:
    pm = draft_postmortem(demo_input(notes=SCENARIO_NOTES, war_room=[]))
    assert [(w.question, w.answer) for w in pm.five_whys] == [
        ("Why did checkout fail?", "release 2.34 dropped the currency field for EUR carts"),
        ("Why did that happen?", "the contract test did not cover EUR"),
        ("Why “the contract test did not cover EUR”?", OPEN),
    ]
    assert UNKNOWN not in render_markdown(pm)


def test_a_hypothesis_alone_seeds_the_first_why_marked_unconfirmed() -> None:
    pm = draft_postmortem(demo_input(notes=SCENARIO_NOTES[:1], war_room=[]))
    assert pm.five_whys[0].answer == "the 2.34 release changed how totals are read (a hypothesis, not confirmed)"


def test_a_we_will_sentence_in_the_notes_becomes_an_action_item() -> None:
    pm = draft_postmortem(demo_input(notes=SCENARIO_NOTES, war_room=[]))
    [item] = [i for i in pm.action_items if "contract test" in i.title and i.source.startswith("note")]
    assert item.title == "Add a contract test for every currency before the next release"
    assert item.source == "note by the responder at 02:08 UTC"


def test_trigger_detection_and_resolution_come_from_the_record_and_the_notes() -> None:
    pm = draft_postmortem(demo_input(notes=SCENARIO_NOTES, war_room=[]))
    assert pm.trigger == "release 2.34 dropped the currency field for EUR carts (first error at 01:59 UTC)"
    assert pm.detection == (
        "a sentry alert at 02:00 UTC, 30 seconds after the first error; acknowledged 4 minutes later"
    )
    assert pm.resolution.startswith("rolled back to 2.33 (02:30 UTC); resolved at 02:47 UTC")
    assert "- **Trigger**: release 2.34" in render_markdown(pm)


def test_no_customer_address_reaches_the_postmortem() -> None:
    sends = [CommsSent(at=at(2, 9), channel="email", audience="2 affected users")]
    incident = checkout_incident(
        timeline=[
            *checkout_incident().timeline,
            TimelineEvent(incident_id=7, at=at(2, 9), kind="comms_sent", text="email draft #1 sent to 2 recipients"),
        ]
    )
    markdown = render_markdown(draft_postmortem(demo_input(incident=incident, comms=sends)))
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", markdown)
    assert markdown.count("email draft #1 sent") == 1  # one row per send, not one per recipient


def test_a_cause_written_as_effect_so_result_is_not_split_backwards() -> None:
    note = HumanNote(at=at(2, 6), author="dana", text="cause: the pool limit was lowered, so requests timed out")
    pm = draft_postmortem(demo_input(notes=[note], war_room=[]))
    assert pm.five_whys[0].answer == "the pool limit was lowered, so requests timed out"
    because = HumanNote(at=at(2, 6), author="dana", text="cause: the key expired because its rotation job was off")
    whys = draft_postmortem(demo_input(notes=[because], war_room=[])).five_whys
    assert [w.answer for w in whys[:2]] == ["the key expired", "its rotation job was off"]


def test_a_handful_of_items_the_humans_first_and_no_generic_fix_beside_their_guard() -> None:
    notes = [HumanNote(at=at(2, 30), author="bob", text=f"todo: guard number {n} against a repeat") for n in range(2)]
    items = draft_postmortem(demo_input(notes=notes, past_incidents=[same_cause_past(["Add key expiry alert"])]))
    titles = [i.title for i in items.action_items]
    assert titles[:2] == ["guard number 0 against a repeat", "guard number 1 against a repeat"]
    assert len(titles) <= 5 and not any(t.startswith("Fix the root cause") for t in titles)


def test_every_item_the_humans_wrote_is_kept_however_many() -> None:
    notes = [HumanNote(at=at(2, 30), author="bob", text=f"todo: guard number {n} against a repeat") for n in range(7)]
    items = draft_postmortem(demo_input(notes=notes)).action_items
    assert [i.title for i in items] == [f"guard number {n} against a repeat" for n in range(7)]


def test_without_human_items_the_root_cause_gets_one() -> None:
    cause = HumanNote(at=at(2, 30), author="bob", text="cause: the payment provider key expired")
    items = draft_postmortem(demo_input(notes=[cause])).action_items
    assert items[0].title == "Fix the root cause and add a guard so it cannot recur: the payment provider key expired"
    unknown = draft_postmortem(demo_input(notes=[])).action_items
    assert unknown[0].title == "Complete the root-cause analysis and the five whys"


def test_a_credential_in_an_alert_or_a_note_stays_out_of_the_postmortem() -> None:
    """A postmortem is shared widely and kept for years: the key an alert quoted, or a responder pasted,
    is named by its kind only, in the timeline and in the root cause alike."""
    key = "AKIA" + "IOSFODNN7EXAMPLE"
    inp = demo_input(
        alerts=[AlertSummary(at=at(2, 0), source="sentry", title=f"IAM key {key} used from 203.0.113.9", count=1)],
        notes=[HumanNote(at=at(2, 30), author="bob", text=f"root cause: key {key} was committed to a public repo")],
    )

    markdown = render_markdown(draft_postmortem(inp))

    assert key not in markdown
    assert "IAM key [redacted AWS Access Key] used from 203.0.113.9" in section(markdown, "Timeline")
    assert "[redacted AWS Access Key] was committed to a public repo" in section(markdown, "Root cause")
