"""The database's count of the action items is the one the digest makes of the items themselves,
on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from warroom.action_items.store import ITEMS, TicketState, list_items
from warroom.action_items.tally import ItemTally, filed_and_closed, tally
from warroom.incidents.tables import IncidentRow

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_the_tally_counts_as_the_digest_does(db_warroom) -> None:
    engine = db_warroom.engine
    with engine.begin() as conn:
        conn.execute(delete(ITEMS))
        incidents = [
            conn.execute(
                IncidentRow.__table__.insert()
                .values(
                    title="t", dedup_key=uuid.uuid4().hex, source="api", status="resolved",
                    opened_at=NOW, first_seen=NOW, last_seen=NOW, event_count=1, alert_count=1,
                )
                .returning(IncidentRow.__table__.c.id)
            ).scalar_one()
            for _ in range(3)
        ]  # fmt: skip
        states = list(TicketState)
        rows = []
        for n in range(24):
            status = states[n % 4]
            created = NOW - timedelta(days=40 - n)
            rows.append(
                {
                    "key": f"tally:{uuid.uuid4().hex}",
                    "incident_id": incidents[n % 3],
                    "title": f"item {n}",
                    "owner": "dana",
                    "due": NOW + timedelta(days=n - 12),
                    "priority": "P1",
                    "source": "note",
                    "status": status.value,
                    "tracker_ref": None,
                    "created_at": created,
                    "completed_at": created + timedelta(days=3)
                    if status in (TicketState.DONE, TicketState.CANCELED)
                    else None,
                }
            )
        conn.execute(ITEMS.insert(), rows)
    since, until = NOW - timedelta(days=30), NOW - timedelta(days=23)
    with engine.connect() as conn:
        items = list_items(conn)
        counted = tally(conn, now=NOW, since=since, until=until)
        ends = [NOW - timedelta(days=d) for d in (45, 30, 20, 10, 0)]
        at_ends = filed_and_closed(conn, ends)
    assert counted == ItemTally.of(items, now=NOW, since=since, until=until)
    assert counted.overdue and counted.closed_between and counted.due_done
    closed = (TicketState.DONE, TicketState.CANCELED)
    assert at_ends == [
        (
            sum(i.created_at < end for i in items),
            sum(i.created_at < end and i.status in closed and i.completed_at < end for i in items),
        )
        for end in ends
    ]
    assert at_ends[0] == (0, 0) and at_ends[-1][0] == 24
