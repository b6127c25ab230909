"""An in-process X API v2 that accepts `POST /2/tweets` the way docs.x.com documents it.

There is no X spec in `tests/specs/` (none was published with provenance), so the request schema below is transcribed from the
"Create or Edit Post" reference (https://docs.x.com/x-api/posts/creation-of-a-post): a JSON
object of known fields, ids as 1–19 digit strings. The fake also applies the documented
behaviour the schema cannot say: a user-context Bearer token, the 280 weighted-character limit
(403), duplicate text (403), and 429 with `x-rate-limit-reset` (epoch seconds).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx
from jsonschema import Draft202012Validator

from tests.fakes.spec import FailurePlan, Recorded
from warroom.channels import X_MAX_LENGTH, x_weighted_length

__all__ = ["FakeX"]

_ID = {"type": "string", "pattern": "^[0-9]{1,19}$"}
CREATE_POST_REQUEST: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "text": {"type": "string"},
        "card_uri": {"type": "string"},
        "community_id": _ID,
        "direct_message_deep_link": {"type": "string"},
        "for_super_followers_only": {"type": "boolean"},
        "geo": {"type": "object", "properties": {"place_id": {"type": "string"}}},
        "media": {
            "type": "object",
            "required": ["media_ids"],
            "properties": {
                "media_ids": {"type": "array", "items": _ID, "minItems": 1, "maxItems": 4},
                "tagged_user_ids": {"type": "array", "items": _ID},
            },
        },
        "nullcast": {"type": "boolean"},
        "quote_tweet_id": _ID,
        "reply": {
            "type": "object",
            "required": ["in_reply_to_tweet_id"],
            "additionalProperties": False,
            "properties": {
                "in_reply_to_tweet_id": _ID,
                "auto_populate_reply_metadata": {"type": "boolean"},
                "exclude_reply_user_ids": {"type": "array", "items": _ID},
            },
        },
        "reply_settings": {"enum": ["following", "mentionedUsers", "subscribers", "verified"]},
    },
    "anyOf": [{"required": ["text"]}, {"required": ["media"]}],
}


class FakeX:
    def __init__(self, user_token: str = "x-user-token") -> None:
        self.user_token = user_token
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.posts: dict[str, dict[str, Any]] = {}
        self.failures = FailurePlan()
        self._validator = Draft202012Validator(CREATE_POST_REQUEST)
        self._ids = (str(1853000000000000000 + n) for n in itertools.count(1))

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def rate_limit_next(self, times: int = 1, *, reset_at: float) -> None:
        self.failures.add(times, reset_at=reset_at)

    def handle(self, request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.content) if request.content else None
        except ValueError:
            body = request.content.decode(errors="replace")
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), {}, body))
        if (request.method, request.url.path) != ("POST", "/2/tweets"):
            self.violations.append(f"{request.method} {request.url.path}: not the create-post endpoint")
            return _problem(404, "Not Found Error", "Not found")
        if request.headers.get("authorization") != f"Bearer {self.user_token}":
            return _problem(401, "Unauthorized", "Unauthorized")
        problems = [
            f"body/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in self._validator.iter_errors(body)
        ]
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            problems.append("content type must be application/json")
        if problems:
            self.violations += problems
            return _problem(400, "Invalid Request", "; ".join(problems))
        failure = self.failures.take("post")
        if failure is not None:
            return _problem(
                429,
                "Too Many Requests",
                "Too Many Requests",
                headers={
                    "x-rate-limit-limit": "100",
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": str(int(failure["reset_at"])),
                },
            )
        text = body.get("text", "")
        if x_weighted_length(text) > X_MAX_LENGTH:
            return _problem(403, "Forbidden", "Your Tweet text is too long.")
        if any(post["text"] == text for post in self.posts.values()):
            return _problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        post_id = next(self._ids)
        self.posts[post_id] = body
        return httpx.Response(201, json={"data": {"id": post_id, "text": text}})


def _problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        headers=headers,
        json={"title": title, "detail": detail, "type": "about:blank", "status": status},
    )
