"""Words that two pieces of evidence share: how the first look matches a runbook section or a past
incident to what it sees, without a model."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["overlap", "terms"]

_WORD = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_STOP = frozenset(
    "the and for with from that this was were are has have had not but into over all any its our out "
    "can could should would will when then than they them their there here which while who what where "
    "how why one two per via been being also just only more most less very some such each other else "
    "error errors failed failing fails failure true false none null total production prod yes".split()
)


def terms(*texts: str | None) -> set[str]:
    """Lower-case words of three letters or more (camelCase and snake_case split, a plural 's'
    dropped), without the words every incident shares."""
    found: set[str] = set()
    for text in texts:
        if not text:
            continue
        for word in _WORD.findall(_CAMEL.sub(" ", text).lower()):
            if len(word) < 3 or word.isdigit() or word in _STOP:
                continue
            found.add(word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word)
    return found


def overlap(ours: set[str], theirs: Iterable[str]) -> float:
    """The share of `ours` that `theirs` also has."""
    return len(ours & set(theirs)) / len(ours) if ours else 0.0
