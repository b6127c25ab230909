"""Building severity inputs for the CTO agent's tests: an alert as warroom knows it when it rates it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agents.cto.signals import SeverityInput, Signals, read_signals
from warroom.settings import DEFAULT_CRITICAL_PATHS

START = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


def alert(title: str, message: str = "", *, minutes: float = 0, **fields: Any) -> SeverityInput:
    """A production alert from a monitor (one delivery unless `event_count`/`minutes` say otherwise)."""
    values: dict[str, Any] = {
        "first_seen": START,
        "last_seen": START + timedelta(minutes=minutes),
        "environment": "production",
        "source": "alertmanager",
        "critical_paths": list(DEFAULT_CRITICAL_PATHS),
        **fields,
    }
    return SeverityInput(title=title, message=message, **values)


def signals(title: str, message: str = "", **fields: Any) -> Signals:
    return read_signals(alert(title, message, **fields))
