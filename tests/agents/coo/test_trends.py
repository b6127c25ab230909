"""Twelve weeks at a glance, from the weekly digests: the digests' own figures per week, and the
action items as they stood at each week's end (filed before it, closed before it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agents.coo.digest import Digest, week_window
from agents.coo.trends import trend
from warroom.action_items.store import ActionItem, TicketState


def _digest(week: str, incidents: int, by_severity: dict[str, int], resolve: float | None) -> Digest:
    since, until = week_window(week)
    return Digest(
        label=week,
        since=since,
        until=until,
        incidents=incidents,
        by_severity=by_severity,
        median_minutes_to_resolve=resolve,
    )


def _item(n: int, created: datetime, status: TicketState, completed: datetime | None = None) -> ActionItem:
    return ActionItem(
        id=n,
        key=f"k{n}",
        incident_id=1,
        title=f"item {n}",
        owner="dana",
        due=created + timedelta(days=7),
        priority="P1",
        source="postmortem",
        status=status,
        tracker_ref=None,
        created_at=created,
        completed_at=completed,
    )


def test_each_week_carries_its_digest_figures_and_the_items_as_they_stood_when_it_ended():
    w47_mid = datetime(2026, 11, 18, 12, tzinfo=UTC)  # Wednesday of W47
    w48_mid = datetime(2026, 11, 25, 12, tzinfo=UTC)  # Wednesday of W48
    digests = [
        _digest("2026-W48", 1, {"P1": 1}, 30.0),
        _digest("2026-W47", 3, {"P0": 1, "P2": 2}, 95.0),
    ]
    items = [
        _item(1, w47_mid, TicketState.DONE, completed=w48_mid),  # open at W47's end, closed at W48's
        _item(2, w47_mid, TicketState.OPEN),  # open at both ends
        _item(3, w48_mid, TicketState.CANCELED, completed=w48_mid + timedelta(hours=1)),  # only in W48, closed
        _item(4, w48_mid + timedelta(days=10), TicketState.OPEN),  # filed after both weeks: in neither
    ]
    weeks = trend(digests, items).weeks
    assert [w.week for w in weeks] == ["2026-W47", "2026-W48"]  # oldest first
    assert [(w.incidents, w.by_severity, w.median_minutes_to_resolve) for w in weeks] == [
        (3, {"P0": 1, "P2": 2}, 95.0),
        (1, {"P1": 1}, 30.0),
    ]
    # W47's end: items 1 and 2 filed, none closed. W48's end: 1, 2, 3 filed; 1 done and 3 canceled.
    assert [(w.items_open, w.items_closed) for w in weeks] == [(2, 0), (1, 2)]
