"""The built-in tracker (the default, with nothing to configure): the action-items table is
the ticket system, so an item is its own ticket (`AI-<id>`), shown under its incident.

Creation is idempotent by the item's key (insert-or-ignore); comments go on the incident's
timeline once per key. Nothing here can be rate limited or refused for credentials.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time

from sqlalchemy import Engine

from tools.tracker.port import Ticket, TicketRequest, TrackerError
from warroom import keys
from warroom.action_items import store
from warroom.action_items.store import ActionItem
from warroom.clock import Clock
from warroom.incidents import store as incidents
from warroom.kinds import TimelineKind

__all__ = ["BuiltinTracker"]


class BuiltinTracker:
    name = "builtin"

    def __init__(self, engine: Engine, clock: Clock, public_url: str) -> None:
        self._engine = engine
        self._clock = clock
        self._public_url = public_url.rstrip("/")

    def create_ticket(self, request: TicketRequest) -> Ticket:
        """The item filed under `request.key`: the postmortem usually filed it already, and then
        it is returned as it stands; otherwise it is filed now from the request."""
        with self._engine.begin() as conn:
            store.create_item(
                conn,
                key=request.key,
                values=dict(
                    incident_id=request.incident_id,
                    title=request.title,
                    owner=request.owner,
                    due=datetime.combine(request.due, time(), tzinfo=UTC),
                    priority=request.priority.value,
                    source="tracker",
                    created_at=self._clock.now(),
                ),
            )
            item = store.get_item_by_key(conn, request.key)
        assert item is not None
        return self._ticket(item)

    def tickets(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        ids = [int(i) for i in ticket_ids if i.isdigit()]
        with self._engine.connect() as conn:
            return {str(item.id): self._ticket(item) for item in store.get_items(conn, ids)}

    def add_comment(self, ticket_id: str, *, key: str, markdown: str) -> None:
        with self._engine.begin() as conn:
            item = store.get_item(conn, int(ticket_id)) if ticket_id.isdigit() else None
            if item is None:
                raise TrackerError(f"builtin: no action item {ticket_id}", service=self.name, status=404)
            incidents.add_timeline(
                conn,
                item.incident_id,
                self._clock.now(),
                TimelineKind.ACTION_ITEM,
                f"AI-{item.id} ({item.title}): {markdown}",
                data={"action_item_id": item.id},
                dedup_key=keys.action_item_comment(item.id, key),
            )

    def add_link(self, ticket_id: str, *, url: str, title: str) -> None:
        """Nothing to record: a built-in item belongs to its incident by its row, and the incident
        page is where its postmortem is too."""

    def _ticket(self, item: ActionItem) -> Ticket:
        return Ticket(
            id=str(item.id),
            identifier=f"AI-{item.id}",
            url=f"{self._public_url}/incidents/{item.incident_id}#action-item-{item.id}",
            state=item.status,
            assignee=item.owner,
            due=item.due.date(),
        )
