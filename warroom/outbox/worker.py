"""Sends outbox rows through the senders registered at start-up, with retries and backoff.

A sender raises to fail: an exception with `retry_after` (seconds) is retried then; one with a
4xx `status` other than 408/409/420/425/429 is permanent; anything else backs off exponentially.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sentry_sdk
from sqlalchemy import Engine

from warroom.clock import Clock
from warroom.outbox.store import (
    MAX_ATTEMPTS,
    OutboxItem,
    claim_due,
    mark_failed,
    mark_sent,
    reschedule,
)

__all__ = ["OutboxWorker", "Sender", "backoff_seconds"]

log = logging.getLogger(__name__)

Sender = Callable[[OutboxItem], dict[str, Any] | None]
RETRYABLE_4XX = {408, 409, 420, 425, 429}


def backoff_seconds(attempts: int) -> float:
    return float(min(2 ** max(attempts - 1, 0), 600))


class OutboxWorker:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._senders: dict[str, Sender] = {}
        self.on_sent: list[Callable[[OutboxItem, dict[str, Any] | None], None]] = []

    def register(self, kind: str, sender: Sender) -> None:
        self._senders[kind] = sender

    def run_due(self, limit: int = 50) -> int:
        """Send what is due now; returns how many rows were attempted."""
        now = self._clock.now()
        with self._engine.begin() as conn:
            items = claim_due(conn, now, limit=limit)
        for item in items:
            self._send(item)
        return len(items)

    def _send(self, item: OutboxItem) -> None:
        sender = self._senders.get(item.kind)
        if sender is None:
            with self._engine.begin() as conn:
                mark_failed(conn, item.id, f"no sender registered for {item.kind!r}")
            return
        try:
            result = sender(item)
        except Exception as exc:  # every failure is recorded on the row
            self._failed(item, exc)
            return
        with self._engine.begin() as conn:
            mark_sent(conn, item.id, self._clock.now(), result)
        for hook in self.on_sent:
            hook(item, result)

    def _failed(self, item: OutboxItem, exc: Exception) -> None:
        status = getattr(exc, "status", None)
        retry_after = getattr(exc, "retry_after", None)
        message = f"{type(exc).__name__}: {exc}"
        permanent = isinstance(status, int) and 400 <= status < 500 and status not in RETRYABLE_4XX
        with self._engine.begin() as conn:
            if permanent or item.attempts >= MAX_ATTEMPTS:
                log.warning("outbox %s %s failed for good: %s", item.kind, item.idempotency_key, message)
                sentry_sdk.capture_exception(exc)
                mark_failed(conn, item.id, message)
                return
            delay = float(retry_after) if retry_after is not None else backoff_seconds(item.attempts)
            reschedule(conn, item.id, self._clock.now() + timedelta(seconds=delay), message)
