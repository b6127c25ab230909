"""What every untrusted input passes before anything is built from it: JSON parsed within a depth
limit, text normalised so every database can store it, instants clamped into the storable range,
and URLs that may become links (only http and https: `javascript:` in an alert stays text).

Promises: `parse_json` raises `MalformedJSON` (and nothing else) for any body; what it returns
holds no NUL character, no lone surrogate and no non-finite number. Both databases refuse those
(PostgreSQL `text`/`jsonb` refuse NUL, UTF-8 has no lone surrogates), so one would otherwise fail
a whole delivery with a 500. The pre-scan is cheap because it is C work on the bytes: a body with
fewer brackets than the limit is not scanned at all, and the text walk runs only when the body
holds a `\\u0000` or surrogate escape.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import orjson

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_COUNT",
    "MAX_ID",
    "MAX_JSON_DEPTH",
    "MalformedJSON",
    "as_utc",
    "clean_json",
    "clean_text",
    "http_url",
    "parse_json",
]

MAX_JSON_DEPTH = 64
MAX_ID = 2**63 - 1
MAX_COUNT = 2**31 - 1
# A day inside what Python can represent, so an instant read back in any server time zone
# (PostgreSQL answers in its own) still is a Python datetime.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_NUMBER = b"0" * 19
"""Past 64 bits orjson reads an integer as a float; `json` keeps it exact."""


class MalformedJSON(ValueError):
    """The body is not JSON warroom will read (-> 400, or quarantine when it was signed)."""


def clean_text(text: str) -> str:
    """NUL removed, lone surrogates replaced by U+FFFD; everything else kept as sent."""
    if not _UNSTORABLE.search(text):
        return text
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


def clean_json(value: Any) -> Any:
    """`clean_text` applied to every string of a parsed JSON value, keys included."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key): clean_json(item) for key, item in value.items()}
    return value


def parse_json(body: bytes) -> Any:
    """A JSON body as Python values: UTF-8, nested at most `MAX_JSON_DEPTH` deep, finite numbers.

    orjson reads it when it can (a quarter of `json`'s time, on the path every webhook takes);
    whatever orjson refuses, and any integer of 19 digits or more (which orjson turns into a
    float), is read by `json` as before, so the values and every refusal's words are the same."""
    if _LONG_NUMBER not in body.translate(_DIGITS_AS_ZERO):
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
        else:
            _check_depth(body)
            return clean_json(value) if _SUSPECT_ESCAPE.search(body) else value
    return parse_json_slowly(body)


def parse_json_slowly(body: bytes) -> Any:
    """`parse_json` with the standard library alone: the reference its fast path is held to."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedJSON(f"body is not UTF-8: {exc.reason} at byte {exc.start}") from exc
    _check_depth(body)
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except ValueError as exc:
        raise MalformedJSON(f"body is not JSON: {exc}") from exc
    return clean_json(value) if _SUSPECT_ESCAPE.search(body) else value


def as_utc(value: datetime) -> datetime:
    """Aware (naive means UTC), in UTC, and clamped into `EARLIEST`..`LATEST`."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        instant = aware.astimezone(UTC)
    except OverflowError:
        return LATEST if aware.year > 1 else EARLIEST
    return min(max(instant, EARLIEST), LATEST)


def http_url(value: Any) -> str | None:
    """`value` when it is an absolute http(s) URL with a host, else None (a link's `href` only)."""
    if not isinstance(value, str):
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return value.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _check_depth(raw: bytes) -> None:
    """Each round strips the innermost `[]`/`{}` pairs (strings removed first), so a document
    `MAX_JSON_DEPTH` deep is empty after that many rounds; anything left is too deep, or, when a
    round strips nothing, not JSON at all (json's own recursion would fail before saying so)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    for _ in range(MAX_JSON_DEPTH):
        if not brackets:
            return
        inner = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if len(inner) == len(brackets):
            raise MalformedJSON("body is not JSON: unbalanced brackets")
        brackets = inner
    if brackets:
        raise MalformedJSON(f"body is nested deeper than {MAX_JSON_DEPTH} levels")


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"{text[:40]} is too large for a number")
    return number
