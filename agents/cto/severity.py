"""Deterministic severity: the signal readers, then the decision table.

`classify` is the whole deterministic engine: `agents.cto.signals` turns an incident's alerts into
typed facts, `agents.cto.decision` weighs them against the severity table of DESIGN.md and names
the rule that fired. Pure: no I/O, the same input always gives the same classification.
"""

from __future__ import annotations

from agents.cto.decision import decide
from agents.cto.signals import HINTS, PastIncident, SeverityInput, read_signals
from warroom.severity import Classification

__all__ = ["HINTS", "PastIncident", "SeverityInput", "classify"]


def classify(alert: SeverityInput) -> Classification:
    return decide(read_signals(alert))
