"""Runs the graphs for the scheduler: an incident's thread (opened, resumed with events) and a
draft's approval thread (started, woken by a decision).

Each runner registers its own job kinds; jobs of one incident (or one draft) share a lane, so one
thread never runs twice at once.
"""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command, StateSnapshot

from flows.context import Context
from graphs.comms import build_comms_graph, comms_thread
from graphs.crashpoints import with_crash_points
from graphs.incident import build_incident_graph, thread_config
from graphs.state import IncidentEvent
from warroom.kinds import JobKind
from warroom.scheduler.engine import Scheduler
from warroom.scheduler.store import Job

__all__ = ["CommsRunner", "IncidentRunner", "ThreadNotStarted"]

log = logging.getLogger(__name__)


def _settled(graph: Any, config: RunnableConfig, context: Context) -> StateSnapshot:
    """The thread's state once no step is left half-done: a step a crash (or a failed
    checkpoint write) cut short is run again from its start, as every node is written to be."""
    snapshot = graph.get_state(config)
    if snapshot.tasks and not snapshot.interrupts:
        # A task is left over: a node killed mid-way (it is in `next`), or one whose output was
        # saved but not the checkpoint after it (then `next` is empty; only `tasks` shows it).
        names = [task.name for task in snapshot.tasks]
        log.warning("resuming %s at %s, cut short earlier", config["configurable"]["thread_id"], names)
        graph.invoke(None, config, context=context, durability="sync")
        snapshot = graph.get_state(config)
    return snapshot


class ThreadNotStarted(LookupError):
    """An event for a thread whose start has not run yet: retried, never dropped."""


class IncidentRunner:
    """Runs one incident's thread per job. Every entry first finishes a step left half-done, so a
    kill at any moment leaves the incident waiting for its next event, never stuck."""

    def __init__(self, context: Context, checkpointer: BaseCheckpointSaver[Any]) -> None:
        self.context = context
        self.graph = build_incident_graph(checkpointer)

    def register(self, scheduler: Scheduler) -> None:
        scheduler.register(JobKind.INCIDENT_START, self.handle_start)
        scheduler.register(JobKind.INCIDENT_EVENT, self.handle_event)
        scheduler.register(JobKind.INCIDENT_REASSESS, self.handle_reassess)

    def _config(self, incident_id: int) -> RunnableConfig:
        return with_crash_points(thread_config(incident_id), "incident")

    def start(self, incident_id: int) -> None:
        config = self._config(incident_id)
        if not self.graph.get_state(config).values:
            self.graph.invoke({"incident_id": incident_id, "ticks": 0}, config, context=self.context, durability="sync")
        _settled(self.graph, config, self.context)

    def send(self, incident_id: int, event: IncidentEvent, event_id: str) -> bool:
        """Resume the incident's graph with an event, once: an event `monitor` took before a
        crash is not given twice. False when the graph is not waiting for events (it is done)."""
        config = self._config(incident_id)
        snapshot = _settled(self.graph, config, self.context)
        if not snapshot.values:
            raise ThreadNotStarted(f"incident {incident_id} has no graph yet")
        if event_id in snapshot.values.get("handled", []):
            return True
        if "monitor" not in snapshot.next:
            return False
        resume = Command(resume={**event, "id": event_id})
        self.graph.invoke(resume, config, context=self.context, durability="sync")
        return True

    def handle_start(self, job: Job) -> None:
        self.start(int(job.payload["incident_id"]))

    def handle_event(self, job: Job) -> None:
        self.send(int(job.payload["incident_id"]), job.payload["event"], job.key)

    def handle_reassess(self, job: Job) -> None:
        self.send(int(job.payload["incident_id"]), {"type": "reassess"}, job.key)


class CommsRunner:
    """Runs one draft's approval thread per job, finishing a step left half-done first."""

    def __init__(self, context: Context, checkpointer: BaseCheckpointSaver[Any]) -> None:
        self.context = context
        self.graph = build_comms_graph(checkpointer)

    def register(self, scheduler: Scheduler) -> None:
        scheduler.register(JobKind.DRAFT_START, self.handle_start)
        scheduler.register(JobKind.DRAFT_WAKE, self.handle_wake)

    def _config(self, job: Job) -> RunnableConfig:
        return with_crash_points(comms_thread(int(job.payload["draft_id"])), "comms")

    def handle_start(self, job: Job) -> None:
        config = self._config(job)
        if not self.graph.get_state(config).values:
            draft = {"draft_id": int(job.payload["draft_id"])}
            self.graph.invoke(draft, config, context=self.context, durability="sync")
        _settled(self.graph, config, self.context)

    def handle_wake(self, job: Job) -> None:
        """A decision was recorded on the draft: the waiting thread re-reads it. Waking a thread
        that already moved on changes nothing."""
        config = self._config(job)
        snapshot = _settled(self.graph, config, self.context)
        if not snapshot.values:
            raise ThreadNotStarted(f"draft {job.payload['draft_id']} has no thread yet")
        if "wait" in snapshot.next:
            self.graph.invoke(Command(resume={"decided": True}), config, context=self.context, durability="sync")
