"""The action-item board's columns: overdue first, then due within two days, the rest open, and what
was done or canceled in the last 30 days (older ones drop off)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.routers.web.action_items import board
from warroom.action_items.store import ActionItem, TicketState

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _item(n: int, due_in_days: float, status: TicketState, completed_days_ago: float | None = None) -> ActionItem:
    return ActionItem(
        id=n,
        key=f"k{n}",
        incident_id=1,
        title=f"item {n}",
        owner="dana",
        due=NOW + timedelta(days=due_in_days),
        priority="P1",
        source="postmortem",
        status=status,
        tracker_ref=None,
        created_at=NOW - timedelta(days=40),
        completed_at=NOW - timedelta(days=completed_days_ago) if completed_days_ago is not None else None,
    )


def test_items_fall_into_overdue_soon_open_and_recently_done():
    items = [
        _item(1, -0.5, TicketState.OPEN),
        _item(2, 1.5, TicketState.IN_PROGRESS),
        _item(3, 2.5, TicketState.OPEN),
        _item(4, -3, TicketState.DONE, completed_days_ago=5),
        _item(5, -60, TicketState.DONE, completed_days_ago=31),
        _item(6, 5, TicketState.CANCELED, completed_days_ago=1),
    ]
    columns = board(items, NOW)
    assert {name: [i.id for i in found] for name, found in columns.items()} == {
        "overdue": [1],
        "soon": [2],
        "open": [3],
        "done": [4, 6],
    }
