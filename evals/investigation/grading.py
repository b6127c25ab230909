"""Grade one investigation finding against its case, the way incident.io grades investigations.

Four levels, checked in this order (the first that holds wins):

- `right_cause`: the text names every `[grading.right_cause]` fact group AND the finding cites at
  least one of its `cites` (a cause named without the evidence it rests on is a guess, and is graded
  on the levels below);
- `one_hop_short`: the text names every `[grading.one_hop_short]` group (the mechanism, not the trigger);
- `right_area`: the text names every `[grading.right_area]` group (the failing service or component);
- `wrong`: none of these.

A group is named when any of its terms occurs in the text, case-insensitively, not inside a longer
word (`pool` does not match `spool`). Citations that resolve to nothing in the case are reported as
invented and never count as evidence. Pure functions: no I/O, usable by the eval runner and tests alike.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from evals.investigation.cases import Case, Facts, UnknownCitation, resolve

__all__ = ["Finding", "Grade", "Level", "cites", "grade", "names"]

Level = Literal["right_cause", "one_hop_short", "right_area", "wrong"]


class Finding(BaseModel):
    """What an investigation concluded: its text (hypothesis and claims) and every citation id it used."""

    text: str
    citations: list[str] = Field(default_factory=list)


class Grade(BaseModel):
    level: Level
    key_evidence_cited: list[str] = Field(description="the case's right_cause.cites the finding cited")
    invented_citations: list[str] = Field(description="citations that point at nothing in the case")
    rests_on_noise: bool = Field(description="every valid citation points at evidence planted as noise")


def names(text: str, term: str) -> bool:
    """Whether `text` mentions `term` as a whole word or phrase (case-insensitive, whitespace-normalised)."""
    haystack = " ".join(text.casefold().split())
    needle = " ".join(term.casefold().split())
    return re.search(rf"(?<![0-9a-z]){re.escape(needle)}(?![0-9a-z])", haystack) is not None


def _all_named(text: str, facts: Facts) -> bool:
    return all(any(names(text, term) for term in group) for group in facts.facts)


def cites(cited: str, expected: str) -> bool:
    """Whether citing `cited` counts as citing `expected`: the same id or a narrower one.

    `sentry:tag:release:2026.1` narrows `sentry:tag:release`; `prom:x{a="1",b="2"}` narrows
    `prom:x{a="1"}` and `prom:x`.
    """
    if cited == expected or cited.startswith(expected + ":"):
        return True
    if not (cited.startswith("prom:") and expected.startswith("prom:")):
        return False
    name, _, matchers = cited.partition("{")
    want_name, brace, want_matchers = expected.partition("{")
    if name != want_name:
        return False
    pairs = set(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', matchers))
    return not brace or set(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', want_matchers)) <= pairs


def grade(case: Case, finding: Finding) -> Grade:
    valid, invented = [], []
    for citation in finding.citations:
        try:
            resolve(case, citation)
        except UnknownCitation:
            invented.append(citation)
        else:
            valid.append(citation)
    grading = case.spec.grading
    key = [e for e in grading.right_cause.cites if any(cites(c, e) for c in valid)]
    noise = [n.cites for n in case.spec.noise]
    level: Level
    if key and _all_named(finding.text, grading.right_cause):
        level = "right_cause"
    elif _all_named(finding.text, grading.one_hop_short):
        level = "one_hop_short"
    elif _all_named(finding.text, grading.right_area):
        level = "right_area"
    else:
        level = "wrong"
    return Grade(
        level=level,
        key_evidence_cited=key,
        invented_citations=invented,
        rests_on_noise=bool(valid) and all(any(cites(c, n) for n in noise) for c in valid),
    )
