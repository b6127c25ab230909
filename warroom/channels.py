"""The channels customer comms go out on, and what each one accepts, counted as it counts.

Shared by the drafts that must fit, the grounding check that verifies they do, the optional
rewording and the clients that send: X counts 280 *weighted* characters (twitter-text v3: a URL
is 23, a wide character 2), Discord takes 2000 characters of content.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["DISCORD_MAX_LENGTH", "X_MAX_LENGTH", "Channel", "fits", "length", "max_length", "x_weighted_length"]

X_MAX_LENGTH = 280
DISCORD_MAX_LENGTH = 2000
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_URL_WEIGHT = 23
# twitter-text v3: code points in these ranges weigh 1, everything else (CJK, emoji) weighs 2.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


class Channel(StrEnum):
    X = "x"
    DISCORD = "discord"
    EMAIL = "email"
    ENTERPRISE_EMAIL = "enterprise_email"
    SLACK_INTERNAL = "slack_internal"


_LIMITS: dict[str, int] = {Channel.X: X_MAX_LENGTH, Channel.DISCORD: DISCORD_MAX_LENGTH}


def x_weighted_length(text: str) -> int:
    """The length X counts against its 280: URLs count 23, wide characters 2."""
    total = 0
    for piece in _URL.split(text):
        total += sum(1 if any(lo <= ord(ch) <= hi for lo, hi in _LIGHT_RANGES) else 2 for ch in piece)
    return total + _URL_WEIGHT * len(_URL.findall(text))


def max_length(channel: str) -> int | None:
    """The most a message on `channel` may hold (None: no limit that matters)."""
    return _LIMITS.get(channel)


def length(channel: str, text: str) -> int:
    """`text`'s length as `channel` counts it."""
    return x_weighted_length(text) if channel == Channel.X else len(text)


def fits(channel: str, text: str) -> bool:
    limit = max_length(channel)
    return limit is None or length(channel, text) <= limit
