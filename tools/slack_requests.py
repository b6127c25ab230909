"""What Slack sends us, as far as warroom reads it: interactivity payloads (button clicks) and
Events API envelopes (war-room messages). Unknown fields are ignored, as Slack adds them freely;
a known field of the wrong kind is a `ValidationError` the router answers with a 422 naming it.

Only message events are validated field by field: other event types reuse names for other
shapes (`channel` is an object in `channel_created`), and warroom only answers them 200.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["BlockActions", "EventEnvelope", "Interaction", "MessageEvent", "SlackAction", "SlackUser", "SlashCommand"]


_MAX_ID = 100  # Slack ids are about 11 characters; this bounds what is stored from them


class SlackUser(BaseModel):
    id: str | None = Field(default=None, max_length=_MAX_ID)
    username: str | None = Field(default=None, max_length=_MAX_ID)
    name: str | None = Field(default=None, max_length=_MAX_ID)


class SlackAction(BaseModel):
    action_id: str | None = None
    value: str = ""
    action_ts: str | None = Field(default=None, max_length=32)


class SlackChannel(BaseModel):
    id: str | None = Field(default=None, max_length=_MAX_ID)


class SlackContainer(BaseModel):
    channel_id: str | None = Field(default=None, max_length=_MAX_ID)


class Interaction(BaseModel):
    """The form field `payload` of an interactivity request: only its type is read, since each
    type has a shape of its own; warroom acts on `block_actions`."""

    type: str


class BlockActions(BaseModel):
    """A button click: who clicked, which buttons, and where (to answer them there)."""

    user: SlackUser = Field(default_factory=SlackUser)
    actions: list[SlackAction] = Field(default_factory=list)
    channel: SlackChannel | None = None
    container: SlackContainer | None = None

    @property
    def channel_id(self) -> str | None:
        return (self.channel.id if self.channel else None) or (self.container.channel_id if self.container else None)


class MessageEvent(BaseModel):
    """A message posted in a channel the bot is in."""

    type: str
    channel: str = Field(max_length=_MAX_ID)
    user: str | None = Field(default=None, max_length=_MAX_ID)
    text: str = ""
    ts: str = Field(max_length=32)
    subtype: str | None = None
    bot_id: str | None = None


class EventEnvelope(BaseModel):
    """`url_verification` (answer the challenge) or `event_callback` (an event inside)."""

    type: str
    challenge: str = ""
    event: dict[str, Any] = Field(default_factory=dict)

    def human_message(self) -> dict[str, Any] | None:
        """The event when it is a message from a person (not a bot, not an edit or a join)."""
        event = self.event
        if event.get("type") != "message" or event.get("subtype") or event.get("bot_id"):
            return None
        return event


class SlashCommand(BaseModel):
    """A slash command's form fields (`application/x-www-form-urlencoded`, each field once); the
    text after the command is whatever the person typed, read as untrusted words."""

    command: str = Field(max_length=_MAX_ID)
    text: str = Field(default="", max_length=4_000)
    user_id: str = Field(max_length=_MAX_ID)
    user_name: str | None = Field(default=None, max_length=_MAX_ID)
    channel_id: str | None = Field(default=None, max_length=_MAX_ID)
    team_id: str | None = Field(default=None, max_length=_MAX_ID)
