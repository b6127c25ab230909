"""Action items a person adds in the postmortem editor: read from the Markdown's "Action items"
table, so what the team writes down is filed like the draft's own items.

A row whose title is one already filed (the same words, or nearly: a typo fixed, a word added) is
that item and is not filed again; a row nobody filed is new. A removed row cancels nothing: a ticket
is closed in the tracker, by a person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from difflib import SequenceMatcher

from pydantic import BaseModel

from warroom.severity import Severity

__all__ = ["SAME_ITEM", "TableRow", "new_rows", "table_rows"]

SAME_ITEM = 0.8
"""How alike two titles must be (difflib's ratio) to be one item edited rather than a new one."""
_SECTION = re.compile(r"^##\s+Action items\s*$", re.IGNORECASE | re.MULTILINE)
_NEXT_SECTION = re.compile(r"^##\s", re.MULTILINE)
_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}")
_LEVELS = {s.value for s in Severity}


class TableRow(BaseModel):
    title: str
    owner: str = ""
    due: date | None = None
    priority: Severity | None = None


def _cells(line: str) -> list[str]:
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def table_rows(markdown: str) -> list[TableRow]:
    """The rows of the first table under '## Action items' (action | owner | due | priority | …);
    cells that do not read as a date or a level are left empty, never guessed."""
    start = _SECTION.search(markdown)
    if start is None:
        return []
    rest = markdown[start.end() :]
    end = _NEXT_SECTION.search(rest)
    lines = [line for line in (rest[: end.start()] if end else rest).splitlines() if line.strip().startswith("|")]
    rows: list[TableRow] = []
    for line in lines[1:]:  # the first line is the header
        if _SEPARATOR.match(line.strip()):
            continue
        cells = _cells(line) + [""] * 4
        title = cells[0]
        if not title:
            continue
        try:
            due = date.fromisoformat(cells[2]) if cells[2] else None
        except ValueError:
            due = None
        level = cells[3].upper()
        rows.append(
            TableRow(title=title, owner=cells[1], due=due, priority=Severity(level) if level in _LEVELS else None)
        )
    return rows


def _same(a: str, b: str) -> bool:
    x, y = " ".join(a.casefold().split()), " ".join(b.casefold().split())
    return x == y or SequenceMatcher(None, x, y).ratio() >= SAME_ITEM


def new_rows(rows: Sequence[TableRow], filed_titles: Sequence[str]) -> list[TableRow]:
    """The rows that are not an item already filed (each filed title accounts for one row)."""
    unmatched = list(filed_titles)
    fresh = []
    for row in rows:
        match = next((t for t in unmatched if _same(row.title, t)), None)
        if match is None:
            fresh.append(row)
        else:
            unmatched.remove(match)
    return fresh
