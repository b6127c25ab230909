"""Where the team reads its postmortems: a Notion page when Notion is configured (published through
the outbox, updated in place on every later version), else the built-in editor alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from warroom import keys
from warroom.kinds import OutboxKind
from warroom.outbox.store import enqueue
from warroom.settings import Settings

__all__ = ["publish_postmortem", "publishes_to_notion"]


def publishes_to_notion(settings: Settings) -> bool:
    return settings.notion_token is not None and bool(settings.notion_parent_page_id)


def publish_postmortem(conn: Connection, settings: Settings, *, incident_id: int, version: int, now: datetime) -> bool:
    """Queue publishing version `version` (the sender publishes whatever is latest when it runs)."""
    if not publishes_to_notion(settings):
        return False
    return enqueue(
        conn,
        key=keys.postmortem_publish(incident_id, version),
        kind=OutboxKind.POSTMORTEM_PUBLISH,
        now=now,
        incident_id=incident_id,
        payload={"incident_id": incident_id, "version": version},
    )
