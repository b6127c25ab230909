"""Email subscriptions to the built-in status page: double opt-in and one email per post.

Every message goes through the outbox under a key that names what it is (the confirmation of one
subscription on one day; one post to one subscriber), so nothing is ever sent twice, however
often the form is submitted or a post is replayed. Links are signed: the confirmation expires
after `CONFIRM_HOURS`; the unsubscribe link does not (it must work in a months-old email) but
dies with the subscription, since both carry the subscription's nonce. Addresses are personal
data: they are never logged, never put in an outbox key or a result.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import Connection

from warroom.errors import Expired, Forbidden, Invalid
from warroom.kinds import OutboxKind
from warroom.outbox.store import enqueue
from warroom.settings import Settings
from warroom.status_page import subscribers
from warroom.status_page.models import StatusPost
from warroom.status_page.subscribers import Subscriber

__all__ = [
    "CONFIRM_HOURS",
    "confirm_token",
    "normalise_address",
    "notify_subscribers",
    "read_confirm_token",
    "read_unsubscribe_token",
    "request_subscription",
    "unsubscribe_token",
]

CONFIRM_HOURS = 48
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


def normalise_address(raw: str) -> str:
    """One spelling per mailbox (trimmed, lower case), or `Invalid`."""
    address = raw.strip().lower()
    if len(address) > 254 or not _ADDRESS.match(address):
        raise Invalid("That does not look like an email address.")
    return address


def _timed(secret_key: str, now: datetime) -> URLSafeTimedSerializer:
    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now.timestamp())

    return URLSafeTimedSerializer(secret_key, salt="warroom.status.confirm", signer=ClockSigner)


def confirm_token(secret_key: str, subscriber: Subscriber, now: datetime) -> str:
    return _timed(secret_key, now).dumps({"s": subscriber.id, "n": subscriber.nonce})


def read_confirm_token(secret_key: str, token: str, now: datetime) -> tuple[int, str]:
    try:
        data = _timed(secret_key, now).loads(token, max_age=CONFIRM_HOURS * 3600)
    except SignatureExpired as exc:
        raise Expired("This confirmation link has expired; subscribe again for a new one.") from exc
    except BadSignature as exc:
        raise Forbidden("This confirmation link is not valid.") from exc
    return int(data["s"]), str(data["n"])


def unsubscribe_token(secret_key: str, subscriber: Subscriber) -> str:
    return URLSafeSerializer(secret_key, salt="warroom.status.unsubscribe").dumps(
        {"s": subscriber.id, "n": subscriber.nonce}
    )


def read_unsubscribe_token(secret_key: str, token: str) -> tuple[int, str]:
    try:
        data = URLSafeSerializer(secret_key, salt="warroom.status.unsubscribe").loads(token)
    except BadSignature as exc:
        raise Forbidden("This unsubscribe link is not valid.") from exc
    return int(data["s"]), str(data["n"])


def _base(settings: Settings) -> str:
    return settings.public_url.rstrip("/")


def _unsubscribe_url(settings: Settings, secret_key: str, subscriber: Subscriber) -> str:
    return f"{_base(settings)}/status/unsubscribe?token={quote(unsubscribe_token(secret_key, subscriber))}"


def _email(
    conn: Connection, *, key: str, subscriber: Subscriber, subject: str, body: str, unsubscribe: str, now: datetime
) -> bool:
    return enqueue(
        conn,
        key=key,
        kind=OutboxKind.SUBSCRIBER_EMAIL,
        now=now,
        payload={
            "subscriber_id": subscriber.id,
            "nonce": subscriber.nonce,
            "to": subscriber.email,
            "subject": subject,
            "body": f"{body}\n\nUnsubscribe with one click: {unsubscribe}\n",
            "unsubscribe_url": unsubscribe,
            "needs_confirmed": subscriber.confirmed,
        },
    )


def request_subscription(
    conn: Connection, raw_address: str, *, settings: Settings, secret_key: str, now: datetime
) -> None:
    """The form's submission: a pending subscriber gets a confirmation email, at most one per
    subscription per day; a confirmed one gets nothing. The caller answers the same either way,
    so the form never tells whether an address is subscribed."""
    subscriber = subscribers.subscribe(conn, normalise_address(raw_address), now)
    if subscriber.confirmed:
        return
    link = f"{_base(settings)}/status/subscribe/confirm?token={quote(confirm_token(secret_key, subscriber, now))}"
    title = settings.status_page_title
    _email(
        conn,
        key=f"subscribers.confirm:{subscriber.id}:{subscriber.nonce}:{now.date().isoformat()}",
        subscriber=subscriber,
        subject=f"Confirm your subscription to {title}",
        body=(
            f"Someone (we hope you) asked to receive updates from {title} at this address.\n\n"
            f"Confirm within {CONFIRM_HOURS} hours: {link}\n\n"
            "If it was not you, ignore this email: nothing more will be sent."
        ),
        unsubscribe=_unsubscribe_url(settings, secret_key, subscriber),
        now=now,
    )


def notify_subscribers(
    conn: Connection, *, post_mark: str, post: StatusPost, settings: Settings, secret_key: str, now: datetime
) -> int:
    """One email per confirmed subscriber for the post `post_mark` names; pending ones get none.
    Returns how many were queued now (a repeat of the same post queues none)."""
    title = settings.status_page_title
    status = post.status.value.capitalize()
    queued = 0
    for subscriber in subscribers.confirmed(conn):
        queued += _email(
            conn,
            key=f"subscribers.post:{post_mark}:{subscriber.id}",
            subscriber=subscriber,
            subject=f"[{title}] {post.title}: {status}",
            body=f"{status}: {post.title}\n\n{post.body}\n\nFollow it at {_base(settings)}/status",
            unsubscribe=_unsubscribe_url(settings, secret_key, subscriber),
            now=now,
        )
    return queued
