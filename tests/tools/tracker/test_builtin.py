"""The built-in tracker over the action-items table, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from tests.tools.tracker.conftest import ticket_request
from tools.tracker.builtin import BuiltinTracker
from tools.tracker.port import TicketState, TrackerError
from warroom.action_items import store as action_items
from warroom.action_items.tables import ActionItemRow
from warroom.alerts.models import Alert
from warroom.clock import FakeClock
from warroom.db import make_engine, table_of
from warroom.incidents import store as incidents
from warroom.migrations import upgrade

PUBLIC_URL = "https://warroom.acme.example"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    url = (
        f"sqlite:///{tmp_path / 'items.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_database_url")
    )
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def incident_id(engine: Engine, clock: FakeClock) -> int:
    alert = Alert(
        source="sentry",
        delivery_key="d1",
        dedup_key="checkout-500",
        title="Checkout failing",
        occurred_at=clock.now(),
    )
    with engine.begin() as conn:
        return incidents.open_incident(conn, alert, clock.now())


@pytest.fixture
def tracker(engine: Engine, clock: FakeClock) -> BuiltinTracker:
    return BuiltinTracker(engine, clock, PUBLIC_URL + "/")


def _set_status(engine: Engine, item_id: int, status: TicketState) -> None:
    """A person moving the item on the board (its API arrives with the COO issue)."""
    items = table_of(ActionItemRow)
    with engine.begin() as conn:
        conn.execute(update(items).where(items.c.id == item_id).values(status=status))


def test_an_item_the_postmortem_filed_is_its_own_ticket(
    engine: Engine, clock: FakeClock, incident_id: int, tracker: BuiltinTracker
) -> None:
    with engine.begin() as conn:
        item_id = action_items.create_item(
            conn,
            key="incident:12:action:1",
            values=dict(
                incident_id=incident_id,
                title="Alert on checkout errors within 5 minutes",
                owner="Dana Lee",
                due=datetime(2026, 11, 10, 2, 0, tzinfo=UTC),
                priority="P1",
                source="sla breach",
                created_at=clock.now(),
            ),
        )

    ticket = tracker.create_ticket(ticket_request(incident_id=incident_id, title="ignored: already filed"))

    assert (ticket.id, ticket.identifier) == (str(item_id), f"AI-{item_id}")
    assert ticket.url == f"{PUBLIC_URL}/incidents/{incident_id}#action-item-{item_id}"
    assert (ticket.state, ticket.assignee, ticket.due) == (TicketState.OPEN, "Dana Lee", date(2026, 11, 10))
    with engine.connect() as conn:
        assert [i.title for i in action_items.list_items(conn)] == ["Alert on checkout errors within 5 minutes"]


def test_an_item_not_yet_in_the_table_is_filed_once_from_the_request(
    engine: Engine, incident_id: int, tracker: BuiltinTracker
) -> None:
    request = ticket_request(incident_id=incident_id)

    first = tracker.create_ticket(request)
    again = tracker.create_ticket(request)

    assert first == again
    with engine.connect() as conn:
        (item,) = action_items.list_items(conn)
    assert (item.title, item.owner, item.priority) == (request.title, request.owner, "P0")
    assert item.due == datetime(2026, 12, 4, tzinfo=UTC)


def test_states_of_many_items_are_read_at_once_and_unknown_ids_left_out(
    engine: Engine, clock: FakeClock, incident_id: int, tracker: BuiltinTracker
) -> None:
    ids = [
        tracker.create_ticket(ticket_request(key=f"incident:12:action:{n}", incident_id=incident_id)).id
        for n in range(4)
    ]
    with engine.begin() as conn:
        assert action_items.complete(conn, int(ids[1]), clock.now())
    _set_status(engine, int(ids[2]), TicketState.IN_PROGRESS)
    _set_status(engine, int(ids[3]), TicketState.CANCELED)

    found = tracker.tickets([*ids, "999", "not-an-id"])

    assert {i: t.state for i, t in found.items()} == {
        ids[0]: TicketState.OPEN,
        ids[1]: TicketState.DONE,
        ids[2]: TicketState.IN_PROGRESS,
        ids[3]: TicketState.CANCELED,
    }


def test_an_item_in_progress_can_be_completed_but_a_canceled_one_cannot(
    engine: Engine, clock: FakeClock, incident_id: int, tracker: BuiltinTracker
) -> None:
    started = int(tracker.create_ticket(ticket_request(key="a", incident_id=incident_id)).id)
    dropped = int(tracker.create_ticket(ticket_request(key="b", incident_id=incident_id)).id)
    _set_status(engine, started, TicketState.IN_PROGRESS)
    _set_status(engine, dropped, TicketState.CANCELED)

    with engine.begin() as conn:
        assert action_items.complete(conn, started, clock.now())
        assert not action_items.complete(conn, dropped, clock.now())


def test_a_comment_lands_on_the_incident_timeline_once_per_key(
    engine: Engine, incident_id: int, tracker: BuiltinTracker
) -> None:
    ticket = tracker.create_ticket(ticket_request(incident_id=incident_id))

    tracker.add_comment(ticket.id, key="reminder:2026-12-03", markdown="Due tomorrow.")
    tracker.add_comment(ticket.id, key="reminder:2026-12-03", markdown="Due tomorrow.")

    with engine.connect() as conn:
        incident = incidents.get_incident(conn, incident_id)
    assert incident is not None
    notes = [e.text for e in incident.timeline if e.kind == "action_item"]
    assert notes == [f"{ticket.identifier} ({ticket_request().title}): Due tomorrow."]


def test_a_comment_on_a_missing_item_is_a_permanent_error(tracker: BuiltinTracker) -> None:
    with pytest.raises(TrackerError) as refused:
        tracker.add_comment("404", key="k", markdown="hello")

    assert (refused.value.status, refused.value.retryable) == (404, False)
