"""How long a service asked us to wait, from the headers it rate-limits with.

`Retry-After` (and Discord's `X-RateLimit-Reset-After`) give seconds to wait; X's
`x-rate-limit-reset` and Sentry's `X-Sentry-Rate-Limit-Reset` give the moment, in epoch seconds,
the window reopens. Each client reads the headers its service sends, in the order it prefers;
what cannot be read is unknown (None), and the outbox falls back to its own backoff.
"""

from __future__ import annotations

from datetime import datetime

__all__ = ["retry_after_seconds", "seconds_until"]


def retry_after_seconds(value: str | list[str] | None) -> float | None:
    """Seconds from a delta-seconds header value (`Retry-After: 7`); never negative."""
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    try:
        return max(float(value.strip()), 0.0)
    except ValueError:
        return None


def seconds_until(epoch: str | None, now: datetime) -> float | None:
    """Seconds from `now` until an epoch-seconds reset header's moment; never negative."""
    if epoch is None:
        return None
    try:
        return max(float(epoch.strip()) - now.timestamp(), 0.0)
    except ValueError:
        return None
