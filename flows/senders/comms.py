"""The outbox sender for approved customer comms (and pages to people on the escalation list).

Called by the outbox worker with one row; raising means "retry later" (or give up, for a
permanent 4xx). A message's outbox key is its identity (email Message-ID), so a retry after a
crash is recognised downstream where the channel allows it.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine

from flows.senders.war_room import WarRoomSender
from tools.discord import DiscordMessage, DiscordPoster
from tools.email import EmailMessage, EmailReceipt, EmailSender
from tools.x import XPost, XPoster
from warroom import keys
from warroom.action_items import store as action_items
from warroom.channels import DISCORD_MAX_LENGTH
from warroom.clock import Clock
from warroom.drafts import store as drafts
from warroom.incidents import store as incidents
from warroom.kinds import OutboxKind, TimelineKind
from warroom.outbox.store import OutboxItem, count_unsent
from warroom.outbox.worker import OutboxWorker

__all__ = ["CommsSender"]


class CommsSender:
    """`comms.email`, `comms.discord`, `comms.x`, `comms.war_room`: one approved draft's parts."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        email: EmailSender,
        email_from: str,
        war_room: WarRoomSender,
        discord: DiscordPoster | None = None,
        x: XPoster | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._email = email
        self._from = email_from
        self._war_room = war_room
        self._discord = discord
        self._x = x

    def register(self, outbox: OutboxWorker) -> None:
        outbox.register(OutboxKind.COMMS_EMAIL, self.email)
        outbox.register(OutboxKind.COMMS_DISCORD, self.discord)
        outbox.register(OutboxKind.COMMS_X, self.x)
        outbox.register(OutboxKind.COMMS_WAR_ROOM, self.war_room)
        outbox.register(OutboxKind.PAGE_EMAIL, self.page)

    def email(self, item: OutboxItem) -> dict[str, str]:
        receipt = self._mail(item, subject=item.payload["subject"] or "Service incident")
        self._sent(item, f"email to {item.payload['to']}")
        return {"message_id": receipt.message_id}

    def page(self, item: OutboxItem) -> dict[str, str]:
        """A page to a person on the escalation list (no draft: internal, sent at once)."""
        return {"message_id": self._mail(item, subject=item.payload["subject"]).message_id}

    def _mail(self, item: OutboxItem, *, subject: str) -> EmailReceipt:
        """One message to one address; its Message-ID comes from the outbox key, so a resend after
        a crash is the same message to the receiving side (and the .eml folder writes it once)."""
        digest = hashlib.sha256(item.idempotency_key.encode()).hexdigest()[:32]
        return self._email.send(
            EmailMessage(
                sender=self._from,
                to=[item.payload["to"]],
                subject=subject,
                body=item.payload["body"],
                message_id=f"<{digest}@warroom>",
            )
        )

    def discord(self, item: OutboxItem) -> dict[str, str]:
        if self._discord is None:
            raise RuntimeError("Discord is not configured (WARROOM_DISCORD_WEBHOOK_URL)")
        message_id = self._discord.execute(DiscordMessage(content=item.payload["body"][:DISCORD_MAX_LENGTH]))
        self._sent(item, "Discord")
        return {"message_id": message_id}

    def x(self, item: OutboxItem) -> dict[str, str]:
        if self._x is None:
            raise RuntimeError("X is not configured (WARROOM_X_BEARER_TOKEN)")
        post_id = self._x.post(XPost(text=item.payload["body"]))
        self._sent(item, "X")
        return {"post_id": post_id}

    def war_room(self, item: OutboxItem) -> None:
        incident_id = item.incident_id
        assert incident_id is not None
        self._war_room.room.post(
            incident_id, self._war_room.room_id(incident_id), item.payload["body"], item.idempotency_key
        )
        self._sent(item, "the war room")

    def _sent(self, item: OutboxItem, where: str) -> None:
        draft_id = int(item.payload["draft_id"])
        now = self._clock.now()
        with self._engine.begin() as conn:
            # A draft to many recipients is one outbox row each: it is "sent" once the last one is.
            if not count_unsent(conn, key_prefix=keys.draft_sends(draft_id), other_than=item.id):
                drafts.mark_sent(conn, draft_id, now)
                tracked = action_items.get_item_by_key(conn, keys.rca_item(draft_id))
                if tracked is not None:
                    action_items.complete(conn, tracked.id, now)
            if item.incident_id is not None:
                incidents.add_timeline(
                    conn,
                    item.incident_id,
                    now,
                    TimelineKind.COMMS_SENT,
                    f"{item.payload.get('channel', 'comms')} draft #{draft_id} sent to {where}",
                    data={"draft_id": draft_id, "channel": item.payload.get("channel")},
                    dedup_key=keys.sent(item.idempotency_key),
                )
