"""Crash points at graph node boundaries, for the crash suite (see `warroom/crashpoints.py`).

`<graph>.<node>.start` is reached before a node runs; `<graph>.<node>.end` after it returned,
its effects committed, and before its writes are checkpointed: the moment a crash costs most.
Attached only while a crash point is armed, so production runs carry no callback.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.runnables import RunnableConfig

from warroom import crashpoints

__all__ = ["with_crash_points"]


class _NodeCrashPoints(BaseCallbackHandler):
    def __init__(self, graph: str) -> None:
        self.graph = graph
        self._nodes: dict[UUID, str] = {}

    def on_chain_start(
        self,
        serialized: dict[str, Any],
        inputs: dict[str, Any],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        node = (metadata or {}).get("langgraph_node")
        if node and kwargs.get("name") == node:
            self._nodes[run_id] = node
            crashpoints.reach(f"{self.graph}.{node}.start")

    def on_chain_end(self, outputs: dict[str, Any], *, run_id: UUID, **kwargs: Any) -> None:
        node = self._nodes.pop(run_id, None)
        if node:
            crashpoints.reach(f"{self.graph}.{node}.end")


def with_crash_points(config: RunnableConfig, graph: str) -> RunnableConfig:
    if not crashpoints.armed():
        return config
    return RunnableConfig(**config, callbacks=[_NodeCrashPoints(graph)])
