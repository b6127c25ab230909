"""Durations read the same in a draft (hours and minutes) and in a postmortem (to the second)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.durations import spell_duration

DRAFT_UNITS = ("hour", "minute")


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(0, "0 minutes"), (1, "1 minute"), (45, "45 minutes"), (60, "1 hour"), (135, "2 hours 15 minutes"), (1500, "25 hours")],
)
def test_draft_durations_stay_in_hours_and_minutes(minutes: int, words: str) -> None:
    assert spell_duration(timedelta(minutes=minutes), DRAFT_UNITS) == words


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(0), "0 seconds"),
        (timedelta(seconds=1), "1 second"),
        (timedelta(minutes=47), "47 minutes"),
        (timedelta(hours=1, minutes=5, seconds=30), "1 hour 5 minutes 30 seconds"),
        (timedelta(days=2, hours=3), "2 days 3 hours"),
        (timedelta(seconds=-5), "0 seconds"),
    ],
)
def test_postmortem_durations_are_exact_to_the_second(delta: timedelta, words: str) -> None:
    assert spell_duration(delta) == words
