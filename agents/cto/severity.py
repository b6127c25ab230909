"""Deterministic severity: the signal readers, then the decision table.

`classify` is the whole deterministic engine: `agents.cto.signals` turns an incident's alerts into
typed facts, `agents.cto.decision` weighs them against the severity table of DESIGN.md and names
the rule that fired, and `agents.cto.resemblance` raises it to an uncertain P0 when its words read
like the labelled P0 alerts. Pure: no I/O beyond loading the bundled model once, the same input
always gives the same classification.
"""

from __future__ import annotations

from agents.cto.decision import decide
from agents.cto.resemblance import second_look
from agents.cto.signals import HINTS, PastIncident, SeverityInput, read_signals
from warroom.severity import Classification

__all__ = ["HINTS", "PastIncident", "SeverityInput", "classify"]


def classify(alert: SeverityInput) -> Classification:
    return second_look(alert, decide(read_signals(alert)))
