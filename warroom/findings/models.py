"""A finding as every layer sees it: a hypothesis, the claims it rests on, each with the citation
ids of the evidence behind it, and what a responder said of it.

Citation ids name evidence the investigation's tools returned (`sentry:event:latest:frame:0`,
`prom:pm2_restarts_total{instance="dash-web-1"}`, `runbook:deploys`, `alert:12`, …); the grammar is
the investigation suite's (`evals/investigation/README.md`). A finding that reaches a person has
been grounded: every claim cites at least one id the tools really returned.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

__all__ = ["Claim", "Confidence", "DroppedClaim", "Finding", "FindingRecord", "MadeBy", "Verdict"]


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class MadeBy(StrEnum):
    """Whether deterministic rules (the first look) or a model wrote the finding."""

    RULES = "rules"
    MODEL = "model"


class Verdict(StrEnum):
    """A responder's judgement of a finding, which the evals read back."""

    RIGHT = "right"
    PARTLY = "partly"
    WRONG = "wrong"


class Claim(BaseModel):
    text: str = Field(min_length=1, max_length=600)
    citations: list[str] = Field(default_factory=list, description="ids of the evidence the claim rests on")


class DroppedClaim(BaseModel):
    """A claim removed before anyone saw it, kept for the record and the evals."""

    text: str
    citations: list[str] = Field(default_factory=list)
    reason: str


class Finding(BaseModel):
    hypothesis: str = Field(min_length=1, max_length=800)
    confidence: Confidence
    claims: list[Claim] = Field(default_factory=list)
    next_checks: list[str] = Field(default_factory=list, description="what a responder could check next")
    made_by: MadeBy
    model: str | None = Field(default=None, description="the model's name when one wrote it")
    tool_calls: int = Field(default=0, ge=0, description="tool calls the investigation made")
    dropped: list[DroppedClaim] = Field(default_factory=list)
    evidence: dict[str, str] = Field(
        default_factory=dict, description="citation id -> a one-line summary of what it points at"
    )

    @property
    def citations(self) -> list[str]:
        """Every id the claims cite, in order, once."""
        return list(dict.fromkeys(c for claim in self.claims for c in claim.citations))


class FindingRecord(Finding):
    """A stored finding with its verdict."""

    id: int
    incident_id: int
    created_at: datetime
    verdict: Verdict | None = None
    verdict_by: str | None = None
    verdict_at: datetime | None = None
    verdict_note: str | None = None
