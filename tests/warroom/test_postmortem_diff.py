"""Two postmortem texts compared for a person to read: changed lines marked, context around them,
the unchanged rest counted rather than shown."""

from __future__ import annotations

from warroom.postmortems.diff import DiffLine, LineChange, compare_lines

OLD = "\n".join(f"line {n}" for n in range(1, 21))


def _marked(rows: list[DiffLine]) -> list[str]:
    signs = {LineChange.ADDED: "+", LineChange.REMOVED: "-", LineChange.SAME: " "}
    return [f"~{r.skipped}" if r.change is LineChange.GAP else f"{signs[r.change]}{r.text}" for r in rows]


def test_a_changed_line_is_removed_then_added_with_three_lines_of_context_either_side():
    new = OLD.replace("line 10", "line ten")
    rows = compare_lines(OLD, new)
    assert _marked(rows) == [
        "~6",
        " line 7",
        " line 8",
        " line 9",
        "-line 10",
        "+line ten",
        " line 11",
        " line 12",
        " line 13",
        "~7",
    ]
    removed, added = rows[4], rows[5]
    assert (removed.old, removed.new, added.old, added.new) == (10, None, None, 10)


def test_a_line_added_at_the_end_is_numbered_on_the_new_side_only():
    rows = compare_lines("intro\nbody\n", "intro\nbody\n\nThe alert text was quoted.\n")
    assert _marked(rows) == [" intro", " body", "+", "+The alert text was quoted."]
    assert [(r.old, r.new) for r in rows] == [(1, 1), (2, 2), (None, 3), (None, 4)]


def test_the_same_text_has_no_rows_and_an_empty_side_is_all_added_or_all_removed():
    assert compare_lines(OLD, OLD + "\n") == []
    assert _marked(compare_lines("", "a\nb")) == ["+a", "+b"]
    assert _marked(compare_lines("a\nb", "")) == ["-a", "-b"]
