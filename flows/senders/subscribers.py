"""The outbox sender for the status page's subscriber emails (confirmations and posts).

Each message carries RFC 8058 one-click unsubscribe headers and a Message-ID from its outbox key,
so the `.eml` folder keeps one copy; over SMTP an attempt of unknown outcome waits for a human.
A message to someone who unsubscribed since it was queued is cancelled, never sent. The result
kept on the row names no address.
"""

from __future__ import annotations

from sqlalchemy import Connection

from tools.email import EmailMessage, EmailSender
from warroom.kinds import OutboxKind
from warroom.outbox.store import OutboxItem
from warroom.outbox.worker import Delivery, OutboxWorker
from warroom.status_page import subscribers

__all__ = ["SubscriberMail"]


class SubscriberMail:
    def __init__(self, email: EmailSender, email_from: str, reply_to: str | None = None) -> None:
        self._email = email
        self._from = email_from
        self._reply_to = reply_to

    def register(self, outbox: OutboxWorker) -> None:
        delivery = Delivery.IDEMPOTENT if self._email.idempotent else Delivery.AT_MOST_ONCE
        outbox.register(OutboxKind.SUBSCRIBER_EMAIL, self, delivery=delivery, guard=self.guard)

    def guard(self, conn: Connection, item: OutboxItem) -> str | None:
        found = subscribers.get(conn, int(item.payload["subscriber_id"]), item.payload["nonce"])
        if found is None:
            return "the subscriber unsubscribed"
        if item.payload.get("needs_confirmed") and not found.confirmed:
            return "the subscription is not confirmed"
        return None

    def __call__(self, item: OutboxItem) -> dict[str, str]:
        receipt = self._email.send(
            EmailMessage(
                sender=self._from,
                to=[item.payload["to"]],
                subject=item.payload["subject"],
                body=item.payload["body"],
                reply_to=self._reply_to,
                message_id=f"<{item.mark}@warroom>",
                headers={
                    "List-Unsubscribe": f"<{item.payload['unsubscribe_url']}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
        )
        return {"message_id": receipt.message_id}
