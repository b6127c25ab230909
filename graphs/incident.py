"""The incident lifecycle: triage -> respond (P0/P1) -> monitor <-> events -> resolve.

One thread per incident (thread id = incident id), checkpointed after every step.
"""

from __future__ import annotations

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Checkpointer

from flows.context import Context
from graphs import nodes
from graphs.state import IncidentState

__all__ = ["build_incident_graph", "thread_config"]


def build_incident_graph(
    checkpointer: Checkpointer,
) -> CompiledStateGraph[IncidentState, Context, IncidentState, IncidentState]:
    graph = StateGraph(IncidentState, context_schema=Context)
    graph.add_node("triage", nodes.triage)
    graph.add_node("respond", nodes.respond)
    graph.add_node("monitor", nodes.monitor_wait)
    graph.add_node("update", nodes.update)
    graph.add_node("resolve", nodes.resolve)

    graph.add_edge(START, "triage")
    graph.add_conditional_edges("triage", nodes.route_by_severity, ["respond", "monitor"])
    graph.add_edge("respond", "monitor")
    graph.add_conditional_edges("monitor", nodes.route_event, ["triage", "update", "resolve", "monitor"])
    graph.add_edge("update", "monitor")
    graph.add_edge("resolve", END)
    return graph.compile(checkpointer=checkpointer)


def thread_config(incident_id: int) -> RunnableConfig:
    return RunnableConfig(configurable={"thread_id": f"incident-{incident_id}"})
