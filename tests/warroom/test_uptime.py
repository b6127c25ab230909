"""The status page's uptime arithmetic against a history worked out by hand.

The fixture, at now = 4 Dec 2026 10:00 UTC, the page's first record 1 Nov 12:00 UTC:
- 20 Nov 23:30 → 21 Nov 00:30 major outage (30 min on each day)
- 21 Nov 00:10 → 00:20 degraded performance, inside the major outage (hidden by it)
- 3 Dec 14:00 → 14:42 partial outage (42 min)
- since 4 Dec 09:00 degraded performance, still going on (60 min so far)

Window: 1 Nov 12:00 → 4 Dec 10:00 = 32 days 22 hours = 47,400 minutes.
Downtime: 60 min major × 1 + 42 min partial × 0.3 = 72.6 min; degraded counts nothing.
Uptime: 1 − 72.6 / 47,400 = 99.8468…% → 99.84 (rounded down).
Cells: 6 Sep … 31 Oct (56 days) no data; 1 Nov … 4 Dec (34 days) with data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from warroom.clock import FakeClock
from warroom.status_page.uptime import DayCell, Outage, day_cells, uptime_percent

CLOCK = FakeClock(datetime(2026, 12, 4, 10, 0, tzinfo=UTC))
FIRST = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


HISTORY = [
    Outage(at(11, 20, 23, 30), at(11, 21, 0, 30), "major_outage"),
    Outage(at(11, 21, 0, 10), at(11, 21, 0, 20), "degraded_performance"),
    Outage(at(12, 3, 14, 0), at(12, 3, 14, 42), "partial_outage"),
    Outage(at(12, 4, 9, 0), None, "degraded_performance"),
]


def test_ninety_cells_no_data_before_the_first_record_then_the_worst_status_of_each_day():
    cells = day_cells(HISTORY, now=CLOCK.now(), first_record=FIRST)
    assert len(cells) == 90
    assert cells[0].day == date(2026, 9, 6) and cells[-1].day == date(2026, 12, 4)
    assert [c.status for c in cells[:56]] == [None] * 56
    assert cells[55] == DayCell(date(2026, 10, 31), None)
    assert cells[56] == DayCell(date(2026, 11, 1), "operational")
    by_day = {c.day: c for c in cells}
    assert by_day[date(2026, 11, 20)] == DayCell(date(2026, 11, 20), "major_outage", (("major_outage", 30),))
    assert by_day[date(2026, 11, 21)] == DayCell(date(2026, 11, 21), "major_outage", (("major_outage", 30),))
    assert by_day[date(2026, 12, 3)].minutes == (("partial_outage", 42),)
    assert by_day[date(2026, 12, 4)] == DayCell(
        date(2026, 12, 4), "degraded_performance", (("degraded_performance", 60),)
    )
    affected = {c.day for c in cells if c.status not in (None, "operational")}
    assert affected == {date(2026, 11, 20), date(2026, 11, 21), date(2026, 12, 3), date(2026, 12, 4)}


def test_each_cell_says_its_day_status_and_minutes():
    cells = {c.day: c for c in day_cells(HISTORY, now=CLOCK.now(), first_record=FIRST)}
    assert cells[date(2026, 12, 3)].label == "3 Dec: partial outage 42 min"
    assert cells[date(2026, 10, 2)].label == "2 Oct: no data"
    assert cells[date(2026, 11, 2)].label == "2 Nov: no incidents"


def test_a_day_with_two_statuses_lists_both_worst_first():
    two = [
        Outage(at(12, 2, 8), at(12, 2, 9), "degraded_performance"),
        Outage(at(12, 2, 8, 30), at(12, 2, 8, 45), "partial_outage"),
    ]
    [cell] = [c for c in day_cells(two, now=CLOCK.now(), first_record=FIRST) if c.day == date(2026, 12, 2)]
    assert cell.label == "2 Dec: partial outage 15 min, degraded performance 45 min"


def test_uptime_weighs_major_outage_fully_partial_at_30_percent_and_overlaps_once():
    assert uptime_percent(HISTORY, now=CLOCK.now(), first_record=FIRST) == 99.84
    # the same major outage entered twice is still 60 minutes down
    assert uptime_percent([*HISTORY, HISTORY[0]], now=CLOCK.now(), first_record=FIRST) == 99.84


def test_uptime_counts_only_the_90_day_window_and_nothing_before_a_record():
    assert uptime_percent(HISTORY, now=CLOCK.now(), first_record=None) is None
    assert uptime_percent([], now=CLOCK.now(), first_record=FIRST) == 100.0
    # a first record long ago: the window is the 90 days (89 whole days and 10 hours = 128,760 min)
    old = uptime_percent(HISTORY, now=CLOCK.now(), first_record=CLOCK.now() - timedelta(days=400))
    assert old == 99.94  # 1 - 72.6 / 128,760 = 99.9436…


def test_an_ongoing_major_outage_counts_up_to_now():
    down = [Outage(at(12, 4, 9, 0), None, "major_outage")]
    cells = day_cells(down, now=CLOCK.now(), first_record=FIRST)
    assert cells[-1].label == "4 Dec: major outage 60 min"
    assert uptime_percent(down, now=CLOCK.now(), first_record=FIRST) == 99.87  # 1 - 60 / 47,400


def test_no_percentage_until_the_page_has_a_day_of_history():
    now = FIRST + timedelta(hours=1)
    down = [Outage(FIRST + timedelta(minutes=10), FIRST + timedelta(minutes=49), "major_outage")]
    assert uptime_percent(down, now=now, first_record=FIRST) is None
    assert uptime_percent(down, now=FIRST + timedelta(days=1), first_record=FIRST) == 97.29  # 39 of 1,440 min
