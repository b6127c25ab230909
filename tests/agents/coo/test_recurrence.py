"""The recurrence match (same alert key, or most of the title's words, within 90 days of a past
incident that had ended) and what the guard says about the open action items it finds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agents.coo.recurrence import alike, evidence, notice, recurrences, recurring, recurs, ticket_name, words
from warroom.action_items.store import ActionItem, TicketState
from warroom.incidents.models import Incident, IncidentStatus
from warroom.severity import Severity

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _incident(incident_id: int, title: str, opened: datetime, *, key: str = "", **changes: object) -> Incident:
    base = Incident(
        id=incident_id,
        title=title,
        service="shop",
        dedup_key=key or f"k{incident_id}",
        source="sentry",
        status=IncidentStatus.RESOLVED,
        severity=Severity.P1,
        classification=None,
        opened_at=opened,
        first_seen=opened,
        last_seen=opened,
        event_count=1,
        alert_count=1,
        users_affected=0,
    )
    return base.model_copy(update=changes)


def _past(incident_id: int, title: str, days_ago: float, **changes: object) -> Incident:
    opened = NOW - timedelta(days=days_ago)
    return _incident(incident_id, title, opened, **{"resolved_at": opened + timedelta(hours=1), **changes})


def _item(
    item_id: int, incident_id: int, status: TicketState, due: datetime, ref: str | None = None, title: str = ""
) -> ActionItem:
    return ActionItem(
        id=item_id,
        key=f"i{item_id}",
        incident_id=incident_id,
        title=title or f"item {item_id}",
        owner="dana",
        due=due,
        priority="P1",
        source="note",
        status=status,
        tracker_ref=ref,
        created_at=NOW - timedelta(days=30),
        completed_at=None,
    )


NEW = _incident(20, "Checkout API returns 500 errors", NOW)


def test_words_are_lower_case_three_letters_or_more_and_no_bare_numbers() -> None:
    assert words("POST /api/checkout: 500 errors on v2") == {"post", "api", "checkout", "errors"}


def test_the_same_alert_key_matches_whatever_the_title() -> None:
    assert alike("Checkout API returns 500 errors", "sentry:issue:1", "Payments slow", "sentry:issue:1")


def test_a_title_matches_when_it_holds_most_of_the_new_titles_words() -> None:
    # new words: checkout, api, returns, errors (4); 60% of 4 is 2.4, so 2 shared are enough
    assert alike(NEW.title, "a", "Checkout errors spiking", "b")
    assert not alike(NEW.title, "a", "Search errors spiking", "b")


def test_a_past_incident_recurs_within_90_days_once_it_has_ended() -> None:
    assert recurs(NEW, _past(1, "Checkout API errors", 30))
    assert recurs(NEW, _past(2, "Checkout API errors", 90))  # the window's first moment
    assert not recurs(NEW, _past(3, "Checkout API errors", 90.01))
    assert not recurs(NEW, _past(4, "Checkout API errors", 1, resolved_at=None))  # still open: the same outage
    recovered = _past(5, "Checkout API errors", 1, resolved_at=None, source_recovered_at=NOW - timedelta(hours=20))
    assert recurs(NEW, recovered)
    assert not recurs(NEW, NEW)
    assert not recurs(_past(6, "Checkout API errors", 10), NEW)  # a later incident is not its past


def test_the_guard_asks_as_of_its_moment_so_a_past_resolved_since_the_opening_counts() -> None:
    past = _past(1, "Checkout API errors", 1, resolved_at=NOW + timedelta(minutes=5))
    assert not recurs(NEW, past)
    assert recurs(NEW, past, NOW + timedelta(minutes=5))


def test_open_and_in_progress_items_of_each_match_are_named_newest_match_first() -> None:
    older, newer, unrelated = (
        _past(8, "Checkout API errors", 60),
        _past(12, "Checkout API 500s", 17),
        _past(9, "Search slow", 5),
    )
    items = [
        _item(4, 12, TicketState.OPEN, NOW - timedelta(days=10), title="Fix the retry storm"),
        _item(5, 12, TicketState.IN_PROGRESS, NOW + timedelta(days=3), ref="ENG-31 https://linear.app/x/ENG-31"),
        _item(6, 12, TicketState.DONE, NOW - timedelta(days=12)),
        _item(7, 8, TicketState.OPEN, NOW + timedelta(days=40)),
        _item(10, 9, TicketState.OPEN, NOW - timedelta(days=1)),
    ]
    found = recurrences(NEW, [older, unrelated, newer], items, NOW)
    assert [(r.incident_id, [(i.ticket, i.overdue) for i in r.items]) for r in found] == [
        (12, [("AI-4", True), ("ENG-31", False)]),
        (8, [("AI-7", False)]),
    ]


def test_nothing_is_said_when_every_item_of_the_match_is_done_or_canceled() -> None:
    items = [
        _item(1, 12, TicketState.DONE, NOW - timedelta(days=10)),
        _item(2, 12, TicketState.CANCELED, NOW + timedelta(days=10)),
    ]
    assert recurrences(NEW, [_past(12, "Checkout API 500s", 17)], items, NOW) == []
    assert recurrences(NEW, [_past(12, "Checkout API 500s", 17)], [], NOW) == []


def test_the_notice_names_each_open_ticket_with_owner_due_date_and_state() -> None:
    past = _past(12, "Checkout API 500s", 17, severity=Severity.P0)  # opened 3 Nov
    other = _past(8, "Checkout API errors", 60, severity=Severity.P0)
    items = [
        _item(4, 12, TicketState.OPEN, datetime(2026, 11, 10, tzinfo=UTC), title="Fix the retry storm"),
        _item(5, 12, TicketState.IN_PROGRESS, datetime(2026, 12, 1, tzinfo=UTC), title="Add a checkout canary"),
        _item(7, 8, TicketState.OPEN, datetime(2027, 1, 5, tzinfo=UTC), title="Load-test checkout"),
    ]
    text = notice(recurrences(NEW, [past, other], items, NOW), NOW)
    assert text == (
        "This looks like #12 (Checkout was failing, 3 Nov) again. Its action items still open: "
        "AI-4 'Fix the retry storm' (dana, due 10 Nov, overdue); "
        "AI-5 'Add a checkout canary' (dana, due 1 Dec, in progress).\n"
        "It also looks like #8 (Checkout was failing, 21 Sep), still open: "
        "AI-7 'Load-test checkout' (dana, due 5 Jan 2027)."
    )
    line = evidence(recurrences(NEW, [past, other], items, NOW))
    assert (line.signal, line.points_to) == ("recurrence", None)
    assert line.detail.startswith("recurs #12 (2 open: AI-4, AI-5), #8 (1 open: AI-7)")


def test_a_ticket_is_named_by_its_trackers_identifier_else_as_the_built_in_one() -> None:
    assert ticket_name(_item(3, 1, TicketState.OPEN, NOW, ref="OPS-24 https://jira.example/browse/OPS-24")) == "OPS-24"
    assert ticket_name(_item(3, 1, TicketState.OPEN, NOW, ref="https://linear.app/x/ENG-1")) == "AI-3"
    assert ticket_name(_item(3, 1, TicketState.OPEN, NOW)) == "AI-3"


def test_recurring_maps_each_recurring_incident_to_the_newest_it_recurs() -> None:
    known = [_past(1, "Checkout API errors", 80), _past(2, "Checkout API 500s", 10), _past(3, "Search slow", 2)]
    search = _incident(21, "Search slow again", NOW + timedelta(hours=1))
    unrelated = _incident(22, "Login page blank", NOW + timedelta(hours=2))
    assert recurring([NEW, search, unrelated], known) == {20: 2, 21: 3}


def test_the_indexed_match_finds_what_comparing_every_pair_finds() -> None:
    """`recurring` tries only the candidates its index gives; the answer is the one comparing each
    incident with every known one gives, ties included."""
    import random

    rng = random.Random(3)
    vocabulary = ["checkout", "api", "returns", "500", "errors", "timeout", "payment", "search", "slow", "db", "lock"]
    known = []
    for n in range(1, 400):
        opened = NOW - timedelta(days=rng.uniform(0, 120), hours=rng.choice([0, 0, 1]))
        title = " ".join(rng.sample(vocabulary, rng.randint(1, 5)))
        ended = {"resolved_at": opened + timedelta(hours=1)} if rng.random() < 0.8 else {}
        known.append(_incident(n, title, opened.replace(minute=0, second=0), key=f"k{rng.randint(1, 30)}", **ended))
    week = [p for p in known if p.opened_at > NOW - timedelta(days=7)]

    def every_pair(incidents, past):
        found = {}
        for incident in incidents:
            matches = [p for p in past if recurs(incident, p)]
            if matches:
                found[incident.id] = max(matches, key=lambda p: p.opened_at).id
        return found

    assert len(week) > 10
    assert recurring(week, known) == every_pair(week, known)
    assert len(recurring(week, known)) > 5
