"""Comms drafts as the API shows them, the moments they are written for, and the states a draft
moves through."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["CommsKind", "DraftRecord", "DraftState"]


class CommsKind(StrEnum):
    """Which moment of the incident a round of drafts speaks for."""

    INITIAL = "initial"
    UPDATE = "update"
    ALL_CLEAR = "all_clear"
    RCA = "rca"
    """The formal root-cause analysis an enterprise account's SLA asks for, after resolution."""


class DraftState(StrEnum):
    """`blocked` drafts failed the grounding check and can only be edited or rejected."""

    PENDING = "pending_approval"
    BLOCKED = "blocked"
    APPROVED = "approved"
    REJECTED = "rejected"
    SENT = "sent"
    WITHDRAWN = "withdrawn"
    """The incident moved on before anyone decided (resolved, or a newer draft replaced it): never
    sendable again; `withdrawn_reason` says why."""


class DraftRecord(BaseModel):
    id: int
    incident_id: int
    kind: str
    channel: str
    audience: str
    recipients: list[str]
    subject: str | None
    body: str
    public: bool
    facts_used: dict[str, Any] = Field(default_factory=dict)
    problems: list[str] = Field(default_factory=list)
    state: DraftState
    created_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    sent_at: datetime | None = None
    written_for: str | None = None
    """The incident's severity when the draft was written (or last refreshed)."""
    withdrawn_reason: str | None = None
