"""The Slack war room: one channel per incident, opened, staffed, pinned and archived.

Built on slack-sdk's `WebClient`, so tests point it at a fake through `base_url`. Every call is
safe to repeat from the outbox: "already done" answers (`already_in_channel`, `already_pinned`,
`already_archived`) count as success, and a message carries our mark as message metadata so a
retry can find what an earlier attempt posted (`find_marked`) instead of posting it twice. Slack signals errors in the body (`ok: false`), except rate
limiting (HTTP 429 + `Retry-After`); both become `SlackError`, and the outbox does the retrying.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse

from tools.retry_after import retry_after_seconds
from warroom.redaction import redact_secrets

__all__ = [
    "SIGNATURE_WINDOW_SECONDS",
    "SlackError",
    "SlackSignatureError",
    "SlackWarRoom",
    "channel_name",
    "slack_escape",
    "verify_slack_signature",
]

SIGNATURE_WINDOW_SECONDS = 300
_MAX_TIMESTAMP_DIGITS = 12
METADATA_EVENT = "warroom_message"
HISTORY_LOOKBACK = 200
"""Messages read back when checking whether an earlier attempt arrived (a war room is small)."""
_MAX_NAME = 80
_MAX_NAME_ATTEMPTS = 20
_PER_PERSON_REFUSALS = frozenset(
    {"already_in_channel", "user_not_found", "cant_invite", "cant_invite_self", "user_is_restricted", "user_disabled"}
)
"""conversations.invite answers about one of the people, not about the channel or the call."""
_BLOCK_TEXT_LIMIT = 3_000
"""The most a Block Kit section text may hold."""
log = logging.getLogger(__name__)


def slack_escape(text: str) -> str:
    """Text as Slack must receive it: it reads `<…>` as mentions and links (`<!channel>` would
    notify everyone, `<https://x|click>` hides a link) and `&` as the start of an entity. Alert
    titles, tag values and people's notes reach the war room, so every text we send is escaped;
    Slack shows the characters as written. A credential an alert quotes (the key an exposure alert
    found) is replaced by its kind: a chat workspace keeps history and has more readers than the
    incident page, which still shows the alert as it came."""
    return _escape(redact_secrets(text))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escaped_blocks(value: Any) -> Any:
    """Block Kit with every `mrkdwn` text escaped, every text without credentials (a draft's body rides
    in a `plain_text` one, never parsed for mentions) and cut to Slack's 3,000 characters after that,
    so that a cut never leaves a key's head unrecognised."""
    if isinstance(value, list):
        return [_escaped_blocks(v) for v in value]
    if isinstance(value, dict):
        kind, text = value.get("type"), value.get("text")
        if kind in ("mrkdwn", "plain_text") and isinstance(text, str):
            shown = redact_secrets(text)[:_BLOCK_TEXT_LIMIT]
            return {**value, "text": _escape(shown) if kind == "mrkdwn" else shown}
        return {k: _escaped_blocks(v) for k, v in value.items()}
    return value


class SlackError(Exception):
    """Slack refused a call: `error_code` is Slack's own (`name_taken`, `ratelimited`, ...);
    `retry_after` is set when Slack said how long to wait."""

    def __init__(
        self,
        message: str,
        error_code: str | None = None,
        retry_after: float | None = None,
        *,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.retry_after = retry_after
        self.status = status


class SlackSignatureError(Exception):
    """A request claiming to come from Slack is unsigned, wrongly signed or outside the window."""


def channel_name(opened_at: datetime, title: str) -> str:
    """`inc-YYYY-MM-DD-<slug>`: lower-case ASCII letters, digits and hyphens, at most 80 chars."""
    ascii_title = unicodedata.normalize("NFKD", redact_secrets(title)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    name = f"inc-{opened_at:%Y-%m-%d}" + (f"-{slug}" if slug else "")
    return name[:_MAX_NAME].rstrip("-")


def _with_suffix(name: str, attempt: int) -> str:
    suffix = f"-{attempt}"
    return name[: _MAX_NAME - len(suffix)].rstrip("-") + suffix


def verify_slack_signature(body: bytes, timestamp: str, signature: str, secret: str, now: float) -> None:
    """Check `X-Slack-Signature` over the raw body; replays older or newer than 5 minutes fail.
    Any header text is refused cleanly: unix seconds are at most 12 ASCII digits (a 400-digit
    number overflows a float), and the signature is compared as bytes."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= _MAX_TIMESTAMP_DIGITS):
        raise SlackSignatureError("missing or malformed X-Slack-Request-Timestamp")
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        raise SlackSignatureError("request timestamp outside the 5-minute window")
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), (signature or "").encode("utf-8", "surrogateescape")):
        raise SlackSignatureError("signature does not match")


def _header(response: SlackResponse, name: str) -> str | list[str] | None:
    """slack-sdk keeps the headers as urllib gave them: any case, sometimes a list."""
    headers = response.headers or {}
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


class SlackWarRoom:
    """War-room operations on one workspace, as the bot the client's token belongs to."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def open_channel(self, name: str) -> str:
        """Create the channel, taking `name-2`, `name-3`, ... while the name is taken; returns its id."""
        for attempt in range(1, _MAX_NAME_ATTEMPTS + 1):
            candidate = name if attempt == 1 else _with_suffix(name, attempt)
            try:
                response = self._call(self._client.conversations_create, name=candidate)
            except SlackError as exc:
                if exc.error_code == "name_taken":
                    continue
                raise
            assert response is not None
            return str(response["channel"]["id"])
        raise SlackError(f"no free channel name after {_MAX_NAME_ATTEMPTS} tries of {name}", "name_taken")

    def set_topic(self, channel: str, text: str) -> None:
        self._call(self._client.conversations_setTopic, channel=channel, topic=slack_escape(text))

    def invite(self, channel: str, user_ids: Sequence[str]) -> None:
        """Add people; those already there are fine. Slack refuses a whole batch when one member
        is already in or cannot be invited, so that answer falls back to one invitation per
        person: a mistyped `slack_id` in the configuration costs that person's invitation (and a
        log line), never the war room."""
        if not user_ids:
            return
        invite = self._client.conversations_invite
        done = self._call(invite, ignore=_PER_PERSON_REFUSALS, channel=channel, users=list(user_ids))
        if done is not None:
            return
        for user_id in user_ids:
            try:
                self._call(invite, ignore={"already_in_channel"}, channel=channel, users=[user_id])
            except SlackError as exc:
                if exc.error_code not in _PER_PERSON_REFUSALS:
                    raise
                log.warning("could not invite Slack user %s to %s: %s", user_id, channel, exc.error_code)

    def lookup_user_ids(self, emails: Iterable[str]) -> dict[str, str]:
        """Slack user ids by email; people without a Slack account are left out."""
        found: dict[str, str] = {}
        for email in emails:
            response = self._call(self._client.users_lookupByEmail, ignore={"users_not_found"}, email=email)
            if response is not None:
                found[email] = str(response["user"]["id"])
        return found

    def post(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None, mark: str | None = None) -> str:
        """Post a message; returns its `ts`, the id Slack uses to pin or update it. A `mark` rides
        along as message metadata, for `find_marked` to recognise the message later."""
        kwargs: dict[str, Any] = {"channel": channel, "text": slack_escape(text)}
        if blocks is not None:
            kwargs["blocks"] = _escaped_blocks(blocks)
        if mark is not None:
            kwargs["metadata"] = {"event_type": METADATA_EVENT, "event_payload": {"mark": mark}}
        response = self._call(self._client.chat_postMessage, **kwargs)
        assert response is not None
        return str(response["ts"])

    def find_marked(self, channel: str, mark: str) -> str | None:
        """The `ts` of a recent message carrying `mark` (an earlier attempt that arrived), if any."""
        response = self._call(
            self._client.conversations_history, channel=channel, include_all_metadata=True, limit=HISTORY_LOOKBACK
        )
        assert response is not None
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and (metadata.get("event_payload") or {}).get("mark") == mark
            ):
                return str(message["ts"])
        return None

    def find_channel(self, name: str) -> str | None:
        """The id of the unarchived public channel called exactly `name`, if there is one."""
        response = self._call(
            self._client.conversations_list, exclude_archived=True, types="public_channel", limit=1000
        )
        assert response is not None
        for channel in response.get("channels") or []:
            if channel.get("name") == name:
                return str(channel["id"])
        return None

    def post_ephemeral(self, channel: str, user: str, text: str) -> None:
        """A message only `user` sees in `channel` (why what they asked for was refused); someone
        who has left the channel since is not told."""
        self._call(
            self._client.chat_postEphemeral,
            ignore={"user_not_in_channel"},
            channel=channel,
            user=user,
            text=slack_escape(text),
        )

    def pin(self, channel: str, ts: str) -> None:
        self._call(self._client.pins_add, ignore={"already_pinned"}, channel=channel, timestamp=ts)

    def archive(self, channel: str) -> None:
        self._call(self._client.conversations_archive, ignore={"already_archived"}, channel=channel)

    @staticmethod
    def _call(
        method: Callable[..., SlackResponse],
        *,
        ignore: set[str] | frozenset[str] = frozenset(),
        **kwargs: Any,
    ) -> SlackResponse | None:
        """Run one Web API method; an ignored error code returns None instead of raising."""
        try:
            return method(**kwargs)
        except SlackApiError as exc:
            code = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            if code in ignore:
                return None
            status = exc.response.status_code
            retry_after = retry_after_seconds(_header(exc.response, "Retry-After")) if status == 429 else None
            raise SlackError(f"slack {method.__name__}: {code or status}", code, retry_after, status=status) from exc
        except (SlackClientError, OSError) as exc:
            raise SlackError(f"slack {method.__name__}: {exc}") from exc
