"""The Support agent: who is affected, what to tell them on each channel, and whether it is true.

Pure decisions over `IncidentFacts`; the graph calls `prepare_comms` and routes every draft
through approval, and a draft whose grounding failed is never sendable.
"""

from __future__ import annotations

from pydantic import BaseModel

from agents.cohort import DOMINANCE, Cohort, Trait, detect_cohort
from agents.drafts import Channel, CommsKind, Draft, draft_comms
from agents.facts import IncidentFacts, KnownAccount
from agents.grounding import GroundingResult, check_grounding

__all__ = [
    "DOMINANCE",
    "Channel",
    "CheckedDraft",
    "Cohort",
    "CommsKind",
    "Draft",
    "GroundingResult",
    "IncidentFacts",
    "KnownAccount",
    "Trait",
    "check_grounding",
    "detect_cohort",
    "draft_comms",
    "prepare_comms",
]


class CheckedDraft(BaseModel):
    draft: Draft
    grounding: GroundingResult

    @property
    def sendable(self) -> bool:
        return self.grounding.ok


def prepare_comms(facts: IncidentFacts, kind: CommsKind | str) -> tuple[Cohort, list[CheckedDraft]]:
    """The cohort and every channel's draft, each with its grounding verdict."""
    cohort = detect_cohort(facts)
    return cohort, [
        CheckedDraft(draft=draft, grounding=check_grounding(draft, facts)) for draft in draft_comms(facts, cohort, kind)
    ]
