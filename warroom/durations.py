"""Durations as people read them: `47 minutes`, `1 hour 5 minutes`, `2 days 3 hours`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

__all__ = ["spell_duration", "whole_minutes"]

_SECONDS = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}


def whole_minutes(delta: timedelta) -> int:
    """`delta` in whole minutes, at least 1: how long an incident lasted as every message says it
    (the status page, the emails, the war room and the postmortem round the same way)."""
    return max(1, round(delta.total_seconds() / 60))


def spell_duration(delta: timedelta, units: Sequence[str] = ("day", "hour", "minute", "second")) -> str:
    """`delta` in `units` (largest first), rounded to the smallest; zero parts are left out, and
    nothing at all reads `0 <smallest unit>s`."""
    smallest = _SECONDS[units[-1]]
    total = max(0, round(delta.total_seconds() / smallest)) * smallest
    parts = []
    for unit in units:
        count, total = divmod(total, _SECONDS[unit])
        if count:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    return " ".join(parts) or f"0 {units[-1]}s"
