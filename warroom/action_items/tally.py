"""Every action item counted the way the digest and its trend count them, by the database: a
year's thousands of items are a few aggregates and the overdue ones by name, instead of every
item read and validated for each digest.

`ItemTally.of` counts a list of items the same way (tests hold the two to each other), for the
callers that have the items in hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import Connection, and_, case, func, select

from warroom.action_items.store import ITEMS, ActionItem, TicketState

__all__ = ["CLOSED", "OPEN", "ItemTally", "filed_and_closed", "tally"]

OPEN = (TicketState.OPEN, TicketState.IN_PROGRESS)
CLOSED = (TicketState.DONE, TicketState.CANCELED)


class ItemTally(BaseModel):
    """The action items of every past incident as the digest reports them."""

    incidents: int = Field(description="incidents with any action item")
    open: int
    in_progress: int
    done: int
    due: int = Field(description="due by now and not canceled")
    due_done: int = Field(description="of those, done")
    closed_between: int = Field(description="completed within the window")
    overdue: list[ActionItem] = Field(description="open or in progress and due before now, by due date")

    @classmethod
    def of(cls, items: Sequence[ActionItem], *, now: datetime, since: datetime, until: datetime) -> ItemTally:
        due = [i for i in items if i.due < now and i.status is not TicketState.CANCELED]
        return cls(
            incidents=len({i.incident_id for i in items}),
            open=sum(i.status is TicketState.OPEN for i in items),
            in_progress=sum(i.status is TicketState.IN_PROGRESS for i in items),
            done=sum(i.status is TicketState.DONE for i in items),
            due=len(due),
            due_done=sum(i.status is TicketState.DONE for i in due),
            closed_between=sum(1 for i in items if i.completed_at and since <= i.completed_at < until),
            overdue=sorted((i for i in items if i.status in OPEN and i.due < now), key=lambda i: (i.due, i.id)),
        )


def _count(condition: object) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def tally(conn: Connection, *, now: datetime, since: datetime, until: datetime) -> ItemTally:
    """One aggregate over the items and one read of the overdue ones."""
    status = ITEMS.c.status
    due = and_(ITEMS.c.due < now, status != TicketState.CANCELED.value)
    row = conn.execute(
        select(
            func.count(func.distinct(ITEMS.c.incident_id)),
            _count(status == TicketState.OPEN.value),
            _count(status == TicketState.IN_PROGRESS.value),
            _count(status == TicketState.DONE.value),
            _count(due),
            _count(and_(due, status == TicketState.DONE.value)),
            _count(and_(ITEMS.c.completed_at >= since, ITEMS.c.completed_at < until)),
        )
    ).one()
    overdue = conn.execute(
        select(ITEMS).where(status.in_([s.value for s in OPEN]), ITEMS.c.due < now).order_by(ITEMS.c.due, ITEMS.c.id)
    )
    return ItemTally(
        incidents=row[0],
        open=row[1],
        in_progress=row[2],
        done=row[3],
        due=row[4],
        due_done=row[5],
        closed_between=row[6],
        overdue=[ActionItem.model_validate(r._mapping) for r in overdue],
    )


def filed_and_closed(conn: Connection, ends: Sequence[datetime]) -> list[tuple[int, int]]:
    """At each of `ends`: how many items had been filed, and how many of those were closed (done
    or canceled, as they stand now) by then. One pass over the items for all of them."""
    if not ends:
        return []
    closed = ITEMS.c.status.in_([s.value for s in CLOSED])
    columns = []
    for end in ends:
        filed = ITEMS.c.created_at < end
        columns += [_count(filed), _count(and_(filed, closed, ITEMS.c.completed_at < end))]
    row = conn.execute(select(*columns)).one()
    return [(int(row[2 * n]), int(row[2 * n + 1])) for n in range(len(ends))]
