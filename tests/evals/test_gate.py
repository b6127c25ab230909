"""The CI gate for severity: the deterministic engine, through the real API, on every labelled case
(one run of the cases, shared with the comms and postmortem gates through `conftest.outcomes`)."""

from __future__ import annotations

import pytest

from evals.__main__ import GATE_ACCURACY, gate
from evals.harness import Case, Outcome, load_cases, run_case
from evals.report import score
from warroom.severity import Severity

pytestmark = pytest.mark.timeout(300)


def test_the_suite_has_at_least_80_cases_spread_over_every_level():
    cases = load_cases()
    assert len(cases) >= 80
    for level in Severity:
        assert sum(c.expected is level for c in cases) >= 15, level


def test_severity_accuracy_is_at_least_90_percent_and_no_p0_is_missed(outcomes):
    gated, _ = gate(outcomes)
    missed = [f"{o.case}: {o.severity} ({o.reason})" for o in gated.failures]
    assert gated.accuracy >= GATE_ACCURACY, missed
    assert gated.recall["P0"] == 1.0, missed


def test_a_blocked_case_that_now_passes_must_lose_its_mark(outcomes):
    _, unblocked = gate(outcomes)
    assert unblocked == [], "these pass now: remove blocked_by from their case.toml"


def test_every_case_was_played_through_the_api(outcomes):
    assert [o.case for o in outcomes if o.error and not o.blocked_by] == []


def test_score_counts_over_paging_and_recall():
    def outcome(expected: str, got: str) -> Outcome:
        return Outcome(case=f"{expected}-{got}", expected=Severity(expected), severity=Severity(got), why="table row")

    result = score([outcome("P0", "P0"), outcome("P0", "P1"), outcome("P3", "P1"), outcome("P2", "P2")])
    assert result.recall["P0"] == 0.5
    assert result.over_paging == 0.5
    assert result.confusion["P3"]["P1"] == 1
    assert result.accuracy == 0.5


def test_a_refused_delivery_is_reported_as_the_case_error():
    [case] = load_cases(names=["p2-search-5xx-3pct"])
    broken = Case.model_validate(
        {
            **case.model_dump(),
            "steps": [{**case.steps[0].model_dump(), "payload": {"version": "4", "alerts": [{"status": "firing"}]}}],
        }
    )
    result = run_case(broken)
    assert result.severity is None and result.error and "422" in result.error
