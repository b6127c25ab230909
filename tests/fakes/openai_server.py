"""A real OpenAI-compatible server on loopback, so the real `ChatOpenAI` client is under test.

`FakeOpenAI()` serves `/v1/chat/completions` from a background uvicorn thread on a free port.
Tests program it with a `responder` (request JSON -> chat.completion body; `reply`,
`json_reply` and `tool_reply` build those), make it fail with `fail_next`, or hold answers back
with `delay` to drive client timeouts. Every request body is recorded in `.requests`.
`investigator` is a scripted tool-calling model for the investigation: it asks for the tools it is
given, one per turn, then reports the first look it was shown plus what it read.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

import anyio
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

__all__ = ["FakeOpenAI", "Responder", "investigator", "json_reply", "reply", "tool_reply", "tool_requests"]

Responder = Callable[[dict[str, Any]], dict[str, Any]]
_ids = itertools.count(1)


def reply(
    content: str | None = "ok",
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    model: str = "fake-model",
) -> dict[str, Any]:
    """A complete chat.completion body with one choice."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": f"chatcmpl-fake-{next(_ids)}",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if tool_calls else "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def json_reply(value: object, *, model: str = "fake-model") -> dict[str, Any]:
    """Structured output as `response_format: json_schema` returns it: JSON in the content."""
    return reply(json.dumps(value), model=model)


def tool_reply(name: str, arguments: dict[str, Any], *, model: str = "fake-model") -> dict[str, Any]:
    """One function call, as `tool_choice` / function-calling structured output returns it."""
    call = {
        "id": f"call_fake_{next(_ids)}",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }
    return reply(None, tool_calls=[call], model=model)


def tool_requests(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The requests that offered tools (the investigation's turns)."""
    return [r for r in requests if r.get("tools")]


def _delimited(text: str) -> Any:
    """The JSON between the first `<<<UNTRUSTED …>>>` marker line and its end marker."""
    body = text.split(">>>\n", 1)[1].rsplit("\n<<<END UNTRUSTED", 1)[0]
    return json.loads(body)


def _citations(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["citation"]] if isinstance(value.get("citation"), str) else []
        return own + [c for v in value.values() for c in _citations(v)]
    if isinstance(value, list):
        return [c for v in value for c in _citations(v)]
    return []


def investigator(
    tools: list[tuple[str, dict[str, Any]]],
    *,
    extra_claims: list[dict[str, Any]] | None = None,
) -> Responder:
    """A model that calls `tools` (name, arguments) one per turn, then reports: the first look's
    hypothesis and claims from its opening message, a claim citing the first id a tool returned,
    and `extra_claims` as given (to plant an uncited or invented one). Forced to report
    (`tool_choice`), it reports at once. Requests without tools (severity, wording) get an empty
    answer, so the rules and templates stand."""

    def respond(body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("tools"):
            return reply("")
        messages = body["messages"]
        done = sum(m["role"] == "tool" for m in messages)
        forced = isinstance(body.get("tool_choice"), dict)
        if done < len(tools) and not forced:
            name, arguments = tools[done]
            return tool_reply(name, arguments)
        opening = next(m["content"] for m in messages if m["role"] == "user")
        look = _delimited(opening[opening.index("<<<UNTRUSTED first_look>>>") :])
        claims = list(look.get("claims", []))
        returned = [_citations(_delimited(m["content"])) for m in messages if m["role"] == "tool"]
        first = next((ids[0] for ids in returned if ids), None)
        if first is not None:
            claims.append({"text": f"The tools returned {first}.", "citations": [first]})
        claims += extra_claims or []
        report = {
            "hypothesis": look.get("hypothesis", "unknown"),
            "confidence": "medium",
            "claims": claims,
            "next_checks": ["Check the scripted model's reasoning."],
        }
        return tool_reply("report_finding", report)

    return respond


class FakeOpenAI:
    """Context manager running the fake; `base_url` is what `ChatOpenAI(base_url=...)` takes."""

    def __init__(self, responder: Responder | None = None) -> None:
        self.responder: Responder = responder or (lambda _request: reply())
        self.requests: list[dict[str, Any]] = []
        self.delay: float = 0.0
        self.delay_for: Callable[[dict[str, Any]], float] | None = None
        """Per-request delay (seconds) instead of `delay`, e.g. only for requests offering tools."""
        self._failures: list[tuple[int, dict[str, str]]] = []
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    def fail_next(self, status: int, n: int = 1, *, retry_after_ms: int | None = 10) -> None:
        """Answer the next `n` requests with `status` and an OpenAI-style error body.

        `retry_after_ms` is sent as the `retry-after-ms` header the openai client honours, so
        its retries in tests take milliseconds, not its default backoff.
        """
        headers = {} if retry_after_ms is None else {"retry-after-ms": str(retry_after_ms)}
        with self._lock:
            self._failures.extend([(status, headers)] * n)

    def __enter__(self) -> FakeOpenAI:
        # Listening before the server thread starts means clients can connect at once: the
        # kernel queues them until uvicorn accepts, so nobody waits for start-up.
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        port = self._socket.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        config = uvicorn.Config(self._app(), lifespan="off", log_level="warning", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._released.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat_completions(request: Request) -> JSONResponse:
            try:
                body = await request.json()
            except ValueError:
                return _error(400, "request body is not JSON")
            self.requests.append(body)
            delay = self.delay_for(body) if self.delay_for is not None and isinstance(body, dict) else self.delay
            if delay:
                await anyio.to_thread.run_sync(self._released.wait, delay)
            with self._lock:
                failure = self._failures.pop(0) if self._failures else None
            if failure is not None:
                status, headers = failure
                return _error(status, "injected failure", headers)
            if not isinstance(body, dict) or "model" not in body or not body.get("messages"):
                return _error(400, "'model' and 'messages' are required")
            if body.get("stream"):
                return _error(400, "the fake does not stream")
            return JSONResponse(self.responder(body))

        return app


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    kind = "invalid_request_error" if status < 500 else "server_error"
    payload = {"error": {"message": message, "type": kind, "param": None, "code": None}}
    return JSONResponse(payload, status_code=status, headers=headers)
