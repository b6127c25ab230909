"""The contract every alert source module follows, the errors it may raise, and the helpers
that fit what a source sent into an `Alert`.

Each source module exposes::

    ACCEPT_UNREADABLE: bool
        # True when the source punishes a 4xx (PagerDuty disables a subscription after three
        # dropped deliveries; Sentry disables an integration that keeps failing): an authentic
        # delivery that cannot be read is then quarantined and answered 202, else 400/422
    def verify(body: bytes, headers: Mapping[str, str], secret: str | None) -> None
        # raises SignatureError when the request is not authentic
    def normalise(payload: Any, headers: Mapping[str, str], received_at: datetime) -> list[Alert]
        # raises PayloadError (-> quarantined, 422 naming the field) or Ignored (-> 202 with the reason)

`payload` is the already-parsed JSON body (`warroom.untrusted.parse_json`: depth-limited, text
normalised); verification always runs on the raw bytes first.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from warroom.alerts.models import (
    MAX_ACCOUNT,
    MAX_EMAIL,
    MAX_ENDPOINT,
    MAX_EVENT_TYPE,
    MAX_IP,
    MAX_LABEL,
    MAX_LEVEL,
    MAX_MESSAGE,
    MAX_NAME,
    MAX_TITLE,
    MAX_URL,
    AffectedUser,
    Alert,
    Link,
    bounded_key,
)
from warroom.untrusted import MAX_COUNT, as_utc

__all__ = [
    "Ignored",
    "PayloadError",
    "SignatureError",
    "error_path",
    "field",
    "hmac_sha256_hex",
    "links_to",
    "make_alert",
    "make_user",
    "parse_time",
    "secrets_equal",
    "verify_bearer",
]

_CUT = {
    "title": MAX_TITLE,
    "message": MAX_MESSAGE,
    "event_type": MAX_EVENT_TYPE,
    "service": MAX_NAME,
    "environment": MAX_NAME,
    "endpoint": MAX_ENDPOINT,
    "level": MAX_LEVEL,
    "source_ref": MAX_NAME,
}


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


def secrets_equal(supplied: str, expected: str) -> bool:
    """Constant-time, and safe for any header text: `hmac.compare_digest` raises on non-ASCII `str`."""
    return hmac.compare_digest(supplied.encode("utf-8", "surrogateescape"), expected.encode())


def verify_bearer(headers: Mapping[str, str], token: str | None) -> None:
    """For sources that cannot sign (Alertmanager, Grafana, Datadog): a shared bearer token."""
    if not token:
        raise SignatureError("WARROOM_WEBHOOK_TOKEN is not set; refusing unauthenticated webhooks")
    supplied = headers.get("authorization", "")
    scheme, _, value = supplied.partition(" ")
    if scheme.lower() != "bearer" or not secrets_equal(value.strip(), token):
        raise SignatureError("missing or wrong bearer token")


def make_alert(**fields: Any) -> Alert:
    """An `Alert` from what a source sent, fitted to what is stored (the raw payload keeps it all):
    keys are `bounded_key`s; names and texts are cut to their column; a runbook URL too long to
    be one is dropped (links come from `links_to`); counts are clamped into range (a negative user count says
    nothing). What still does not validate is a `PayloadError` naming the field."""
    for name in ("delivery_key", "dedup_key"):
        fields[name] = bounded_key(fields[name])
    for name, limit in _CUT.items():
        if isinstance(fields.get(name), str):
            fields[name] = fields[name][:limit]
    fields["event_count"] = min(max(fields.get("event_count", 1), 1), MAX_COUNT)
    users = fields.get("users_affected")
    fields["users_affected"] = min(users, MAX_COUNT) if users is not None and users >= 0 else None
    if fields.get("runbook_url") and len(fields["runbook_url"]) > MAX_URL:
        fields["runbook_url"] = None
    try:
        return Alert.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise PayloadError(error_path(error["loc"]), error["msg"]) from exc


def links_to(label: str, url: Any) -> list[Link]:
    """`[Link]` when `url` is text short enough to be a URL, else `[]` (what it points to is
    checked where it is shown: only http(s) becomes a link)."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        return []
    return [Link(label=label[:MAX_LABEL], url=url)]


def make_user(*, id: str | None, email: str | None, ip_address: str | None, account: str | None) -> AffectedUser | None:
    """Who the source says was affected, or None when it names nobody. An id too long for its
    column is a `bounded_key`; an email, IP address or account too long to be one is dropped."""
    user = AffectedUser(
        id=bounded_key(id) if id else None,
        email=email if email and len(email) <= MAX_EMAIL else None,
        ip_address=ip_address if ip_address and len(ip_address) <= MAX_IP else None,
        account=account if account and len(account) <= MAX_ACCOUNT else None,
    )
    return user if user.key else None


def error_path(loc: tuple[int | str, ...]) -> str:
    """Pydantic's `("links", 0, "url")` -> `links[0].url`; the whole body -> `body`."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


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
    """ISO-8601 strings or epoch seconds to an aware UTC datetime, clamped into the storable
    range (year 9999 at -14:00 is past what a datetime holds in UTC)."""
    if value is None or value == "":
        if default is None:
            raise PayloadError(path, "is required")
        return default
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return as_utc(datetime.fromtimestamp(value, UTC))
        text = str(value).strip().replace("Z", "+00:00")
        return as_utc(datetime.fromisoformat(text))
    except (ValueError, OverflowError, OSError) as exc:
        raise PayloadError(path, f"not a timestamp: {str(value)[:64]!r}") from exc
