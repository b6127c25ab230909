"""Who owns the affected paths, from a CODEOWNERS file (GitHub's syntax, last match wins)."""

from __future__ import annotations

import fnmatch

__all__ = ["matches", "owners_for", "rules"]


def rules(text: str) -> list[tuple[str, list[str]]]:
    """(pattern, owners) for each line of a CODEOWNERS file, in file order (comments dropped)."""
    rules = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        pattern, *owners = line.split()
        rules.append((pattern, owners))
    return rules


def matches(pattern: str, path: str) -> bool:
    """Whether a CODEOWNERS `pattern` covers `path` (GitHub's rules, roughly: anchored or not, dirs as prefixes)."""
    path = path.lstrip("/")
    anchored = pattern.startswith("/")
    pattern = pattern.lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    candidates = [path] if anchored else [path] + [path[i + 1 :] for i, c in enumerate(path) if c == "/"]
    for candidate in candidates:
        if fnmatch.fnmatch(candidate, pattern) or fnmatch.fnmatch(candidate, pattern.rstrip("*") + "*"):
            return True
        if "/" not in pattern and any(fnmatch.fnmatch(part, pattern) for part in candidate.split("/")):
            return True
    return False


def owners_for(codeowners: str, topics: list[str]) -> list[str]:
    """Owners (@handles or emails) of any path that mentions one of `topics` ('checkout', '/api/checkout')."""
    found: list[str] = []
    found_rules = rules(codeowners)
    for topic in topics:
        owners: list[str] = []
        for pattern, rule_owners in found_rules:
            words = topic.strip("/").split("/")
            if matches(pattern, topic) or any(w and w in pattern.lower() for w in words if len(w) > 2):
                owners = rule_owners
        found += [o for o in owners if o not in found]
    return found
