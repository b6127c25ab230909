"""The Support agent's answer for one moment of an incident: who is affected, what to tell them
on each channel, and whether each message is true.

The flow calls `prepare_comms` and routes every draft through approval; a draft whose grounding
failed is never sendable.
"""

from __future__ import annotations

from pydantic import BaseModel

from agents.support.cohort import Cohort, detect_cohort
from agents.support.drafts import CommsKind, Draft, draft_comms
from agents.support.facts import IncidentFacts
from agents.support.grounding import GroundingResult, check_grounding

__all__ = ["CheckedDraft", "prepare_comms"]


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
