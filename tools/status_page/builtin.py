"""The built-in status page as a `StatusPage`: posts land in our own database and `/status`."""

from __future__ import annotations

from sqlalchemy import Engine

from warroom.clock import Clock
from warroom.status_page import store
from warroom.status_page.models import StatusPost

__all__ = ["BuiltinStatusPage"]


class BuiltinStatusPage:
    name = "builtin"

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def create_incident(self, post: StatusPost) -> str:
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
            )
            for component, status in post.components.items():
                store.set_component(conn, component, status.value, now)
        return str(page_id)

    def update_incident(self, page_incident_id: str, post: StatusPost) -> None:
        now = self._clock.now()
        with self._engine.begin() as conn:
            store.add_update(
                conn,
                int(page_incident_id),
                status=post.status.value,
                body=post.body,
                impact=post.impact.value,
                now=now,
                title=post.title,
            )
            for component, status in post.components.items():
                store.set_component(conn, component, status.value, now)
