"""How an operator sees warroom itself: timestamped (optionally JSON) logs at
`WARROOM_LOG_LEVEL`, and warroom's own errors reported to Sentry when a DSN is set.

Sentry gets no personal data and no credentials: `send_default_pii` stays off, the SDK's scrubber
drops secret-looking keys, request bodies (alert payloads carry customers' addresses) are removed,
stack frames go without their local variables (an alert being handled is one), and the text that is
left (exception messages, log lines, breadcrumbs) has credentials (`warroom.redaction`) and email
addresses taken out before sending."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

import sentry_sdk
from sentry_sdk.scrubber import EventScrubber

from warroom.redaction import EMAIL_ADDRESS, redact_secrets
from warroom.settings import Settings, secret_value

__all__ = ["JsonFormatter", "RedactingFilter", "configure_logging", "init_sentry", "sentry_options"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text or record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry)


class RedactingFilter(logging.Filter):
    """Log lines without credentials: a line may quote an alert's title, an exception's message may
    quote the alert, and an alert may quote a key. The traceback is formatted here, redacted, and left
    as the record's `exc_text`, which every formatter prints instead of formatting it again."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_secrets(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_secrets(_TRACEBACKS.formatException(record.exc_info))
        return True


_TRACEBACKS = logging.Formatter()


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        formatter = logging.Formatter(TEXT_FORMAT, datefmt="%Y-%m-%dT%H:%M:%SZ")
        formatter.converter = time.gmtime  # the record's own moment, in UTC
        handler.setFormatter(formatter)
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler], force=True)


def _drop_bodies(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = _clean(exception["value"])
    logentry = event.get("logentry") or event.get("message")
    if isinstance(logentry, dict):
        for key in ("message", "formatted"):
            if isinstance(logentry.get(key), str):
                logentry[key] = _clean(logentry[key])
        logentry.pop("params", None)  # a value is only known to be a secret beside its name: "password=%s"
    elif isinstance(logentry, str):
        event["message"] = _clean(logentry)
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        crumb.update(_cleaned({k: v for k, v in crumb.items() if k in ("message", "data")}))
    return event


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def _clean(text: str) -> str:
    return EMAIL_ADDRESS.sub("[email]", redact_secrets(text))


def sentry_options(settings: Settings) -> dict[str, Any]:
    """How warroom's own errors are reported (see the module's docstring), or {} without a DSN."""
    dsn = secret_value(settings.sentry_dsn)
    if not dsn:
        return {}
    return {
        "dsn": dsn,
        "send_default_pii": False,
        "include_local_variables": False,
        "event_scrubber": EventScrubber(),
        "before_send": _drop_bodies,
        "max_request_body_size": "never",
        "environment": settings.sentry_environment,
    }


def init_sentry(settings: Settings) -> bool:
    """Report warroom's own errors when `WARROOM_SENTRY_DSN` is set; True if it is."""
    options = sentry_options(settings)
    if options:
        sentry_sdk.init(**options)
    return bool(options)
