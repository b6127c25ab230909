"""The contract every alert source module follows, and the errors it may raise.

Each source module exposes::

    def verify(body: bytes, headers: Mapping[str, str], secret: str | None) -> None
        # raises SignatureError when the request is not authentic
    def normalise(payload: Any, headers: Mapping[str, str], received_at: datetime) -> list[Alert]
        # raises PayloadError (-> 422 naming the field) or Ignored (-> 202 with the reason)

`payload` is the already-parsed JSON body; verification always runs on the raw bytes first.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "Ignored",
    "PayloadError",
    "SignatureError",
    "field",
    "hmac_sha256_hex",
    "parse_time",
    "verify_bearer",
]


class SignatureError(Exception):
    """The request is not from who it claims to be (-> 401)."""


class PayloadError(ValueError):
    """The body is JSON but not the shape the source sends (-> 422 naming the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Ignored(Exception):
    """A well-formed event we deliberately do not turn into an alert (-> 202 with the reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def hmac_sha256_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_bearer(headers: Mapping[str, str], token: str | None) -> None:
    """For sources that cannot sign (Alertmanager, Grafana, Datadog): a shared bearer token."""
    if not token:
        raise SignatureError("WARROOM_WEBHOOK_TOKEN is not set; refusing unauthenticated webhooks")
    supplied = headers.get("authorization", "")
    scheme, _, value = supplied.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip(), token):
        raise SignatureError("missing or wrong bearer token")


def field(payload: Any, path: str, kind: type | tuple[type, ...] = object, *, required: bool = True) -> Any:
    """Fetch `a.b.c` from nested dicts, raising PayloadError that names the missing field."""
    current = payload
    walked: list[str] = []
    for part in path.split("."):
        walked.append(part)
        if not isinstance(current, dict):
            raise PayloadError(".".join(walked[:-1]) or "body", "expected an object")
        if part not in current or current[part] is None:
            if required:
                raise PayloadError(".".join(walked), "is required")
            return None
        current = current[part]
    if kind is not object and not isinstance(current, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise PayloadError(path, f"expected {names}")
    return current


def parse_time(value: Any, path: str, default: datetime | None = None) -> datetime:
    """ISO-8601 strings or epoch seconds to an aware UTC datetime."""
    if value is None or value == "":
        if default is None:
            raise PayloadError(path, "is required")
        return default
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC)
        text = str(value).strip().replace("Z", "+00:00")
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError) as exc:
        raise PayloadError(path, f"not a timestamp: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
