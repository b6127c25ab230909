"""Typed state of the incident graph and the events that resume it."""

from __future__ import annotations

from typing import Literal, TypedDict

__all__ = ["IncidentEvent", "IncidentState"]


class IncidentEvent(TypedDict, total=False):
    """What resumes `monitor`: a due update, a severity change, new evidence, the source's recovery
    or resolution. (Notes need no event: the updates read them from the timeline.)"""

    type: Literal["tick", "severity", "reassess", "recovered", "resolve"]
    actor: str
    severity: str
    tick: int


class IncidentState(TypedDict, total=False):
    incident_id: int
    severity: str
    posted_severity: str
    ticks: int
    event: IncidentEvent
