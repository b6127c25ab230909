"""The outbox sender that files a postmortem's action items in the configured tracker (Linear,
Jira, or the built-in table): one row per item, each filed exactly once.

Filing is idempotent at the tracker (Linear: the issue id is derived from the item's key; Jira:
a search for the key's label first; built-in: insert-or-ignore), so a retry after a crash between
the tracker's answer and our own write finds the ticket instead of making a second one. A
tracker that refuses (401, an unknown team, 429) is retried with backoff and Retry-After, or set
aside for a human on "Needs a human"; the item itself is never lost, it stays in the table.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine

from agents.coo.owners import owner_email
from flows.tickets import schedule_sync
from tools.tracker.port import FOLLOW_UP_LABEL, TicketRequest, Tracker
from warroom import keys
from warroom.action_items import store as action_items
from warroom.clock import Clock
from warroom.incidents import store as incidents
from warroom.kinds import OutboxKind, TimelineKind
from warroom.outbox.store import OutboxItem
from warroom.outbox.worker import Delivery, OutboxWorker
from warroom.settings import Settings
from warroom.severity import Severity

__all__ = ["TrackerSender"]


class TrackerSender:
    def __init__(self, engine: Engine, clock: Clock, tracker: Tracker, settings: Settings) -> None:
        self._engine = engine
        self._clock = clock
        self._tracker = tracker
        self._settings = settings

    def register(self, outbox: OutboxWorker) -> None:
        outbox.register(OutboxKind.TRACKER_FILE, self.file, delivery=Delivery.IDEMPOTENT, after=self.record)

    def file(self, item: OutboxItem) -> dict[str, str]:
        with self._engine.connect() as conn:
            found = action_items.get_item_by_key(conn, item.payload["action_item_key"])
        if found is None:
            raise LookupError(f"action item {item.payload['action_item_key']} is gone")
        base = self._settings.public_url.rstrip("/")
        ticket = self._tracker.create_ticket(
            TicketRequest(
                key=item.payload["action_item_key"],
                incident_id=found.incident_id,
                title=found.title,
                description=(
                    f"Action item from the postmortem of incident #{found.incident_id} "
                    f"(source: {found.source}). Owner: {found.owner}."
                ),
                owner=found.owner,
                owner_email=owner_email(found.owner, self._settings),
                due=found.due.date(),
                priority=Severity(found.priority),
                labels=[FOLLOW_UP_LABEL],
                incident_url=f"{base}/incidents/{found.incident_id}",
                postmortem_url=f"{base}/incidents/{found.incident_id}#postmortem",
            )
        )
        return {
            "ticket_id": ticket.id,
            "identifier": ticket.identifier,
            "url": ticket.url,
            "tracker": self._tracker.name,
        }

    def record(self, conn: Connection, item: OutboxItem, result: dict[str, Any] | None) -> None:
        """The item knows its ticket, and the incident's timeline says where it was filed."""
        found = action_items.get_item_by_key(conn, item.payload["action_item_key"])
        if found is None or not result:
            return
        action_items.set_tracker_ref(conn, found.id, f"{result['identifier']} {result['url']}")
        schedule_sync(conn, self._settings.ticket_sync_minutes, self._clock.now())
        incidents.add_timeline(
            conn,
            found.incident_id,
            self._clock.now(),
            TimelineKind.ACTION_ITEM,
            f"Action item filed in {result['tracker']} as {result['identifier']}: {found.title} "
            f"(owner {found.owner}, due {found.due:%Y-%m-%d})",
            data={"action_item_id": found.id, "ticket": result},
            dedup_key=keys.ticket_filed(item.payload["action_item_key"]),
        )
