"""Blameless-language checks for postmortems, and the diff that records each human edit.

A postmortem names people only as owners of follow-up actions, never as the cause of a
failure: people acted sensibly on what they knew, and the systems let it happen. `find_blame`
points at wording that breaks this so the draft (and later human edits) can be checked;
`depersonalise` is how the drafter keeps names out of cause statements it quotes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from pydantic import BaseModel

__all__ = ["BlameFlag", "depersonalise", "diff_versions", "find_blame"]

_FAILURE_VERBS = (
    r"broke|breaks|caused|causes|forgot|forgets|failed|fails|missed|misses|"
    r"messed\s+up|screwed\s+up|botched|ignored|ignores|neglected|overlooked|"
    r"misconfigured|mistyped|fat-fingered|took\s+down|brought\s+down|crashed|"
    r"pushed\s+a\s+bad|shipped\s+a\s+bad|deployed\s+a\s+bad|"
    r"didn'?t|did\s+not|never|should\s+have|shouldn'?t\s+have"
)
_ADVERBS = r"(?:(?:accidentally|mistakenly|carelessly|just|again|also|clearly|apparently|somehow)[ \t]+)*"
_FAULT_NOUNS = r"fault|mistake|error|typo|oversight|negligence|screw-?up|blunder"
_CAUSE_PARTICIPLES = r"caused|broken|introduced|triggered|misconfigured"
_GENERIC_SUBJECTS = (
    r"someone|somebody|he|she|a[ \t]+responder|the[ \t]+on-?call"
    r"|the[ \t]+(?:on-?call[ \t]+|new[ \t]+)?(?:engineer|developer|dev|intern|operator|hire|person)"
)

_PHRASES: tuple[tuple[str, str, str], ...] = (
    ("careless", r"\bcareless(?:ly|ness)?\b", "describe what made the mistake easy to make"),
    ("should_have_known", r"\bshould(?:[ \t]+have|'ve)[ \t]+known\b", "say what information was missing"),
    ("negligence", r"\bnegligen(?:t|ce)\b", "describe the missing safeguard"),
    ("insult", r"\b(?:sloppy|lazy|incompetent|incompetence|stupid|idiot(?:ic)?)\b", "describe the system"),
    ("dropped_the_ball", r"\bdropped[ \t]+the[ \t]+ball\b", "describe the gap in the process"),
    ("fault", r"\b(?:his|her|their)[ \t]+fault\b", "describe the failing safeguard"),
)


class BlameFlag(BaseModel):
    """One piece of blaming wording: what matched, where, who it points at, and a better angle."""

    kind: str
    excerpt: str
    start: int
    end: int
    person: str | None = None
    suggestion: str


def _name_pattern(people: Iterable[str]) -> str | None:
    """Full names and first names, longest first so "Bob Lee" wins over "Bob"."""
    names: set[str] = set()
    for person in people:
        person = person.strip().lstrip("@")
        if not person:
            continue
        names.add(person)
        first = re.split(r"[\s.@]+", person)[0]
        if len(first) > 1:
            names.add(first)
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return rf"(?<![\w@])@?(?:{alternatives})(?!\w)"


def _person(matched: str, people: list[str], names: str | None) -> str | None:
    """The watched person a matched subject refers to; None for "someone", "the engineer"..."""
    if names is None or not re.fullmatch(names, matched, re.IGNORECASE):
        return None
    token = matched.lstrip("@").lower()
    for person in people:
        if person.lstrip("@").lower() == token:
            return person
    for person in people:
        if person.lstrip("@").lower().startswith(token):
            return person
    return matched.lstrip("@")


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
    rights = [i for i in (text.find(c, end) for c in ".!?\n") if i != -1]
    return text[left : min(rights) if rights else len(text)]


def find_blame(text: str, people: list[str]) -> list[BlameFlag]:
    """Every blaming phrase in `text`, in reading order; `people` are the names to watch for.

    Names used as owners ("Bob owns the fix", "owner: Bob") are fine; names as the subject of a
    failure ("Bob broke checkout"), as the cause ("caused by Bob", "Bob's mistake"), and
    person-directed judgement ("careless", "should have known", "human error" by someone) are not.
    """
    flags: list[BlameFlag] = []

    def add(kind: str, match: re.Match[str], suggestion: str, person: str | None = None) -> None:
        flags.append(
            BlameFlag(
                kind=kind,
                excerpt=match.group(0),
                start=match.start(),
                end=match.end(),
                person=person,
                suggestion=suggestion,
            )
        )

    for kind, pattern, suggestion in _PHRASES:
        for m in re.finditer(pattern, text, re.IGNORECASE):
            add(kind, m, suggestion)

    names = _name_pattern(people)
    generic = rf"\b(?:{_GENERIC_SUBJECTS})\b"
    who = f"{names}|{generic}" if names else generic
    checks = (
        (
            "person_caused_failure",
            rf"(?P<who>{who})[ \t]+{_ADVERBS}(?:{_FAILURE_VERBS})\b",
            "make the system the subject: what failed and why it could",
        ),
        (
            "fault",
            rf"(?P<who>{who})'s[ \t]+(?:\w+[ \t]+)?(?:{_FAULT_NOUNS})\b",
            "describe the change and the safeguard that did not catch it",
        ),
        (
            "person_caused_failure",
            rf"(?P<who>{who})'s[ \t]+\w+[ \t]+{_ADVERBS}(?:{_FAILURE_VERBS})\b",
            "describe the change and the safeguard that did not catch it",
        ),
        (
            "fault",
            rf"\b(?:{_CAUSE_PARTICIPLES}|fault[ \t]+of|because[ \t]+of|blamed?(?:[ \t]+on)?)"
            rf"[ \t]+(?:by[ \t]+)?(?P<who>{who})",
            "name the mechanism, not the person",
        ),
    )
    for kind, pattern, suggestion in checks:
        for m in re.finditer(pattern, text, re.IGNORECASE):
            add(kind, m, suggestion, _person(m.group("who"), people, names))
    for m in re.finditer(r"\bhuman[ \t]+error\b", text, re.IGNORECASE):
        named = re.search(who, _sentence_around(text, m.start(), m.end()), re.IGNORECASE)
        if named:
            add("human_error", m, "ask what made the error possible and easy", _person(named.group(0), people, names))

    unique = {(f.start, f.end, f.kind): f for f in flags}
    return sorted(unique.values(), key=lambda f: (f.start, f.end))


def depersonalise(text: str, people: list[str], *, replacement: str = "a responder") -> str:
    """`text` with every watched name (and its possessive) replaced, for quoting cause statements."""
    names = _name_pattern(people)
    if names is None:
        return text
    return re.sub(names, replacement, text, flags=re.IGNORECASE)


def diff_versions(old: str, new: str, *, old_label: str = "previous", new_label: str = "edited") -> str:
    """A unified diff from `old` to `new` for the postmortem's edit history; "" when equal."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm="")
    body = "\n".join(lines)
    return body + "\n" if body else ""
