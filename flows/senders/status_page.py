"""The outbox sender for status posts: first post opens the page incident, later ones update it.

The page's own incident id is remembered per incident and page, so retries and later updates
go to the same page incident. Each post carries our mark, so a retry after a crash finds what an
earlier attempt did on the page instead of posting it twice (checked delivery); the timeline
entry is written once the post is out and can never make it go again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine

from tools.status_page.port import PostMark, StatusPage
from warroom import keys
from warroom.clock import Clock
from warroom.incidents import store as incidents
from warroom.kinds import OutboxKind, TimelineKind
from warroom.outbox.store import OutboxItem
from warroom.outbox.worker import Delivery, OutboxWorker
from warroom.status_page.models import StatusPost

__all__ = ["PublishedHook", "StatusPublisher"]

PublishedHook = Callable[[Connection, OutboxItem, StatusPost], None]
"""Told of each post once it is on the page, in the transaction that records it (so once)."""


class StatusPublisher:
    def __init__(
        self, engine: Engine, clock: Clock, page: StatusPage, *, on_published: PublishedHook | None = None
    ) -> None:
        self._engine = engine
        self._clock = clock
        self.page = page
        self._on_published = on_published

    def register(self, outbox: OutboxWorker) -> None:
        outbox.register(OutboxKind.STATUS_POST, self, delivery=Delivery.CHECKED, after=self.record)

    def __call__(self, item: OutboxItem) -> dict[str, str]:
        post = StatusPost.model_validate(item.payload)
        mark = PostMark(key=item.mark, at=item.created_at)
        system = keys.status_page_ref(self.page.name)
        with self._engine.connect() as conn:
            ref = incidents.get_external_ref(conn, post.incident_id, system)
        if ref is None:
            ref = self.page.create_incident(post, mark)
            with self._engine.begin() as conn:
                incidents.set_external_ref(conn, post.incident_id, system, ref)
        else:
            self.page.update_incident(ref, post, mark, recheck=item.attempted_at is not None)
        return {self.page.name: ref}

    def record(self, conn: Connection, item: OutboxItem, refs: dict[str, Any] | None) -> None:
        post = StatusPost.model_validate(item.payload)
        incidents.add_timeline(
            conn,
            post.incident_id,
            self._clock.now(),
            TimelineKind.STATUS_PAGE,
            f"Status page ({post.status}): {post.body}",
            data={"pages": refs or {}, "status": post.status.value, "impact": post.impact.value},
            dedup_key=item.idempotency_key,
        )
        if self._on_published is not None:
            self._on_published(conn, item, post)
