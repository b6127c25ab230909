"""X (Twitter) API v2 `POST /2/tweets`, posting as the company account with a user token.

The token is an OAuth 2.0 user-context access token (app-only tokens cannot post). A 429 is
raised as `XError` with `retry_after` from `x-rate-limit-reset`, for the outbox to honour.
"""

from __future__ import annotations

from typing import Protocol

import httpx
from pydantic import BaseModel, Field, field_validator

from tools.retry_after import retry_after_seconds, seconds_until
from warroom.channels import X_MAX_LENGTH, x_weighted_length
from warroom.clock import Clock, SystemClock

__all__ = ["XClient", "XError", "XPost", "XPoster"]


class XPost(BaseModel):
    text: str = Field(min_length=1)
    in_reply_to: str | None = Field(default=None, pattern=r"^[0-9]{1,19}$")

    @field_validator("text")
    @classmethod
    def _fits(cls, text: str) -> str:
        if x_weighted_length(text) > X_MAX_LENGTH:
            raise ValueError(f"post is {x_weighted_length(text)} weighted characters; X allows {X_MAX_LENGTH}")
        return text


class XError(Exception):
    """X refused or failed a request; `retry_after` (seconds) is set on 429."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class XPoster(Protocol):
    def post(self, post: XPost) -> str:
        """Publish; returns the new post's id."""
        ...


class XClient:
    def __init__(
        self,
        client: httpx.Client,
        user_token: str,
        *,
        base_url: str = "https://api.x.com",
        clock: Clock | None = None,
    ) -> None:
        self._client = client
        self._token = user_token
        self._base_url = base_url.rstrip("/")
        self._clock = clock or SystemClock()

    def post(self, post: XPost) -> str:
        body: dict[str, object] = {"text": post.text}
        if post.in_reply_to:
            body["reply"] = {"in_reply_to_tweet_id": post.in_reply_to}
        try:
            response = self._client.post(
                f"{self._base_url}/2/tweets",
                json=body,
                headers={"Authorization": f"Bearer {self._token}"},
            )
        except httpx.HTTPError as exc:
            raise XError(f"X unreachable: {exc}") from exc
        if response.status_code == 429:
            raise XError("X rate limit", status=429, retry_after=self._retry_after(response))
        if response.status_code >= 400:
            raise XError(_problem(response), status=response.status_code)
        try:
            return str(response.json()["data"]["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise XError("X answered without data.id", status=response.status_code) from exc

    def _retry_after(self, response: httpx.Response) -> float | None:
        seconds = retry_after_seconds(response.headers.get("retry-after"))
        if seconds is None:
            seconds = seconds_until(response.headers.get("x-rate-limit-reset"), self._clock.now())
        return seconds


def _problem(response: httpx.Response) -> str:
    """X errors are RFC 7807 problems (`title`, `detail`) or `{"errors": [...]}`."""
    try:
        payload = response.json()
    except ValueError:
        return f"X answered {response.status_code}"
    if isinstance(payload, dict):
        if payload.get("detail") or payload.get("title"):
            return str(payload.get("detail") or payload.get("title"))
        errors = payload.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("detail") or errors[0].get("message") or errors[0])
    return f"X answered {response.status_code}"
