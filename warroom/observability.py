"""How an operator sees warroom itself: timestamped (optionally JSON) logs at
`WARROOM_LOG_LEVEL`, and warroom's own errors reported to Sentry when a DSN is set.

Sentry gets no personal data: `send_default_pii` stays off, the SDK's scrubber drops secret-looking
keys, and request bodies (alert payloads carry customers' addresses) are removed before sending."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

import sentry_sdk
from sentry_sdk.scrubber import EventScrubber

from warroom.settings import Settings, secret_value

__all__ = ["JsonFormatter", "configure_logging", "init_sentry"]

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
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
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
    return event


def init_sentry(settings: Settings) -> bool:
    """Report warroom's own errors when `WARROOM_SENTRY_DSN` is set; True if it is."""
    dsn = secret_value(settings.sentry_dsn)
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        send_default_pii=False,
        event_scrubber=EventScrubber(),
        before_send=_drop_bodies,
        max_request_body_size="never",
        environment=settings.sentry_environment,
    )
    return True
