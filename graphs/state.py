"""Typed state of the incident graph and the events that resume it."""

from __future__ import annotations

from typing import Literal, TypedDict

__all__ = ["IncidentEvent", "IncidentState"]


class IncidentEvent(TypedDict, total=False):
    """What resumes `monitor`: a due update, a human note, a severity change, new evidence or resolution."""

    type: Literal["tick", "note", "severity", "reassess", "recovered", "resolve"]
    actor: str
    text: str
    severity: str
    tick: int


class IncidentState(TypedDict, total=False):
    incident_id: int
    severity: str
    posted_severity: str
    ticks: int
    event: IncidentEvent
    resolved: bool
