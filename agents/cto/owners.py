"""Who owns the affected paths, from a CODEOWNERS file.

Patterns are matched the way GitHub does (gitignore-style globs, `*` stays within a directory,
`/`-anchored or containing a slash means from the root, the last matching line wins, a line with
no owners makes the path unowned). An incident's topics are routes and service names, not
file paths, so only when no topic matches a pattern exactly do we fall back to word matching:
a topic word must be a whole path segment of the pattern (never a substring, and never a
generic word like `api` or `src` that every pattern shares).
"""

from __future__ import annotations

import re
from functools import lru_cache

from warroom.codeowners import rules

__all__ = ["matches", "owners_for"]

# Path segments too common to say who owns what: `/api/login/` and `/api/checkout/` share "api".
GENERIC = frozenset(
    "api apis app apps src lib libs pkg cmd internal service services server web www http v1 v2 v3 code "
    "backend frontend handlers routes controllers".split()
)


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    body = pattern.strip("/")
    anchored = pattern.startswith("/") or "/" in body
    out = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    # `docs/*` owns the files directly in docs/, not nested ones; anything else owns what is under it.
    tail = "$" if body.endswith("/*") else "(?:/.*)?$"
    return re.compile(("^" if anchored else "^(?:.*/)?") + "".join(out) + tail)


def matches(pattern: str, path: str) -> bool:
    """Whether the CODEOWNERS `pattern` covers `path` (a file, or a route treated as a directory)."""
    return bool(_regex(pattern).match(path.strip("/")))


def _words(text: str) -> set[str]:
    parts = re.split(r"[/_.\-\s]+", re.sub(r"[*?\[\]{}]", " ", text.lower()))
    return {p for p in parts if len(p) > 2 and p not in GENERIC}


def _fuzzy(found_rules: list[tuple[str, list[str]]], topic: str) -> list[str] | None:
    """The owners of the line sharing the most whole words with `topic`, then with the fewest
    words of its own (`checkout/` before `checkout-history/`); later lines win ties."""
    wanted = _words(topic)
    best: tuple[tuple[int, int], list[str]] | None = None
    for pattern, owners in found_rules:
        words = _words(pattern)
        score = (len(wanted & words), -len(words - wanted))
        if score[0] and (best is None or score >= best[0]):
            best = (score, owners)
    return None if best is None else best[1]


def owners_for(codeowners: str, topics: list[str]) -> list[str]:
    """Owners (@handles or emails) of the incident's topics ('/api/checkout', 'checkout').

    A pattern naming a topic exactly decides (last match wins); then word matching; then the
    catch-all lines (`*`, `*.py`) that match any path, which name a default owner, not a feature's."""
    found_rules = rules(codeowners)
    topics = [t for t in topics if t and t.strip("/")]
    exact: list[list[str]] = []
    default: list[list[str]] = []
    for topic in topics:
        named = catch_all = None
        for pattern, owners in found_rules:
            if matches(pattern, topic):
                if _words(pattern):
                    named = owners
                else:
                    catch_all = owners
        if named is not None:
            exact.append(named)
        elif catch_all is not None:
            default.append(catch_all)
    fuzzy = [o for o in (_fuzzy(found_rules, t) for t in topics) if o is not None]
    found: list[str] = []
    for owners in exact or fuzzy or default:
        found += [o for o in owners if o not in found]
    return found
