"""The built-in status page as a `StatusPage`: posts land in our own database and `/status`,
each once: the page incident is unique per incident, an update unique per mark."""

from __future__ import annotations

from sqlalchemy import Engine

from tools.status_page.port import PostMark
from warroom.clock import Clock
from warroom.status_page import store
from warroom.status_page.models import StatusPost

__all__ = ["BuiltinStatusPage"]


class BuiltinStatusPage:
    name = "builtin"

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def mark_started(self) -> None:
        """Start the page's history now, if it has none: the uptime bars count from here."""
        with self._engine.begin() as conn:
            store.mark_started(conn, self._clock.now())

    def create_incident(self, post: StatusPost, mark: PostMark) -> str:
        now = self._clock.now()
        with self._engine.begin() as conn:
            page_id = store.create_page_incident(
                conn,
                incident_id=post.incident_id,
                title=post.title,
                status=post.status.value,
                impact=post.impact.value,
                body=post.body,
                now=now,
                key=mark.key,
            )
            store.record_components(conn, page_id, {c: s.value for c, s in post.components.items()}, now)
        return str(page_id)

    def update_incident(self, page_incident_id: str, post: StatusPost, mark: PostMark, *, recheck: bool) -> None:
        now = self._clock.now()
        with self._engine.begin() as conn:
            if not store.add_update(
                conn,
                int(page_incident_id),
                status=post.status.value,
                body=post.body,
                impact=post.impact.value,
                now=now,
                key=mark.key,
                title=post.title,
            ):
                return
            components = {c: s.value for c, s in post.components.items()}
            store.record_components(conn, int(page_incident_id), components, now)
