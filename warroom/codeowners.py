"""A CODEOWNERS file read as GitHub reads it: one `pattern owner…` rule per line, comments and
blank lines dropped. Matching topics to owners is the CTO agent's (`agents.cto.owners`)."""

from __future__ import annotations

__all__ = ["handles", "rules"]


def rules(text: str) -> list[tuple[str, list[str]]]:
    """(pattern, owners) for each line of a CODEOWNERS file, in file order (comments dropped)."""
    found = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        pattern, *owners = line.split()
        found.append((pattern, owners))
    return found


def handles(text: str) -> set[str]:
    """Every `@user` and `@org/team` the file names (emails are owners too, but not handles)."""
    return {owner for _, owners in rules(text) for owner in owners if owner.startswith("@")}
