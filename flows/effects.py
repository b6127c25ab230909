"""The effects nodes, flows and front doors ask for, as outbox rows: a post in the war room, a
status-page post, a private reply to one Slack user.

One function per effect, so every caller keys, addresses and shapes it the same way; the
outbox's idempotency key makes a replayed step enqueue nothing new.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from warroom.kinds import OutboxKind
from warroom.outbox.store import enqueue
from warroom.status_page.models import StatusPost

__all__ = ["email_about", "post_status", "post_to_war_room", "reply_in_slack"]


def post_to_war_room(
    conn: Connection,
    *,
    key: str,
    incident_id: int,
    text: str,
    now: datetime,
    blocks: list[dict[str, Any]] | None = None,
) -> bool:
    payload: dict[str, Any] = {"incident_id": incident_id, "text": text}
    if blocks is not None:
        payload["blocks"] = blocks
    return enqueue(conn, key=key, kind=OutboxKind.WAR_ROOM_POST, now=now, incident_id=incident_id, payload=payload)


def email_about(
    conn: Connection, *, key: str, to: str, subject: str, text: str, incident_id: int, public_url: str, now: datetime
) -> bool:
    """An email to one responder about one incident (a page, an approval to give), linking its page."""
    return enqueue(
        conn,
        key=key,
        kind=OutboxKind.PAGE_EMAIL,
        now=now,
        incident_id=incident_id,
        payload={"to": to, "subject": subject, "body": f"{text}\n\n{public_url.rstrip('/')}/incidents/{incident_id}"},
    )


def post_status(conn: Connection, *, key: str, post: StatusPost, now: datetime) -> bool:
    return enqueue(
        conn,
        key=key,
        kind=OutboxKind.STATUS_POST,
        now=now,
        incident_id=post.incident_id,
        payload=post.model_dump(mode="json"),
    )


def reply_in_slack(
    conn: Connection, *, key: str, channel: str, user: str, text: str, now: datetime, incident_id: int | None = None
) -> bool:
    """An ephemeral message only `user` sees: why a button or command of theirs was refused."""
    return enqueue(
        conn,
        key=key,
        kind=OutboxKind.SLACK_REPLY,
        now=now,
        incident_id=incident_id,
        payload={"channel": channel, "user": user, "text": text},
    )
