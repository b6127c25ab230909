"""The run-time context every graph node and flow receives."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from sqlalchemy import Engine

from warroom.clock import Clock
from warroom.settings import Settings

__all__ = ["Context"]


@dataclass(frozen=True)
class Context:
    """Run-time dependencies, never checkpointed: the database, the clock, the settings, the key
    that signs approval links and the optional chat model."""

    engine: Engine
    clock: Clock
    settings: Settings
    secret_key: str = ""
    model: BaseChatModel | None = None
