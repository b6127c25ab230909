"""Scores over the investigation suite's results, and their print-out.

Per path (rules or model) and per set (development, held-out): the share of findings at each level
(right cause / one hop short / right area / wrong; a case with no finding counts as wrong and is
also counted apart), the share of claims resting on at least one citation that resolves in the
case, invented citations, findings resting only on planted noise, tool calls, and the length of
the graded text (hypothesis and claims), since a finding that pasted every piece of evidence
would pass term matching. A private set (the held-out cases) is shown as aggregates only.
"""

from __future__ import annotations

from statistics import mean

from pydantic import BaseModel, Field

from evals.investigation.runner import CaseResult

__all__ = ["InvestigationScore", "render", "score"]

LEVELS = ("right_cause", "one_hop_short", "right_area", "wrong")


class InvestigationScore(BaseModel):
    cases: int
    levels: dict[str, int] = Field(description="level -> findings at it (no finding counts as wrong)")
    no_finding: int
    claims: int
    claims_cited: int
    invented_citations: int
    rests_on_noise: int
    tool_calls_mean: float
    tool_calls_max: int
    text_chars_mean: float
    text_chars_max: int
    errors: int
    results: list[CaseResult] = Field(default_factory=list)


def score(results: list[CaseResult]) -> InvestigationScore:
    levels = dict.fromkeys(LEVELS, 0)
    for result in results:
        levels[result.level or "wrong"] += 1
    found = [r for r in results if r.level is not None]
    return InvestigationScore(
        cases=len(results),
        levels=levels,
        no_finding=len(results) - len(found),
        claims=sum(r.claims for r in found),
        claims_cited=sum(r.claims_cited for r in found),
        invented_citations=sum(len(r.invented) for r in found),
        rests_on_noise=sum(r.rests_on_noise for r in found),
        tool_calls_mean=round(mean(r.tool_calls for r in found), 1) if found else 0.0,
        tool_calls_max=max((r.tool_calls for r in found), default=0),
        text_chars_mean=round(mean(r.text_chars for r in found)) if found else 0.0,
        text_chars_max=max((r.text_chars for r in found), default=0),
        errors=sum(r.error is not None and not r.error.startswith("not investigated") for r in results),
        results=results,
    )


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.0%})" if whole else "n/a"


def render(result: InvestigationScore, *, title: str, private: bool) -> str:
    lines = [
        f"{title}: {result.cases} cases",
        "  " + ", ".join(f"{level.replace('_', ' ')} {_share(n, result.cases)}" for level, n in result.levels.items()),
        f"  no finding: {result.no_finding} (not investigated, rated P3: {result.no_finding - result.errors}; "
        f"errors: {result.errors})",
        f"  claims citing evidence that resolves: {_share(result.claims_cited, result.claims)}; "
        f"invented citations: {result.invented_citations}; resting only on planted noise: {result.rests_on_noise}",
        f"  tool calls per investigation: mean {result.tool_calls_mean}, max {result.tool_calls_max}; "
        f"graded text: mean {result.text_chars_mean:.0f} characters, max {result.text_chars_max}",
    ]
    if private:
        lines.append("  (aggregates only: the held-out cases are not named; --show-holdout lists them)")
        return "\n".join(lines)
    for r in result.results:
        level = r.level or f"no finding ({r.error})"
        lines.append(f"  - {r.case}: {level}, {r.claims} claims, {r.tool_calls} tool calls")
    return "\n".join(lines)
