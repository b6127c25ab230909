"""Two postmortem versions compared line by line, for a person to read: what was added, what was
removed, a few unchanged lines around each change for context, and a gap row where unchanged
lines were left out. Pure (`difflib`), so the web page and the tests read the same rows.

`agents.blameless.diff_versions` is the other view of the same change: the unified-diff text
stored with each saved version.
"""

from __future__ import annotations

import difflib
from enum import StrEnum

from pydantic import BaseModel

__all__ = ["DiffLine", "LineChange", "compare_lines"]


class LineChange(StrEnum):
    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"
    GAP = "gap"


class DiffLine(BaseModel):
    """One row: `old`/`new` are 1-based line numbers on each side (None where the line is not
    there); a `GAP` row stands for `skipped` unchanged lines left out."""

    change: LineChange
    text: str = ""
    old: int | None = None
    new: int | None = None
    skipped: int = 0


def compare_lines(old: str, new: str, *, context: int = 3) -> list[DiffLine]:
    """Rows from `old` to `new`, removed lines before the added ones that replace them; [] when the
    texts are the same line for line."""
    a, b = old.splitlines(), new.splitlines()
    groups = list(difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context))
    if not groups or all(tag == "equal" for group in groups for tag, *_ in group):
        return []
    rows: list[DiffLine] = []
    shown_to = 0  # the old side's lines up to here are shown or counted
    for group in groups:
        first = group[0][1]
        if first > shown_to:
            rows.append(DiffLine(change=LineChange.GAP, skipped=first - shown_to))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [
                    DiffLine(change=LineChange.SAME, text=a[i], old=i + 1, new=j1 + i - i1 + 1) for i in range(i1, i2)
                ]
                continue
            rows += [DiffLine(change=LineChange.REMOVED, text=a[i], old=i + 1) for i in range(i1, i2)]
            rows += [DiffLine(change=LineChange.ADDED, text=b[j], new=j + 1) for j in range(j1, j2)]
        shown_to = group[-1][2]
    if shown_to < len(a):
        rows.append(DiffLine(change=LineChange.GAP, skipped=len(a) - shown_to))
    return rows
