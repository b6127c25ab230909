"""Scores over outcomes: accuracy, confusion matrix, per-level recall, over-paging; and their print-out.

Over-paging is the share of true P2/P3 cases rated P0/P1: each one wakes a human and tells
customers something is wrong when it is not, so it is tracked beside P0 recall (a missed outage).
A private set (the held-out cases) is printed and dumped as aggregates only: no case name, no
failure, no evidence, so a score can be read without learning which cases it missed.

Agreement reads the cases' independent labels (`[[relabel]]`, given from the alert alone): how
often a second careful reader reaches the case's label, and how the product scores on the cases
where every reader does. A miss on a case the readers split on may be the label's, not the rules';
a miss where they all agree is the product's. It qualifies the score; it never replaces it.

The band's ceiling splits a shortfall between the rules and the model: what a model that is always
right would score inside the band `agents.cto.refine` gives it (it may raise anything not floored at
P0, and lower an uncertain level to its floor: one level, or back to the rules' own level after a
resemblance raise). A ceiling under the bar is the rules' sure rows to fix; a
ceiling over it with the model's score under is the model's reading.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from evals.harness import Outcome
from warroom.severity import Severity

__all__ = [
    "Agreement",
    "BandCeiling",
    "SeverityScore",
    "agreement",
    "band_ceiling",
    "render",
    "render_set",
    "score",
    "set_json",
]

LEVELS = list(Severity)


class Agreement(BaseModel):
    """How the independent labels meet the case's label and the product's level (counts only, no case)."""

    relabelled: int = Field(description="cases with at least one independent label")
    labels: int = Field(description="independent labels given")
    same: int = Field(description="independent labels equal to the case's label")
    all_agree: int = Field(description="relabelled cases where every independent label equals the case's")
    correct_where_agreed: int
    p0_where_agreed: int = Field(description="agreed P0 cases")
    p0_found_where_agreed: int
    product_like_reader: int = Field(description="independent labels the product's level equals")


def agreement(outcomes: list[Outcome]) -> Agreement | None:
    relabelled = [o for o in outcomes if o.relabels]
    if not relabelled:
        return None
    agreed = [o for o in relabelled if all(level is o.expected for level in o.relabels)]
    agreed_p0 = [o for o in agreed if o.expected is Severity.P0]
    return Agreement(
        relabelled=len(relabelled),
        labels=sum(len(o.relabels) for o in relabelled),
        same=sum(level is o.expected for o in relabelled for level in o.relabels),
        all_agree=len(agreed),
        correct_where_agreed=sum(o.correct for o in agreed),
        p0_where_agreed=len(agreed_p0),
        p0_found_where_agreed=sum(o.correct for o in agreed_p0),
        product_like_reader=sum(level is o.severity for o in relabelled for level in o.relabels),
    )


class BandCeiling(BaseModel):
    """What a model that is always right could score inside the refine step's band (counts only)."""

    cases: int
    correct: int
    p0: int
    p0_found: int
    never_asked: int = Field(description="wrong and floored at P0: the model is not asked, a P0 never waits")
    below_band: int = Field(description="wrong because the label is lower than the floor the rules set")


def band_ceiling(outcomes: list[Outcome]) -> BandCeiling:
    """The right level where it lies in [floor, P0], else the nearest the band allows; a P0 floor keeps the
    rules' level. An outcome without a floor (none recorded, or not played) keeps its level."""
    correct = p0_found = never_asked = below_band = 0
    for outcome in outcomes:
        level = outcome.severity
        if outcome.floor is not None and outcome.floor is not Severity.P0:
            level = outcome.expected if outcome.expected <= outcome.floor else outcome.floor
        right = level is outcome.expected
        correct += right
        p0_found += right and outcome.expected is Severity.P0
        if not right and outcome.floor is Severity.P0:
            never_asked += 1
        elif not right and outcome.floor is not None:
            below_band += 1
    return BandCeiling(
        cases=len(outcomes),
        correct=correct,
        p0=sum(o.expected is Severity.P0 for o in outcomes),
        p0_found=p0_found,
        never_asked=never_asked,
        below_band=below_band,
    )


class SeverityScore(BaseModel):
    cases: int
    correct: int
    accuracy: float
    confusion: dict[str, dict[str, int]] = Field(
        description="expected level -> decided level ('none' if none) -> count"
    )
    recall: dict[str, float | None]
    over_paging: float | None = Field(description="true P2/P3 rated P0/P1, as a share of true P2/P3")
    not_played: int = Field(default=0, description="cases that produced no classification (refused or broken)")
    by_confidence: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="the classification's confidence -> cases and correct: is the rules' 'sure' worth trusting",
    )
    agreement: Agreement | None = None
    ceiling: BandCeiling | None = Field(
        default=None, description="the rules' outcomes under a model always right inside its band"
    )
    failures: list[Outcome]


def score(outcomes: list[Outcome]) -> SeverityScore:
    columns = [*(level.value for level in LEVELS), "none"]
    confusion = {level.value: dict.fromkeys(columns, 0) for level in LEVELS}
    for outcome in outcomes:
        confusion[outcome.expected.value][outcome.severity.value if outcome.severity else "none"] += 1
    recall: dict[str, float | None] = {}
    for level in LEVELS:
        total = sum(confusion[level.value].values())
        recall[level.value] = confusion[level.value][level.value] / total if total else None
    quiet = [o for o in outcomes if not o.expected.pages_customers]
    paged = [o for o in quiet if o.severity is not None and o.severity.pages_customers]
    correct = sum(o.correct for o in outcomes)
    by_confidence: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        if outcome.confidence:
            tally = by_confidence.setdefault(outcome.confidence, {"cases": 0, "correct": 0})
            tally["cases"] += 1
            tally["correct"] += outcome.correct
    return SeverityScore(
        cases=len(outcomes),
        correct=correct,
        accuracy=correct / len(outcomes) if outcomes else 0.0,
        confusion=confusion,
        recall=recall,
        over_paging=len(paged) / len(quiet) if quiet else None,
        not_played=sum(o.severity is None for o in outcomes),
        by_confidence=by_confidence,
        agreement=agreement(outcomes),
        ceiling=band_ceiling(outcomes) if any(o.floor is not None for o in outcomes) else None,
        failures=[o for o in outcomes if not o.correct],
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def render(result: SeverityScore, llm: SeverityScore | None, llm_note: str, seconds: float) -> str:
    lines = [
        f"severity: {result.correct}/{result.cases} correct, accuracy {_pct(result.accuracy)} "
        f"(deterministic rules; {seconds:.1f}s)",
        f"LLM: {llm_note if llm is None else f'accuracy {_pct(llm.accuracy)}, over-paging {_pct(llm.over_paging)}'}",
        "",
        *_table(result),
        *_ceiling(result.ceiling),
        *_failures(result),
    ]
    return "\n".join(lines)


def render_set(result: SeverityScore, *, private: bool, llm: SeverityScore | None = None) -> str:
    """One set's severity score; a private set shows its aggregates and nothing that names a case."""
    lines = [
        f"severity: {result.correct}/{result.cases} correct, accuracy {_pct(result.accuracy)}, "
        f"P0 recall {_pct(result.recall['P0'])} (severity only)",
    ]
    lines += ["", *_table(result), *_ceiling(result.ceiling)]
    if llm is not None:
        lines += [
            "",
            f"with the model: {llm.correct}/{llm.cases} correct, accuracy {_pct(llm.accuracy)}, "
            f"P0 recall {_pct(llm.recall['P0'])}, over-paging {_pct(llm.over_paging)}",
            *_table(llm),
        ]
    if private:
        lines += [
            f"not played: {result.not_played}",
            "(aggregates only: the held-out cases and their failures are not shown; --show-holdout lists them,"
            " never while changing the rules)",
        ]
    else:
        lines += _failures(result)
    return "\n".join(lines)


def set_json(result: SeverityScore, *, private: bool) -> dict[str, object]:
    """The score as JSON; a private set leaves out its failures (names, evidence, reasons)."""
    return result.model_dump(mode="json", exclude={"failures"} if private else None)


def _table(result: SeverityScore) -> list[str]:
    lines = [
        "confusion (rows expected, columns decided):",
        "        " + "".join(f"{c:>6}" for c in [*(lv.value for lv in LEVELS), "none"]),
    ]
    for expected, row in result.confusion.items():
        lines.append(f"  {expected:<6}" + "".join(f"{n:>6}" for n in row.values()))
    return [
        *lines,
        "",
        "recall: " + ", ".join(f"{level} {_pct(value)}" for level, value in result.recall.items()),
        f"over-paging (true P2/P3 rated P0/P1): {_pct(result.over_paging)}",
        *_calibration(result),
        *_agreement(result.agreement),
    ]


def _calibration(result: SeverityScore) -> list[str]:
    """How often the rules are right when they say they are sure, and when they ask the on-call to confirm."""
    parts = [
        f"{kind} {tally['correct']}/{tally['cases']} right"
        + (" (asked of the on-call, except at P3)" if kind == "uncertain" else "")
        for kind, tally in sorted(result.by_confidence.items())
    ]
    return ["by confidence: " + "; ".join(parts)] if parts else []


def _agreement(agreed: Agreement | None) -> list[str]:
    if agreed is None:
        return []
    return [
        f"independent labels (alert only): {agreed.same}/{agreed.labels} equal the case's label, "
        f"{agreed.product_like_reader}/{agreed.labels} equal the product's level; "
        f"every reader agrees on {agreed.all_agree}/{agreed.relabelled} relabelled cases, and there the product "
        f"scores {agreed.correct_where_agreed}/{agreed.all_agree}, P0 {agreed.p0_found_where_agreed}/{agreed.p0_where_agreed}"
    ]


def _ceiling(ceiling: BandCeiling | None) -> list[str]:
    if ceiling is None:
        return []
    return [
        f"a model always right inside its band would score {ceiling.correct}/{ceiling.cases} "
        f"({_pct(ceiling.correct / ceiling.cases if ceiling.cases else None)}), P0 {ceiling.p0_found}/{ceiling.p0}; "
        f"out of its reach: {ceiling.never_asked} P0 floors it is never asked about, "
        f"{ceiling.below_band} labels lower than the rules' floor"
    ]


def _failures(result: SeverityScore) -> list[str]:
    lines = ["", f"failures ({len(result.failures)}):"] if result.failures else []
    for failure in result.failures:
        got = failure.severity.value if failure.severity else "none"
        lines.append(
            f"- {failure.case}: expected {failure.expected}, got {got}"
            + (f" [{failure.error}]" if failure.error else f" ({failure.reason})")
        )
        lines.append(f"    why: {failure.why}")
        if failure.relabels:
            lines.append("    independent labels: " + ", ".join(level.value for level in failure.relabels))
        lines += [f"    evidence: {line}" for line in failure.evidence]
    return lines
