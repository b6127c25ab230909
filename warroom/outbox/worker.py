"""Sends outbox rows through the senders registered at start-up, with retries and backoff.

A sender raises to fail: an exception with `retry_after` (seconds) is retried then; one that says
it is `permanent` (or, saying nothing, has a 4xx HTTP `status` other than 408/409/420/425/429) is
given up; one with `outcome_unknown` (the request may have arrived) is set aside for a human
unless the kind is idempotent; anything else backs off exponentially.

What a crash may leave is set per kind by its `Delivery`: an idempotent send is simply repeated;
a checked one is marked attempted (committed) before it goes, and its sender asks the receiver
whether an attempted row arrived before sending it again; an at-most-once one is marked
attempted too, and a row found attempted with no outcome goes to `unknown` for a human instead
of a second send. Bookkeeping after a send (`after`) runs once the row is sent and can never
make it go again: a failure there is logged and kept on the row.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
from typing import Any

import sentry_sdk
from prometheus_client import Counter
from sqlalchemy import Connection, Engine, update

from warroom import crashpoints
from warroom.clock import Clock
from warroom.db import table_of
from warroom.outbox.store import (
    MAX_ATTEMPTS,
    OutboxItem,
    any_due,
    claim_due,
    mark_attempted,
    mark_cancelled,
    mark_failed,
    mark_sent,
    mark_unknown,
    reschedule,
)
from warroom.outbox.tables import OutboxRow

__all__ = ["AfterSent", "Delivery", "Guard", "OutboxWorker", "Sender", "backoff_seconds"]

log = logging.getLogger(__name__)
SEND_FAILURES = Counter(
    "warroom_outbox_send_failures_total", "Failed send attempts by kind; final=true when given up", ["kind", "final"]
)

Sender = Callable[[OutboxItem], dict[str, Any] | None]
AfterSent = Callable[[Connection, OutboxItem, dict[str, Any] | None], None]
Guard = Callable[[Connection, OutboxItem], str | None]
"""Asked just before each attempt: why the row must not go out any more (what it says stopped
being true since it was queued), or None. The row is then cancelled, in the same transaction as
whatever the guard records."""
RETRYABLE_4XX = {408, 409, 420, 425, 429}


class Delivery(StrEnum):
    """What sending a row a second time would do, so what a crash mid-send may leave."""

    IDEMPOTENT = "idempotent"
    """The receiver keeps one copy however often it is sent (our own tables, the .eml folder)."""
    CHECKED = "checked"
    """The sender asks the receiver whether an attempted row arrived before sending it again."""
    AT_MOST_ONCE = "at_most_once"
    """Nobody can be asked (SMTP, Discord, X): an attempt of unknown outcome waits for a human."""


def backoff_seconds(attempts: int) -> float:
    return float(min(2 ** max(attempts - 1, 0), 600))


class OutboxWorker:
    def __init__(self, engine: Engine, clock: Clock, owner: str | None = None) -> None:
        self._engine = engine
        self._clock = clock
        self.owner = owner or uuid.uuid4().hex
        self._senders: dict[str, Sender] = {}
        self._delivery: dict[str, Delivery] = {}
        self._after: dict[str, AfterSent] = {}
        self._guards: dict[str, Guard] = {}
        self.on_sent: list[Callable[[OutboxItem, dict[str, Any] | None], None]] = []

    def register(
        self,
        kind: str,
        sender: Sender,
        *,
        delivery: Delivery = Delivery.IDEMPOTENT,
        after: AfterSent | None = None,
        guard: Guard | None = None,
    ) -> None:
        self._senders[kind] = sender
        self._delivery[kind] = delivery
        if after is not None:
            self._after[kind] = after
        if guard is not None:
            self._guards[kind] = guard

    def run_due(self, limit: int = 50) -> int:
        """Send what is due now; returns how many rows were attempted."""
        now = self._clock.now()
        with self._engine.connect() as conn:  # idle polls must not take the write lock
            if not any_due(conn, now):
                return 0
        with self._engine.begin() as conn:
            items = claim_due(conn, now, self.owner, limit=limit)
        for item in items:
            self._send(item)
        return len(items)

    def _send(self, item: OutboxItem) -> None:
        sender = self._senders.get(item.kind)
        if sender is None:
            with self._engine.begin() as conn:
                mark_failed(conn, item.id, f"no sender registered for {item.kind!r}")
            return
        if self._cancelled(item):
            return
        delivery = self._delivery[item.kind]
        if delivery is Delivery.AT_MOST_ONCE and item.attempted_at is not None:
            self._unknown(
                item, f"an attempt began at {item.attempted_at:%Y-%m-%d %H:%M:%S} UTC and its outcome was lost"
            )
            return
        if delivery is not Delivery.IDEMPOTENT and item.attempted_at is None:
            with self._engine.begin() as conn:
                mark_attempted(conn, item.id, self._clock.now())
        try:
            crashpoints.reach(f"outbox.{item.kind}.send")
            result = sender(item)
        except Exception as exc:  # every failure is recorded on the row
            self._failed(item, exc, delivery)
            return
        crashpoints.reach(f"outbox.{item.kind}.sent")
        with self._engine.begin() as conn:
            mark_sent(conn, item.id, self._clock.now(), result)
            self._bookkeep(conn, item, result)
        for hook in self.on_sent:
            hook(item, result)

    def _cancelled(self, item: OutboxItem) -> bool:
        guard = self._guards.get(item.kind)
        if guard is None:
            return False
        with self._engine.begin() as conn:
            reason = guard(conn, item)
            if reason is None:
                return False
            mark_cancelled(conn, item.id, reason)
        log.info("outbox %s %s cancelled before sending: %s", item.kind, item.idempotency_key, reason)
        return True

    def _bookkeep(self, conn: Connection, item: OutboxItem, result: dict[str, Any] | None) -> None:
        """In the transaction that marks the row sent, under a savepoint: done with it, or not at
        all and the reason kept on the row; the row stays sent either way."""
        after = self._after.get(item.kind)
        if after is None:
            return
        try:
            with conn.begin_nested():
                after(conn, item, result)
        except Exception as exc:  # the send happened; only its record failed
            log.exception("outbox %s %s sent, but its bookkeeping failed", item.kind, item.idempotency_key)
            sentry_sdk.capture_exception(exc)
            table = table_of(OutboxRow)
            message = f"sent; recording it failed: {type(exc).__name__}: {exc}"
            conn.execute(update(table).where(table.c.id == item.id).values(last_error=message[:2000]))

    def _unknown(self, item: OutboxItem, why: str) -> None:
        log.warning("outbox %s %s: outcome unknown, left for a human: %s", item.kind, item.idempotency_key, why)
        with self._engine.begin() as conn:
            mark_unknown(conn, item.id, why)

    def _failed(self, item: OutboxItem, exc: Exception, delivery: Delivery) -> None:
        status = getattr(exc, "status", None)
        retry_after = getattr(exc, "retry_after", None)
        message = f"{type(exc).__name__}: {exc}"
        if delivery is not Delivery.IDEMPOTENT and getattr(exc, "outcome_unknown", False):
            self._unknown(item, message)
            return
        permanent = getattr(exc, "permanent", None)
        if permanent is None:
            permanent = isinstance(status, int) and 400 <= status < 500 and status not in RETRYABLE_4XX
        with self._engine.begin() as conn:
            if permanent or item.attempts >= MAX_ATTEMPTS:
                log.warning("outbox %s %s failed for good: %s", item.kind, item.idempotency_key, message)
                SEND_FAILURES.labels(kind=item.kind, final="true").inc()
                sentry_sdk.capture_exception(exc)
                mark_failed(conn, item.id, message)
                return
            delay = float(retry_after) if retry_after is not None else backoff_seconds(item.attempts)
            at = self._clock.now() + timedelta(seconds=delay)
            log.warning(
                "outbox %s %s attempt %d failed, retrying in %.0f s: %s",
                item.kind,
                item.idempotency_key,
                item.attempts,
                delay,
                message,
            )
            SEND_FAILURES.labels(kind=item.kind, final="false").inc()
            reschedule(conn, item.id, at, message, may_have_arrived=delivery is Delivery.CHECKED)
