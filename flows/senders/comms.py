"""The outbox sender for approved customer comms (and pages to people on the escalation list).

Called by the outbox worker with one row; raising means "retry later" (or give up, for a
permanent 4xx). A message's outbox key is its identity (email Message-ID), so a retry after a
crash is recognised downstream where the channel allows it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine

from flows.senders.war_room import WarRoomSender
from flows.staleness import resolved_reason
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
from warroom.outbox.worker import Delivery, OutboxWorker

__all__ = ["CommsSender"]


class CommsSender:
    """`comms.email`, `comms.discord`, `comms.x`, `comms.war_room`: one approved draft's parts.

    Each sender only sends; the draft's "sent" mark and timeline entry are written once the row
    is marked sent (`record`), so a failure there can never send the message again. SMTP,
    Discord and X cannot be asked whether a message arrived: an attempt whose outcome was lost
    waits for a human (`unknown`) instead of going twice. The `.eml` folder keeps one file per
    Message-ID, so it is simply repeated.
    """

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        email: EmailSender,
        email_from: str,
        reply_to: str | None = None,
        war_room: WarRoomSender,
        discord: DiscordPoster | None = None,
        x: XPoster | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._email = email
        self._from = email_from
        self._reply_to = reply_to
        self._war_room = war_room
        self._discord = discord
        self._x = x

    def register(self, outbox: OutboxWorker) -> None:
        mail = Delivery.IDEMPOTENT if self._email.idempotent else Delivery.AT_MOST_ONCE
        once = Delivery.AT_MOST_ONCE
        outbox.register(OutboxKind.COMMS_EMAIL, self.email, delivery=mail, after=self.record, guard=self.guard)
        outbox.register(OutboxKind.PAGE_EMAIL, self.page, delivery=mail)
        outbox.register(OutboxKind.COMMS_DISCORD, self.discord, delivery=once, after=self.record, guard=self.guard)
        outbox.register(OutboxKind.COMMS_X, self.x, delivery=once, after=self.record, guard=self.guard)
        outbox.register(
            OutboxKind.COMMS_WAR_ROOM,
            self.war_room,
            delivery=self._war_room.delivery,
            after=self.record,
            guard=self.guard,
        )

    def guard(self, conn: Connection, item: OutboxItem) -> str | None:
        """A "still going on" message queued before the incident was resolved (approved, then
        held up by retries) never goes out after the all-clear; the draft says why, once."""
        draft = drafts.get_draft(conn, int(item.payload["draft_id"]))
        incident = incidents.get_incident(conn, draft.incident_id, with_timeline=False) if draft else None
        reason = resolved_reason(draft, incident) if draft and incident else None
        if reason and draft:
            drafts.withdraw(conn, draft.id, reason=reason, now=self._clock.now(), approved_too=True)
            incidents.add_timeline(
                conn,
                draft.incident_id,
                self._clock.now(),
                TimelineKind.COMMS_ERROR,
                f"{draft.channel} draft #{draft.id}: its unsent messages were cancelled: {reason}",
                actor="warroom",
                data={"draft_id": draft.id},
                dedup_key=keys.draft_cancelled(draft.id),
            )
        return reason

    def email(self, item: OutboxItem) -> dict[str, str]:
        receipt = self._mail(item, subject=item.payload["subject"] or "Service incident", reply_to=self._reply_to)
        return {"message_id": receipt.message_id, "where": f"email to {item.payload['to']}"}

    def page(self, item: OutboxItem) -> dict[str, str]:
        """A page to a person on the escalation list (no draft: internal, sent at once)."""
        return {"message_id": self._mail(item, subject=item.payload["subject"]).message_id}

    def _mail(self, item: OutboxItem, *, subject: str, reply_to: str | None = None) -> EmailReceipt:
        """One message to one address; its Message-ID comes from the outbox key, so a resend is
        the same message to the receiving side (and the .eml folder writes it once)."""
        return self._email.send(
            EmailMessage(
                sender=self._from,
                to=[item.payload["to"]],
                subject=subject,
                body=item.payload["body"],
                reply_to=reply_to,
                message_id=f"<{item.mark}@warroom>",
            )
        )

    def discord(self, item: OutboxItem) -> dict[str, str]:
        if self._discord is None:
            raise RuntimeError("Discord is not configured (WARROOM_DISCORD_WEBHOOK_URL)")
        message_id = self._discord.execute(DiscordMessage(content=item.payload["body"][:DISCORD_MAX_LENGTH]))
        return {"message_id": message_id, "where": "Discord"}

    def x(self, item: OutboxItem) -> dict[str, str]:
        if self._x is None:
            raise RuntimeError("X is not configured (WARROOM_X_BEARER_TOKEN)")
        post_id = self._x.post(XPost(text=item.payload["body"]))
        return {"post_id": post_id, "where": "X"}

    def war_room(self, item: OutboxItem) -> dict[str, str]:
        incident_id = item.incident_id
        assert incident_id is not None
        self._war_room.room.post(
            incident_id,
            self._war_room.room_id(incident_id),
            item.payload["body"],
            item.idempotency_key,
            recheck=item.attempted_at is not None,
        )
        return {"where": "the war room"}

    def record(self, conn: Connection, item: OutboxItem, result: dict[str, Any] | None) -> None:
        """Once the last part of a draft is sent: the draft is sent, and one timeline entry says
        where ("email draft #1 sent to 126 recipients"). One entry per send, not per address: the
        timeline and the postmortem built from it never list customers' addresses."""
        draft_id = int(item.payload["draft_id"])
        now = self._clock.now()
        # A draft to many recipients is one outbox row each: it is "sent" once the last one is.
        if count_unsent(conn, key_prefix=keys.draft_sends(draft_id), other_than=item.id):
            return
        drafts.mark_sent(conn, draft_id, now)
        tracked = action_items.get_item_by_key(conn, keys.rca_item(draft_id))
        if tracked is not None:
            action_items.complete(conn, tracked.id, now)
        draft = drafts.get_draft(conn, draft_id)
        if item.incident_id is None or draft is None:
            return
        channel = item.payload.get("channel", "comms")
        count = len(draft.recipients)
        where = (
            f"{count} recipient{'s' if count != 1 else ''}"
            if item.kind == OutboxKind.COMMS_EMAIL
            else (result or {}).get("where", "?")
        )
        incidents.add_timeline(
            conn,
            item.incident_id,
            now,
            TimelineKind.COMMS_SENT,
            f"{channel} draft #{draft_id} sent to {where}",
            data={
                "draft_id": draft_id,
                "channel": channel,
                "recipients": count if item.kind == OutboxKind.COMMS_EMAIL else None,
            },
            dedup_key=keys.sent(keys.draft_sends(draft_id)),
        )
