"""Failures a real kill cannot hit reliably, made to happen at one exact write.

`FlakySaver` wraps a real checkpointer and fails one write of it: the writes of a given node
(its effects committed, its step not checkpointed) or the checkpoint that follows them.
`failing_statement` makes the database refuse the next statement that starts a given way, as a
full disk, a dropped connection or a too-long value would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver, ChannelVersions, Checkpoint, CheckpointMetadata
from sqlalchemy import Engine, event

__all__ = ["FlakySaver", "failing_statement"]

_BOOKKEEPING = {"__interrupt__", "__resume__", "__error__"}


class CheckpointWriteFailed(Exception):
    pass


class FlakySaver(BaseCheckpointSaver[Any]):
    """A checkpointer whose next write of one kind, for one node, fails once."""

    def __init__(self, inner: BaseCheckpointSaver[Any]) -> None:
        super().__init__(serde=inner.serde)
        self.inner = inner
        self.armed: tuple[str, str] | None = None
        self.fired: list[str] = []
        self._last_node: str | None = None

    def fail(self, stage: str, node: str) -> None:
        """`stage` is "writes" (the node's output) or "checkpoint" (the step after it)."""
        assert stage in ("writes", "checkpoint")
        self.armed = (stage, node)

    def _fire(self, stage: str, node: str | None) -> None:
        if self.armed == (stage, node):
            self.armed = None
            self.fired.append(f"{stage}:{node}")
            raise CheckpointWriteFailed(f"checkpoint {stage} of {node} failed")

    def put_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        node = task_path.rsplit(", ", 1)[-1] if task_path else None
        if node and any(channel not in _BOOKKEEPING for channel, _ in writes):
            self._fire("writes", node)
            self._last_node = node
        self.inner.put_writes(config, writes, task_id, task_path)

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        node, self._last_node = self._last_node, None
        self._fire("checkpoint", node)
        return self.inner.put(config, checkpoint, metadata, new_versions)

    def get_tuple(self, config: RunnableConfig) -> Any:
        return self.inner.get_tuple(config)

    def list(self, config: RunnableConfig | None, **kwargs: Any) -> Iterator[Any]:
        return self.inner.list(config, **kwargs)

    def get_next_version(self, current: Any, channel: None = None) -> Any:
        return self.inner.get_next_version(current, channel)

    def delete_thread(self, thread_id: str) -> None:
        self.inner.delete_thread(thread_id)


@contextmanager
def failing_statement(engine: Engine, *prefixes: str, times: int = 1) -> Iterator[list[str]]:
    """While inside, the next `times` statements starting with one of `prefixes` (e.g. "INSERT INTO
    timeline_events") fail; yields the statements that were refused."""
    refused: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if len(refused) < times and statement.lstrip().startswith(prefixes):
            refused.append(statement)
            raise sqlite3.OperationalError(f"injected failure of: {statement[:60]}")

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield refused
    finally:
        event.remove(engine, "before_cursor_execute", before)
