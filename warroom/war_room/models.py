"""How a war room is set up: what the CTO agent decides and each room (built-in, Slack) carries out."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["RoomSetup"]


class RoomSetup(BaseModel):
    incident_id: int
    opened_at: datetime
    title: str
    topic: str
    member_emails: list[str] = Field(default_factory=list)
    member_slack_ids: list[str] = Field(default_factory=list)
    pins: list[str] = Field(default_factory=list, description="links and the runbook, pinned in the room")
    intro: str
