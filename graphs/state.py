"""Typed state of the incident graph and the events that resume it, and of an incident's
investigation."""

from __future__ import annotations

from typing import Annotated, Literal, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

__all__ = ["IncidentEvent", "IncidentState", "InvestigationState"]


class IncidentEvent(TypedDict, total=False):
    """What resumes `monitor`: a due update, a severity change, new evidence, the source's recovery
    or resolution. (Notes need no event: the updates read them from the timeline.)"""

    type: Literal["tick", "severity", "reassess", "recovered", "resolve"]
    actor: str
    severity: str
    tick: int
    id: str
    """The job that delivered it, so a redelivery after a crash is recognised."""


HANDLED_KEPT = 50


def _recent(handled: list[str], new: list[str]) -> list[str]:
    return [*handled, *new][-HANDLED_KEPT:]


class IncidentState(TypedDict, total=False):
    incident_id: int
    severity: str
    posted_severity: str
    page_level: str
    """The level the public page last spoke at (`Classification.public_severity`): below
    `posted_severity` while only the alert's resemblance to labelled P0s says P0."""
    page_held: bool
    """Customers are being told, but not on the public page: only one enterprise account is hit
    (its contacts get the notice). The page opens the moment anyone else is."""
    restated: int
    """How many times the page was corrected to a level decided after it spoke (`nodes._restate_page`):
    each correction is its own post, sent once."""
    ticks: int
    event: IncidentEvent
    handled: Annotated[list[str], _recent]
    """Ids of the latest events `monitor` took (a redelivered one is not taken twice)."""


class InvestigationState(TypedDict, total=False):
    """One investigation: the conversation with the model (empty without one), the citation ids
    the tools returned so far, and what has been spent of the budget."""

    incident_id: int
    messages: Annotated[list[AnyMessage], add_messages]
    known: dict[str, str]
    tool_calls: int
    tokens: int
    deadline: float
    outcome: str
