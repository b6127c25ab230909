"""A Slack Web API on loopback for slack-sdk's `WebClient`, which speaks urllib, not httpx.

    with FakeSlack() as slack:
        client = WebClient(token=slack.token, base_url=slack.base_url)

Each call is judged against the Swagger extract of the Web API (method exists, every parameter
declared and well typed, required ones present) and recorded; a call that breaks it is answered
`invalid_arg_name` and listed in `violations`. Error codes the fake answers with are themselves
checked against the method's documented error enum, so the fake cannot invent Slack behaviour.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.spec import FailurePlan, Recorded, SwaggerFormSpec, load_spec

__all__ = ["FakeChannel", "FakeSlack", "signed_headers"]

_BOT_USER = "U0BOT00001"
_TOPIC_MAX = 250
_RATE_LIMITED = "ratelimited"


def signed_headers(body: bytes, secret: str, at: float, content_type: str) -> dict[str, str]:
    """The headers Slack sends with a request to us: its timestamp and `v0=` HMAC over the raw body."""
    timestamp = str(int(at))
    signature = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": timestamp, "x-slack-signature": signature, "content-type": content_type}


@dataclass
class FakeChannel:
    id: str
    name: str
    topic: str = ""
    archived: bool = False
    members: set[str] = field(default_factory=lambda: {_BOT_USER})
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    pins: list[str] = field(default_factory=list)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)


class _SlackFailure(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class FakeSlack:
    def __init__(self, token: str = "xoxb-test-token") -> None:
        self.token = token
        self.spec = SwaggerFormSpec(load_spec("slack-web-api-subset.openapi.json"))
        self.common_errors = set(load_spec("slack-reference.json")["key_error_codes"]["common"])
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.channels: dict[str, FakeChannel] = {}
        self.users_by_email: dict[str, str] = {}
        self.failures = FailurePlan()
        self._lock = threading.Lock()
        self._channel_ids = (f"C0{n:08d}" for n in itertools.count(1))
        self._ts = (f"{1762135200 + n}.000100" for n in itertools.count(1))
        self._server: ThreadingHTTPServer | None = None

    # --- test controls -------------------------------------------------------------------

    def add_user(self, email: str, user_id: str) -> None:
        self.users_by_email[email] = user_id

    def add_channel(self, name: str) -> FakeChannel:
        channel = FakeChannel(next(self._channel_ids), name)
        self.channels[channel.id] = channel
        return channel

    def fail_next(
        self, times: int = 1, *, error: str = _RATE_LIMITED, retry_after: int = 30, method: str | None = None
    ) -> None:
        """Answer the next `times` calls (of `method`, if given) with `error`; `ratelimited`
        comes as HTTP 429 with `Retry-After`, any other code as `ok: false`."""
        self.failures.add(times, only=method, error=error, retry_after=retry_after)

    def calls(self, method: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == f"/api/{method}"]

    # --- loopback server -----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_port}/api/"

    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, headers, payload = fake.handle(self.command, self.path, dict(self.headers), raw)
                data = json.dumps(payload).encode()
                self.send_response(status)
                for key, value in {**headers, "Content-Type": "application/json; charset=utf-8"}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- one request ---------------------------------------------------------------------

    def handle(
        self, http_method: str, target: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Answer one Web API call: (HTTP status, extra headers, JSON body)."""
        url = urlsplit(target)
        lowered = {k.lower(): v for k, v in headers.items()}
        is_json = lowered.get("content-type", "").startswith("application/json")
        params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if raw:
            body = (
                json.loads(raw)
                if is_json
                else {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
            )
            params.update(body)
        token = params.pop("token", None)
        with self._lock:
            self.requests.append(Recorded(http_method, url.path, lowered, {}, dict(params)))
            problems = self.spec.check(http_method, url.path, params, json_body=is_json)
            if problems:
                self.violations += problems
                return 200, {}, {"ok": False, "error": "invalid_arg_name", "warning": "; ".join(problems)}
            method = self.spec.method_name(url.path) or ""
            if lowered.get("authorization") != f"Bearer {self.token}" and token != self.token:
                return 200, {}, self._error(http_method, url.path, "invalid_auth")
            failure = self.failures.take(method)
            if failure is not None:
                if failure["error"] == _RATE_LIMITED:
                    return (
                        429,
                        {"Retry-After": str(failure["retry_after"])},
                        {"ok": False, "error": _RATE_LIMITED},
                    )
                return 200, {}, self._error(http_method, url.path, failure["error"])
            try:
                return 200, {}, {"ok": True, **self._dispatch(method, params)}
            except _SlackFailure as failed:
                return 200, {}, self._error(http_method, url.path, failed.code)

    def _error(self, http_method: str, path: str, code: str) -> dict[str, Any]:
        documented = set(self.spec.error_codes(http_method, path)) | self.common_errors
        if code not in documented:
            self.violations.append(f"fake answered {path} with undocumented error {code!r}")
        return {"ok": False, "error": code}

    def _dispatch(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        handlers = {
            "conversations.create": self._create,
            "conversations.setTopic": self._set_topic,
            "conversations.invite": self._invite,
            "conversations.archive": self._archive,
            "users.lookupByEmail": self._lookup,
            "chat.postMessage": self._post,
            "chat.postEphemeral": self._post_ephemeral,
            "pins.add": self._pin,
        }
        return handlers[method](params)

    def _channel(self, params: dict[str, Any], *, writable: bool = True) -> FakeChannel:
        channel = self.channels.get(str(params.get("channel", "")))
        if channel is None:
            raise _SlackFailure("channel_not_found")
        if writable and channel.archived:
            raise _SlackFailure("is_archived")
        return channel

    def _create(self, params: dict[str, Any]) -> dict[str, Any]:
        name = str(params.get("name", ""))
        if not name:
            raise _SlackFailure("invalid_name_required")
        if len(name) > 80:
            raise _SlackFailure("invalid_name_maxlength")
        if not re.fullmatch(r"[a-z0-9_-]+", name):
            raise _SlackFailure("invalid_name_specials")
        if any(channel.name == name for channel in self.channels.values()):
            raise _SlackFailure("name_taken")
        channel = self.add_channel(name)
        return {"channel": {"id": channel.id, "name": name, "is_channel": True, "creator": _BOT_USER}}

    def _set_topic(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        topic = str(params.get("topic", ""))
        if len(topic) > _TOPIC_MAX:
            raise _SlackFailure("too_long")
        channel.topic = topic
        return {"channel": {"id": channel.id, "topic": {"value": topic, "creator": _BOT_USER}}}

    def _invite(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        users = [u for u in str(params.get("users", "")).split(",") if u]
        if not users:
            raise _SlackFailure("no_user")
        if any(user not in self.users_by_email.values() for user in users):
            raise _SlackFailure("user_not_found")
        if any(user in channel.members for user in users):
            raise _SlackFailure("already_in_channel")
        channel.members.update(users)
        return {"channel": {"id": channel.id, "name": channel.name}}

    def _archive(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params, writable=False)
        if channel.archived:
            raise _SlackFailure("already_archived")
        channel.archived = True
        return {}

    def _lookup(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = self.users_by_email.get(str(params.get("email", "")))
        if user_id is None:
            raise _SlackFailure("users_not_found")
        return {"user": {"id": user_id, "profile": {"email": params["email"]}}}

    def _post(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        if not params.get("text") and not params.get("blocks"):
            raise _SlackFailure("no_text")
        ts = next(self._ts)
        channel.messages[ts] = {"ts": ts, "text": params.get("text"), "blocks": params.get("blocks")}
        return {"channel": channel.id, "ts": ts, "message": {"type": "message", **channel.messages[ts]}}

    def _post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        if not params.get("text") and not params.get("blocks"):
            raise _SlackFailure("no_text")
        user = str(params.get("user", ""))
        if user not in channel.members:
            raise _SlackFailure("user_not_in_channel")
        channel.ephemeral.append({"user": user, "text": params.get("text")})
        return {"message_ts": next(self._ts)}

    def _pin(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(params)
        ts = str(params.get("timestamp", ""))
        if not ts:
            raise _SlackFailure("no_item_specified")
        if ts not in channel.messages:
            raise _SlackFailure("message_not_found")
        if ts in channel.pins:
            raise _SlackFailure("already_pinned")
        channel.pins.append(ts)
        return {}
