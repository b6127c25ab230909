"""The outbox sender for status posts: first post opens the page incident, later ones update it.

The page's own incident id is remembered per incident and page, so retries and later updates
go to the same page incident; every post that went out lands on the incident timeline.
"""

from __future__ import annotations

from sqlalchemy import Engine

from tools.status_page.port import StatusPage
from warroom import keys
from warroom.clock import Clock
from warroom.incidents import store as incidents
from warroom.kinds import OutboxKind, TimelineKind
from warroom.outbox.store import OutboxItem
from warroom.outbox.worker import OutboxWorker
from warroom.status_page.models import StatusPost

__all__ = ["StatusPublisher"]


class StatusPublisher:
    def __init__(self, engine: Engine, clock: Clock, page: StatusPage) -> None:
        self._engine = engine
        self._clock = clock
        self.page = page

    def register(self, outbox: OutboxWorker) -> None:
        outbox.register(OutboxKind.STATUS_POST, self)

    def __call__(self, item: OutboxItem) -> dict[str, str]:
        post = StatusPost.model_validate(item.payload)
        system = keys.status_page_ref(self.page.name)
        with self._engine.connect() as conn:
            ref = incidents.get_external_ref(conn, post.incident_id, system)
        if ref is None:
            ref = self.page.create_incident(post)
            with self._engine.begin() as conn:
                incidents.set_external_ref(conn, post.incident_id, system, ref)
        else:
            self.page.update_incident(ref, post)
        refs = {self.page.name: ref}
        with self._engine.begin() as conn:
            incidents.add_timeline(
                conn,
                post.incident_id,
                self._clock.now(),
                TimelineKind.STATUS_PAGE,
                f"Status page ({post.status}): {post.body}",
                data={"pages": refs, "status": post.status.value, "impact": post.impact.value},
                dedup_key=item.idempotency_key,
            )
        return refs
