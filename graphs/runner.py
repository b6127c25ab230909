"""Runs the graphs for the scheduler: an incident's thread (opened, resumed with events), a
draft's approval thread (started, woken by a decision) and an incident's investigation (started,
then advanced one model turn per job).

Each runner registers its own job kinds; jobs of one incident (or one draft) share a lane, so one
thread never runs twice at once.
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command

from flows.context import Context
from graphs.comms import build_comms_graph, comms_thread
from graphs.incident import build_incident_graph, thread_config
from graphs.investigation import InvestigationContext, build_investigation_graph, investigation_thread
from graphs.state import IncidentEvent
from warroom import keys
from warroom.kinds import JobKind
from warroom.scheduler.engine import Scheduler
from warroom.scheduler.store import Job, schedule

__all__ = ["CommsRunner", "IncidentRunner", "InvestigationRunner"]


class IncidentRunner:
    def __init__(self, context: Context, checkpointer: BaseCheckpointSaver[Any]) -> None:
        self.context = context
        self.graph = build_incident_graph(checkpointer)

    def register(self, scheduler: Scheduler) -> None:
        scheduler.register(JobKind.INCIDENT_START, self.handle_start)
        scheduler.register(JobKind.INCIDENT_EVENT, self.handle_event)
        scheduler.register(JobKind.INCIDENT_REASSESS, self.handle_reassess)

    def start(self, incident_id: int) -> None:
        config = thread_config(incident_id)
        if self.graph.get_state(config).values:
            return
        self.graph.invoke({"incident_id": incident_id, "ticks": 0}, config, context=self.context, durability="sync")

    def send(self, incident_id: int, event: IncidentEvent) -> bool:
        """Resume the incident's graph with an event; False when it is not waiting (e.g. done)."""
        config = thread_config(incident_id)
        snapshot = self.graph.get_state(config)
        if "monitor" not in snapshot.next:
            return False
        self.graph.invoke(Command(resume=dict(event)), config, context=self.context, durability="sync")
        return True

    def handle_start(self, job: Job) -> None:
        self.start(int(job.payload["incident_id"]))

    def handle_event(self, job: Job) -> None:
        self.send(int(job.payload["incident_id"]), job.payload["event"])

    def handle_reassess(self, job: Job) -> None:
        self.send(int(job.payload["incident_id"]), {"type": "reassess"})


class CommsRunner:
    def __init__(self, context: Context, checkpointer: BaseCheckpointSaver[Any]) -> None:
        self.context = context
        self.graph = build_comms_graph(checkpointer)

    def register(self, scheduler: Scheduler) -> None:
        scheduler.register(JobKind.DRAFT_START, self.handle_start)
        scheduler.register(JobKind.DRAFT_WAKE, self.handle_wake)

    def handle_start(self, job: Job) -> None:
        config = comms_thread(int(job.payload["draft_id"]))
        if self.graph.get_state(config).values:
            return
        self.graph.invoke({"draft_id": int(job.payload["draft_id"])}, config, context=self.context, durability="sync")

    def handle_wake(self, job: Job) -> None:
        config = comms_thread(int(job.payload["draft_id"]))
        if "wait" not in self.graph.get_state(config).next:
            return
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
        elif snapshot.next and "think" not in snapshot.next:
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
