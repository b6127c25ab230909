"""Typed state of the incident graph and the context every node receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

from langchain_core.language_models import BaseChatModel
from sqlalchemy import Engine

from warroom.clock import Clock
from warroom.settings import Settings

__all__ = ["Context", "IncidentEvent", "IncidentState"]


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


@dataclass(frozen=True)
class Context:
    """Run-time dependencies, never checkpointed: the database, the clock, the settings, the key
    that signs approval links and the optional chat model."""

    engine: Engine
    clock: Clock
    settings: Settings
    secret_key: str = ""
    model: BaseChatModel | None = None
