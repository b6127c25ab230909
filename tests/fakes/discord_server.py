"""An in-process Discord webhook endpoint that judges each request against Discord's OpenAPI.

Use as `httpx.Client(transport=fake.transport)` with `fake.webhook_url`. The request body is
validated against `IncomingWebhookRequestPartial` (JSON Schema 2020-12, as the 3.1 spec is
written) plus the documented rules the schema cannot say (something to post; 6000 embed
characters); the fake's own answers are validated against `MessageResponse` and
`RatelimitedResponse`, so it cannot invent Discord behaviour. Problems land in `violations`.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.fakes.spec import FailurePlan, OpenAPISpec, Recorded, load_spec

__all__ = ["FakeDiscord"]

_SPEC = "discord-webhook-subset.openapi.json"
_EMBED_TOTAL_MAX = 6000
_PAYLOAD_FIELDS = ("content", "embeds", "components", "attachments", "poll")


def _validator(schema_name: str) -> Draft202012Validator:
    registry = Registry().with_resource("urn:discord", Resource.from_contents(load_spec(_SPEC), DRAFT202012))
    return Draft202012Validator({"$ref": f"urn:discord#/components/schemas/{schema_name}"}, registry=registry)


def _errors(validator: Draft202012Validator, instance: Any, where: str) -> list[str]:
    return [f"{where}/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


def _query_problems(operation: dict[str, Any], query: dict[str, list[str]]) -> list[str]:
    """Query strings carry text, so each value is judged in its typed form."""
    declared = {p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p["in"] == "query"}
    problems = []
    for name, values in query.items():
        schema = declared.get(name)
        if schema is None:
            problems.append(f"query {name}: not a parameter of execute_webhook")
            continue
        for raw in values:
            typed: Any = {"true": True, "false": False}.get(raw, raw) if schema.get("type") == "boolean" else raw
            problems += _errors(Draft202012Validator(schema), typed, f"query {name}")
    return problems


class FakeDiscord:
    def __init__(self, webhook_id: str = "1189417300000000001", token: str = "wh-token-abc") -> None:
        self.webhook_id = webhook_id
        self.token = token
        self.spec = OpenAPISpec(load_spec(_SPEC), base_path="/api/v10")
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.messages: list[dict[str, Any]] = []
        self.failures = FailurePlan()
        self._request_schema = _validator("IncomingWebhookRequestPartial")
        self._message_schema = _validator("MessageResponse")
        self._ratelimit_schema = _validator("RatelimitedResponse")
        self._error_schema = _validator("ErrorResponse")
        self._ids = (str(1189417400000000000 + n) for n in itertools.count(1))

    @property
    def webhook_url(self) -> str:
        return f"https://discord.com/api/v10/webhooks/{self.webhook_id}/{self.token}"

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def rate_limit_next(self, times: int = 1, *, retry_after: float = 1.5, header_only: bool = False) -> None:
        """Answer 429; `header_only` sends `Retry-After` without the body's `retry_after`."""
        self.failures.add(times, retry_after=retry_after, header_only=header_only)

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        query = {key: request.url.params.get_list(key) for key in request.url.params}
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), query, body))
        operation = self.spec.operation(request.method, request.url.path)
        if operation is None:
            return self._violation(f"{request.method} {request.url.path}: no such operation in the spec")
        problems = _query_problems(operation.spec, query)
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            problems.append("content type must be application/json")
        problems += _errors(self._request_schema, body, "body")
        problems += self._semantic_problems(body)
        if problems:
            self.violations += problems
            return self._answer(400, {"code": 50035, "message": "Invalid Form Body"}, self._error_schema)
        if operation.path_params != {"webhook_id": self.webhook_id, "webhook_token": self.token}:
            return self._answer(404, {"code": 10015, "message": "Unknown Webhook"}, self._error_schema)
        failure = self.failures.take("execute")
        if failure is not None:
            return self._rate_limited(failure["retry_after"], failure["header_only"])
        message = self._message(body or {})
        self.messages.append(message)
        if query.get("wait") == ["true"]:
            return self._answer(200, message, self._message_schema)
        return httpx.Response(204)

    def _semantic_problems(self, body: Any) -> list[str]:
        if not isinstance(body, dict):
            return []
        problems = []
        if not any(body.get(name) for name in _PAYLOAD_FIELDS):
            problems.append("body: needs at least one of content, embeds, components, attachments, poll")
        embed_chars = sum(
            len(str(embed.get(key) or "")) for embed in body.get("embeds") or [] for key in ("title", "description")
        )
        if embed_chars > _EMBED_TOTAL_MAX:
            problems.append(f"body/embeds: {embed_chars} characters, over {_EMBED_TOTAL_MAX}")
        return problems

    def _message(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": next(self._ids),
            "channel_id": "1189417200000000001",
            "type": 0,
            "content": body.get("content") or "",
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "timestamp": "2026-11-03T02:15:00.000000+00:00",
            "edited_timestamp": None,
            "flags": 0,
            "pinned": False,
            "mention_everyone": False,
            "tts": False,
            "webhook_id": self.webhook_id,
            "author": {
                "id": self.webhook_id,
                "username": body.get("username") or "warroom",
                "avatar": None,
                "discriminator": "0000",
                "public_flags": 0,
                "flags": 0,
                "bot": True,
                "global_name": None,
                "primary_guild": None,
            },
        }

    def _rate_limited(self, retry_after: float, header_only: bool) -> httpx.Response:
        headers = {
            "Retry-After": str(retry_after),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": str(retry_after),
            "X-RateLimit-Bucket": "fake-bucket",
            "X-RateLimit-Scope": "shared",
        }
        if header_only:
            return httpx.Response(429, headers=headers)
        body = {"code": 0, "message": "You are being rate limited.", "retry_after": retry_after, "global": False}
        return self._answer(429, body, self._ratelimit_schema, headers)

    def _answer(
        self, status: int, body: dict[str, Any], schema: Draft202012Validator, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        self.violations += [f"fake response: {p}" for p in _errors(schema, body, "response")]
        return httpx.Response(status, json=body, headers=headers)

    def _violation(self, problem: str) -> httpx.Response:
        self.violations.append(problem)
        return httpx.Response(404, json={"code": 0, "message": "404: Not Found"})
