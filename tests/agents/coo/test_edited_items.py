"""Rows a person adds to the postmortem's Action items table are new items; a row with an item's
own words, or nearly (a typo fixed), is that item."""

from __future__ import annotations

from datetime import date

from agents.coo.edited_items import new_rows, table_rows
from warroom.severity import Severity

MARKDOWN = """## Impact

A table that is not the one: | a | b |

## Action items

| action | owner | due | priority | source |
|---|---|---|---|---|
| Add a retry budget to the payment client | Dana Reyes (incident commander) | 2026-12-10 | P0 | note |
| Alert on checkout 5xx within 2 minutes | on-call | 2026-12-17 | P1 | numbers |
| Load-test the pool at 2x peak \\| before the sale | Sam | next week | p1 | |
| Write the runbook for the cache |  |  |  |  |

## Related incidents
| not | an item |
"""


def test_the_action_items_table_is_read_cell_by_cell_and_nothing_is_guessed():
    rows = table_rows(MARKDOWN)
    assert [r.title for r in rows] == [
        "Add a retry budget to the payment client",
        "Alert on checkout 5xx within 2 minutes",
        "Load-test the pool at 2x peak | before the sale",
        "Write the runbook for the cache",
    ]
    assert (rows[0].owner, rows[0].due, rows[0].priority) == (
        "Dana Reyes (incident commander)",
        date(2026, 12, 10),
        Severity.P0,
    )
    assert (rows[2].due, rows[2].priority) == (None, Severity.P1)  # "next week" is not a date
    assert (rows[3].owner, rows[3].due, rows[3].priority) == ("", None, None)
    assert table_rows("## Summary\n\nno items") == []


def test_a_row_already_filed_or_nearly_so_is_not_new():
    filed = ["Add a retry budget to the payment client", "Alert on checkout 5xx within 2 minute"]  # typo fixed since
    fresh = new_rows(table_rows(MARKDOWN), filed)
    assert [r.title for r in fresh] == [
        "Load-test the pool at 2x peak | before the sale",
        "Write the runbook for the cache",
    ]
    assert new_rows(table_rows(MARKDOWN), [r.title for r in table_rows(MARKDOWN)]) == []
