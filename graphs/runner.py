"""Runs the graphs for the scheduler: an incident's thread (opened, resumed with events), a
draft's approval thread (started, woken by a decision) and an incident's investigation (started,
then advanced one model turn per job).

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
from graphs.investigation import InvestigationContext, build_investigation_graph, investigation_thread
from graphs.state import IncidentEvent
from warroom import keys
from warroom.kinds import JobKind
from warroom.scheduler.engine import Scheduler
from warroom.scheduler.store import Job, schedule

__all__ = ["CommsRunner", "IncidentRunner", "InvestigationRunner", "ThreadNotStarted"]

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


class InvestigationRunner:
    """`investigation.start` runs the first look (and opens the model's turn, if any);
    `investigation.step` runs one model turn and its tool calls, then queues the next step, so a
    slow model holds the scheduler for one turn at a time."""

    def __init__(self, context: InvestigationContext, checkpointer: BaseCheckpointSaver[Any]) -> None:
        self.context = context
        self.graph = build_investigation_graph(checkpointer)

    def register(self, scheduler: Scheduler) -> None:
        scheduler.register(JobKind.INVESTIGATION_START, self.handle_start)
        scheduler.register(JobKind.INVESTIGATION_STEP, self.handle_step)

    def handle_start(self, job: Job) -> None:
        """Start the investigation, or finish the first look a crash or an error cut short."""
        incident_id = int(job.payload["incident_id"])
        config = investigation_thread(incident_id)
        snapshot = self.graph.get_state(config)
        if not snapshot.values:
            self.graph.invoke({"incident_id": incident_id}, config, context=self.context, durability="sync")
        elif (snapshot.next or snapshot.tasks) and "think" not in snapshot.next:
            self.graph.invoke(None, config, context=self.context, durability="sync")
        self._next(incident_id)

    def handle_step(self, job: Job) -> None:
        incident_id = int(job.payload["incident_id"])
        config = investigation_thread(incident_id)
        if "think" in self.graph.get_state(config).next:
            self.graph.invoke(None, config, context=self.context, durability="sync")
        self._next(incident_id)

    def _next(self, incident_id: int) -> None:
        """Queue the next model turn while the graph waits before one (keyed by turn, so a retried
        job queues it once)."""
        snapshot = self.graph.get_state(investigation_thread(incident_id))
        if "think" not in snapshot.next:
            return
        base = self.context.base
        with base.engine.begin() as conn:
            schedule(
                conn,
                key=keys.investigation_step(incident_id, len(snapshot.values.get("messages", []))),
                kind=JobKind.INVESTIGATION_STEP,
                due_at=base.clock.now(),
                payload={"incident_id": incident_id},
                lane=keys.investigation_lane(incident_id),
            )
