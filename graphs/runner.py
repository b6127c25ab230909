"""Runs the graphs for the scheduler: an incident's thread (opened, resumed with events) and a
draft's approval thread (started, woken by a decision).

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
from graphs.state import IncidentEvent
from warroom.kinds import JobKind
from warroom.scheduler.engine import Scheduler
from warroom.scheduler.store import Job

__all__ = ["CommsRunner", "IncidentRunner"]


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
