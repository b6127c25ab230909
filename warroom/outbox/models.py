"""Outbox rows as the API, the web UI and the CLI show them (payloads stay inside)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

__all__ = ["OutboxRecord"]


class OutboxRecord(BaseModel):
    id: int
    idempotency_key: str
    kind: str
    state: str
    incident_id: int | None
    attempts: int
    created_at: datetime
    attempted_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
