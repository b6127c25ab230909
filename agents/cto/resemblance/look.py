"""The rules' decision, raised to P0 when the alert's words read like the labelled P0 alerts.

Only ever up, and only to an *uncertain* P0 whose floor is the rules' own level: the on-call (or
the model's refinement, with a reason) may take it back down to what the rules said, never below.
It leaves alone what the alert itself settles, since a resemblance of words is weaker than what
they state: a non-production environment, an alert that history shows clears itself, a measured
share of failing requests (a number the table sizes exactly), and any statement that limits the
impact ("no customer impact", "the rest still works", "other regions healthy", a workaround). Nor
does it raise an alert whose words are a labelled case's own: that recalls a label, it does not read one.
"""

from __future__ import annotations

import logging

from agents.cto.decision.evidence import conclusion
from agents.cto.decision.rules import RULES
from agents.cto.resemblance.detector import THRESHOLD, Resemblance, resemblance
from agents.cto.signals import SeverityInput
from agents.cto.signals.facts import REST_WORKS, StatementKind
from warroom.severity import RAISED_BY_RESEMBLANCE, Classification, Confidence, Evidence, Severity

__all__ = ["second_look"]

log = logging.getLogger(__name__)

_RULE = RAISED_BY_RESEMBLANCE
_SETTLED = frozenset({"non_production", "self_resolving"})
_LIMITING = frozenset(
    kind.value
    for kind in REST_WORKS
    | {StatementKind.OFF_PATH, StatementKind.AT_RISK_ONLY, StatementKind.INPUT_SPECIFIC, StatementKind.WORKAROUND}
)


def second_look(alert: SeverityInput, decided: Classification) -> Classification:
    if decided.severity is Severity.P0 or decided.rule in _SETTLED or _alert_settles_it(decided):
        return decided
    try:
        read = resemblance(alert.message or alert.title)
    except Exception as error:  # a broken install of the bundled model must not stop triage: the rules decide
        log.exception("the second reader failed; the rules' %s stands", decided.severity)
        unread = Evidence(
            signal="resemblance",
            detail=f"not read ({type(error).__name__}): the rules' level stands",
            rule="resemblance",
        )
        return decided.model_copy(update={"evidence": [*decided.evidence, unread]})
    if not read.reads_like_p0 or _recalls_a_case(read):
        return decided
    rule = RULES[_RULE]
    evidence = [
        *decided.evidence,
        Evidence(signal="resemblance", detail=_describe(read), points_to=Severity.P0, rule="resemblance"),
        conclusion(_RULE, Severity.P0, rule.reason, None, f"the rules alone said {decided.severity}", True),
    ]
    return decided.model_copy(
        update={
            "severity": Severity.P0,
            "reason": rule.reason,
            "evidence": evidence,
            "floor": decided.severity,
            "rule": _RULE,
            "confidence": Confidence.UNCERTAIN,
            "facts": {
                **decided.facts,
                "rules_alone": decided.severity.value,
                "rules_alone_rule": decided.rule,
                "p0_resemblance": read.p0_probability,
            },
        }
    )


_SAME_TEXT = 0.99
"""Similarity at which the alert's words are a labelled case's own words, not words like them."""


def _recalls_a_case(read: Resemblance) -> bool:
    """The alert says what a labelled case says word for word ('TypeError: Cannot read properties of undefined'):
    the detector only recalls that case's label, which its volume and settings decided, not its words. The rules,
    which count this alert's volume, stand."""
    return bool(read.nearest) and read.nearest[0].similarity >= _SAME_TEXT


def _alert_settles_it(decided: Classification) -> bool:
    statements = decided.facts.get("statements", [])
    limited = isinstance(statements, list) and bool(_LIMITING.intersection(statements))
    return limited or decided.facts.get("failing_share") is not None


def _describe(read: Resemblance) -> str:
    nearest = ", ".join(f"{n.case} ({'P0' if n.p0 else 'not P0'}, {n.similarity:.2f})" for n in read.nearest)
    return (
        f"reads like the labelled P0 alerts: {read.p0_probability:.0%} (raises at {THRESHOLD:.0%}); "
        f"nearest labelled cases: {nearest}"
    )
