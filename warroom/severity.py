"""Severity levels and the evidence that justifies one, shared by every layer."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, computed_field

__all__ = ["RAISED_BY_RESEMBLANCE", "Classification", "Confidence", "Evidence", "Severity"]

RAISED_BY_RESEMBLANCE = "resembles_p0"
"""The rule of a P0 that only the second reader (`agents.cto.resemblance`) raised."""


class Severity(StrEnum):
    """P0 is the worst. Ordering follows urgency: `Severity.P0 < Severity.P1` is True."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"

    @property
    def rank(self) -> int:
        return int(self.value[1])

    @property
    def pages_customers(self) -> bool:
        """P0/P1 open the status page and customer comms path; P2/P3 stay internal."""
        return self.rank <= 1

    def __lt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    @staticmethod
    def most_severe(*levels: Severity) -> Severity:
        return min(levels, key=lambda s: s.rank)


class Evidence(BaseModel):
    """One signal that weighed on a classification, shown to the human as-is."""

    signal: str = Field(description="machine name of the signal, e.g. 'critical_path'")
    detail: str = Field(description="what was observed, in words a human checks quickly")
    points_to: Severity | None = Field(default=None, description="the level this signal argues for")
    rule: str = Field(default="", description="the rule or model that weighed it")
    quote: str | None = Field(default=None, description="the words of the alert it was read from")


class Confidence(StrEnum):
    """Whether the rules were sure. An uncertain P0, P1 or P2 asks the on-call to confirm, raise or lower it."""

    CONFIDENT = "confident"
    UNCERTAIN = "uncertain"


class Classification(BaseModel):
    """A severity decision with its reasons; `floor` is the level no model may lower it below.

    `rule` names the row of the severity table that fired; `confidence` says whether the rules
    were sure, and for an uncertain decision `floor` is one level below it (the band a model or
    the on-call may move it in); a confident one, or a data-exposure floor, is its own floor.
    """

    severity: Severity
    reason: str
    evidence: list[Evidence] = Field(default_factory=list)
    floor: Severity = Severity.P3
    decided_by: str = "rules"
    skip_comms: bool = False
    rule: str = ""
    confidence: Confidence = Confidence.CONFIDENT
    facts: dict[str, Any] = Field(
        default_factory=dict, description="the typed signals the rule read: kinds, numbers and flags, never alert text"
    )

    @property
    def by_human(self) -> bool:
        """A person set this level (`decided_by` is `human:<who>`): it decides, and no hold waits on it."""
        return self.decided_by.startswith("human")

    @property
    def page_awaits_confirmation(self) -> bool:
        """A P0 that only the alert's resemblance to labelled P0s raised over a level that would have told no
        customer (the rules alone said P2 or P3): the on-call is paged and asked, and the public status page
        waits until a person says P0 or P1. A statistical guess is never the first thing customers read."""
        return self.rule == RAISED_BY_RESEMBLANCE and not self.floor.pages_customers and not self.by_human

    @property
    def before_impact(self) -> bool:
        """The alerts warn of what is coming (a certificate expiring within hours, a disk filling) and
        nothing has failed yet: the team is called at this level, but customers are told nothing until
        the alerts show impact or a person decides they should hear it now."""
        return self.facts.get("state") == "at_risk" and not self.by_human

    @property
    def public_severity(self) -> Severity:
        """The level customers are told of: the status page's, and the one auto-send weighs on their
        channels. A P0 that only the alert's resemblance to labelled P0s raised pages the team as a P0
        but tells customers what the rules' evidence shows (its floor: "degraded", a partial outage),
        until a person, or the rules on their own, say P0: customers read what is established, never a
        statistical guess of "major outage". A warning before any impact tells them nothing (P3)."""
        if self.by_human:
            return self.severity
        if self.before_impact:
            return Severity.P3  # nothing has happened to customers yet
        return self.floor if self.rule == RAISED_BY_RESEMBLANCE else self.severity

    @computed_field  # type: ignore[prop-decorator]
    @property
    def asks_confirmation(self) -> bool:
        """An uncertain level is put to the on-call (confirm, raise, lower) instead of silently picked: a P1 or
        P2, and a P0 too, whether the rules were unsure of it (a total failure no word places in one feature, a
        possible exposure) or only the alert's resemblance to labelled P0s raised it (rule `resembles_p0`). A P0
        pages at once either way; the question is how the on-call says it is less. An uncertain P3 is a record
        nobody is woken for, and is not asked."""
        return (
            self.confidence is Confidence.UNCERTAIN
            and (self.severity in (Severity.P0, Severity.P1, Severity.P2) or self.rule == RAISED_BY_RESEMBLANCE)
            and not self.by_human
        )
