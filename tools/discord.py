"""Discord "Execute Webhook": post incident comms to a community channel.

The webhook URL is the credential (it embeds the token), so it never appears in errors. Messages
go out with `allowed_mentions: {parse: []}` so incident text can never ping @everyone or a role.
A 429 is raised as `DiscordError` with `retry_after` for the outbox; 404 means the webhook was
deleted and retrying is pointless.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, Field

from tools.retry_after import retry_after_seconds
from warroom.channels import DISCORD_MAX_LENGTH

__all__ = ["DiscordError", "DiscordMessage", "DiscordPoster", "DiscordWebhook"]

_WEBHOOK_PATH = re.compile(r"/webhooks/(?P<id>\d+)/(?P<token>[^/?#]+)/?$")


class DiscordMessage(BaseModel):
    content: str = Field(min_length=1, max_length=DISCORD_MAX_LENGTH)
    username: str | None = Field(default=None, min_length=1, max_length=80)
    thread_id: str | None = Field(default=None, pattern=r"^(0|[1-9][0-9]*)$")


class DiscordError(Exception):
    """Discord refused or failed a request. `code` is Discord's own error code when given;
    `retry_after` (seconds) is set on 429."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.code = code

    @property
    def webhook_gone(self) -> bool:
        return self.status in {401, 404}


class DiscordPoster(Protocol):
    def execute(self, message: DiscordMessage) -> str:
        """Post; returns the created message's id."""
        ...


class DiscordWebhook:
    def __init__(self, client: httpx.Client, webhook_url: str) -> None:
        if not _WEBHOOK_PATH.search(httpx.URL(webhook_url).path):
            raise ValueError("not a Discord webhook URL (…/webhooks/{id}/{token})")
        self._client = client
        self._url = webhook_url.rstrip("/")

    def execute(self, message: DiscordMessage) -> str:
        """`wait=true` so Discord answers with the message (its id lets a later update edit it)."""
        params: dict[str, str] = {"wait": "true"}
        if message.thread_id:
            params["thread_id"] = message.thread_id
        body: dict[str, Any] = {"content": message.content, "allowed_mentions": {"parse": []}}
        if message.username:
            body["username"] = message.username
        try:
            response = self._client.post(self._url, params=params, json=body)
        except httpx.HTTPError as exc:
            raise DiscordError(f"Discord unreachable ({type(exc).__name__})") from None
        if response.status_code == 429:
            raise DiscordError("Discord rate limit", status=429, retry_after=_retry_after(response))
        if response.status_code >= 400:
            message_text, code = _error(response)
            raise DiscordError(message_text, status=response.status_code, code=code)
        try:
            return str(response.json()["id"])
        except (ValueError, KeyError, TypeError):
            raise DiscordError("Discord answered without a message id", status=response.status_code) from None


def _retry_after(response: httpx.Response) -> float | None:
    """The body's `retry_after` is the most precise; the headers are the fallback."""
    try:
        payload = response.json()
        if isinstance(payload, dict) and isinstance(payload.get("retry_after"), int | float):
            return max(float(payload["retry_after"]), 0.0)
    except ValueError:
        pass
    for header in ("retry-after", "x-ratelimit-reset-after"):
        seconds = retry_after_seconds(response.headers.get(header))
        if seconds is not None:
            return seconds
    return None


def _error(response: httpx.Response) -> tuple[str, int | None]:
    try:
        payload = response.json()
    except ValueError:
        return f"Discord answered {response.status_code}", None
    if isinstance(payload, dict):
        code = payload.get("code") if isinstance(payload.get("code"), int) else None
        return f"Discord {response.status_code}: {payload.get('message', 'error')}", code
    return f"Discord answered {response.status_code}", None
