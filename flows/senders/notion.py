"""The outbox sender that publishes a postmortem to Notion: the latest version, as Notion blocks,
on one page per incident that later edits update in place.

The page id is remembered per incident (external ref `notion`), so every later version replaces
the same page's content; before the first answer is stored, `Notion.publish` finds the page by its
title under the parent, so a retry never makes a second page. The first publication lands on the
timeline with the page's address.
"""

from __future__ import annotations

from sqlalchemy import Engine

from tools.notion import Notion
from tools.notion_markdown import markdown_to_blocks
from warroom import keys
from warroom.clock import Clock
from warroom.incidents import store as incidents
from warroom.kinds import OutboxKind, TimelineKind
from warroom.outbox.store import OutboxItem
from warroom.outbox.worker import OutboxWorker
from warroom.postmortems import store as postmortems
from warroom.redaction import redact_secrets

__all__ = ["PostmortemPublisher", "page_title"]


def page_title(incident_id: int, title: str) -> str:
    return f"Postmortem #{incident_id}: {title}"[:200]


class PostmortemPublisher:
    def __init__(self, engine: Engine, clock: Clock, notion: Notion, parent_page_id: str) -> None:
        self._engine = engine
        self._clock = clock
        self.notion = notion
        self.parent_page_id = parent_page_id

    def register(self, outbox: OutboxWorker) -> None:
        outbox.register(OutboxKind.POSTMORTEM_PUBLISH, self)

    def __call__(self, item: OutboxItem) -> dict[str, str | int | None]:
        incident_id = int(item.payload["incident_id"])
        with self._engine.connect() as conn:
            incident = incidents.get_incident(conn, incident_id, with_timeline=False)
            latest = postmortems.latest(conn, incident_id)
            page_id = incidents.get_external_ref(conn, incident_id, keys.NOTION_REF)
        if incident is None or latest is None:
            raise LookupError(f"incident {incident_id} has no postmortem to publish")
        page = self.notion.publish(
            self.parent_page_id,
            page_title(incident_id, redact_secrets(incident.title)),
            markdown_to_blocks(latest.markdown),
            page_id=page_id,
        )
        with self._engine.begin() as conn:
            incidents.set_external_ref(conn, incident_id, keys.NOTION_REF, page.id)
            incidents.add_timeline(
                conn,
                incident_id,
                self._clock.now(),
                TimelineKind.POSTMORTEM_PUBLISHED,
                f"Postmortem published to Notion: {page.url or page.id}",
                data={"page_id": page.id, "url": page.url},
                dedup_key=keys.postmortem_published(incident_id),
            )
        return {"page_id": page.id, "url": page.url, "version": latest.version}
