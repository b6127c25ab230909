"""Who did something: the front door it came through and the name it gave.

Every human action carries an `Actor`, so the timeline says who acknowledged, approved or
resolved. Today a name is what the front door knows (the API caller's `actor` field, a Slack
handle); `email` is there for when people have accounts of their own.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Actor", "ActorKind"]


class ActorKind(StrEnum):
    WEB = "web"
    API = "api"
    SLACK = "slack"
    CLI = "cli"
    SYSTEM = "system"


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: ActorKind
    name: str = Field(min_length=1, max_length=255)
    email: str | None = None

    @property
    def label(self) -> str:
        """The name the timeline records: as given for the web, the API and warroom itself, and
        with the front door in front for Slack and the CLI (`slack:U0ALICE`), whose names are
        handles rather than people's names."""
        if self.kind in (ActorKind.SLACK, ActorKind.CLI):
            return f"{self.kind}:{self.name}"
        return self.name
