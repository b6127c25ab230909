"""Typed state of the incident graph and the events that resume it."""

from __future__ import annotations

from typing import Annotated, Literal, TypedDict

__all__ = ["IncidentEvent", "IncidentState"]


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
    ticks: int
    event: IncidentEvent
    handled: Annotated[list[str], _recent]
    """Ids of the latest events `monitor` took (a redelivered one is not taken twice)."""
