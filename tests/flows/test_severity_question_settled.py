"""The room's word that its severity question is settled names who decided the new level."""

from __future__ import annotations

from flows.severity_question import settled_text
from warroom.severity import RAISED_BY_RESEMBLANCE, Classification, Confidence, Severity


def _decided(severity: Severity, decided_by: str, rule: str = "critical_path_failing") -> Classification:
    return Classification(
        severity=severity,
        reason="set by dana" if decided_by.startswith("human") else "a revenue or access path failing",
        evidence=[],
        floor=Severity.P1,
        decided_by=decided_by,
        rule=rule,
        confidence=Confidence.UNCERTAIN,
    )


def test_the_settled_question_says_who_moved_the_level():
    assert settled_text(Severity.P1, _decided(Severity.P0, "rules")) == (
        "The question above about P1 no longer applies: the rules rate it P0 now, on what came in since."
    )
    assert settled_text(Severity.P1, _decided(Severity.P0, "llm:gpt-4o-mini")) == (
        "The question above about P1 no longer applies: the model's second opinion makes it P0 now."
    )
    assert settled_text(Severity.P1, _decided(Severity.P0, "rules", RAISED_BY_RESEMBLANCE)) == (
        "The question above about P1 no longer applies: it reads like past P0 incidents, so it is an unconfirmed "
        "P0 now."
    )
    assert settled_text(Severity.P1, _decided(Severity.P2, "human:dana")) == (
        "The question above about P1 is answered: P2, set by dana."
    )
