"""An incident's investigation: look (the rules' cited first look, posted at once) -> think <-> act
(the model's tool calls, bounded) -> conclude (its grounded finding) | give_up (the first look stands).

One thread per incident (`investigation-<id>`), started by triage for P0–P2. The graph pauses
before every model turn, so the scheduler runs one turn per job and other incidents' work goes on
in between. Every node only reads, except the recording of a finding or a note, keyed so a
replayed step records nothing twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Checkpointer

from agents.cto.investigation import reasoning
from agents.cto.investigation.first_look import first_look
from agents.cto.investigation.grounding import ground
from agents.llm import describe_failure
from flows.context import Context
from flows.investigation.recording import record_finding, record_note
from flows.investigation.toolbox import Sources, Toolbox
from graphs.state import InvestigationState
from warroom import keys
from warroom.findings.models import MadeBy

__all__ = ["InvestigationContext", "build_investigation_graph", "investigation_thread"]


@dataclass(frozen=True)
class InvestigationContext:
    """The run-time context plus what only the investigation needs: its sources and a wall clock
    (real seconds bound the model, whatever the scheduler's clock says)."""

    base: Context
    sources: Sources = field(default_factory=Sources)
    timer: Callable[[], float] = time.time


def look(state: InvestigationState, runtime: Runtime[InvestigationContext]) -> dict[str, Any]:
    ctx = runtime.context.base
    incident_id = state["incident_id"]
    toolbox = Toolbox(ctx, runtime.context.sources, incident_id)
    evidence = toolbox.gather()
    known = evidence.summaries()
    finding = ground(first_look(evidence).model_copy(update={"tool_calls": toolbox.reads}), known)
    with ctx.engine.begin() as conn:
        if finding is not None:
            record_finding(
                conn,
                ctx.settings,
                key=keys.finding(incident_id, MadeBy.RULES),
                incident_id=incident_id,
                finding=finding,
                now=ctx.clock.now(),
            )
    if ctx.model is None:
        return {"known": known, "outcome": "rules only"}
    budget = reasoning.Budget.from_settings(ctx.settings)
    return {
        "known": known,
        "messages": reasoning.opening(evidence.incident, finding, budget),
        "tool_calls": 0,
        "tokens": 0,
        "deadline": runtime.context.timer() + budget.seconds,
    }


def route_after_look(state: InvestigationState) -> str:
    return "think" if state.get("messages") else END


def think(state: InvestigationState, runtime: Runtime[InvestigationContext]) -> dict[str, Any]:
    """One model turn, unless time or tokens are spent; after the last allowed tool call the
    model must report."""
    ctx = runtime.context.base
    assert ctx.model is not None
    budget = reasoning.Budget.from_settings(ctx.settings)
    remaining = state["deadline"] - runtime.context.timer()
    if remaining <= 0:
        return {"outcome": f"out of time ({budget.seconds:g} s)"}
    if state.get("tokens", 0) >= budget.tokens:
        return {"outcome": f"out of tokens ({state.get('tokens', 0)} of {budget.tokens})"}
    final = state.get("tool_calls", 0) >= budget.max_tool_calls
    try:
        answer = reasoning.ask(ctx.model, state["messages"], final=final, timeout=remaining)
    except Exception as error:  # the model is optional: any failure leaves the first look standing
        return {"outcome": describe_failure(error)}
    used = (answer.usage_metadata or {}).get("total_tokens", 0)
    return {"messages": [answer], "tokens": state.get("tokens", 0) + used, "outcome": ""}


def route_after_think(state: InvestigationState) -> str:
    last = state["messages"][-1] if state.get("messages") else None
    if state.get("outcome") or not isinstance(last, AIMessage):
        return "give_up"
    if reasoning.report_call(last) is not None:
        return "conclude"
    return "act" if last.tool_calls else "give_up"


def act(state: InvestigationState, runtime: Runtime[InvestigationContext]) -> dict[str, Any]:
    """Run the model's tool calls, up to what the budget has left; the rest are answered with a
    refusal so the conversation stays well formed."""
    ctx = runtime.context.base
    last = state["messages"][-1]
    assert isinstance(last, AIMessage)
    budget = reasoning.Budget.from_settings(ctx.settings)
    toolbox = Toolbox(ctx, runtime.context.sources, state["incident_id"])
    spent, known, replies = state.get("tool_calls", 0), dict(state.get("known", {})), []
    for call in last.tool_calls:
        if spent >= budget.max_tool_calls:
            replies.append(
                reasoning.tool_message(
                    call["id"] or "", call["name"], None, "tool budget spent: call report_finding now"
                )
            )
            continue
        result = toolbox.call(call["name"], call["args"])
        spent += 1
        known.update(result.known)
        replies.append(reasoning.tool_message(call["id"] or "", call["name"], result.content, result.error))
    return {"messages": replies, "tool_calls": spent, "known": known}


def conclude(state: InvestigationState, runtime: Runtime[InvestigationContext]) -> dict[str, Any]:
    ctx = runtime.context.base
    incident_id = state["incident_id"]
    last = state["messages"][-1]
    assert isinstance(last, AIMessage) and ctx.model is not None
    arguments = reasoning.report_call(last) or {}
    draft = reasoning.to_finding(arguments, ctx.model, state.get("tool_calls", 0))
    finding = ground(draft, state.get("known", {})) if draft is not None else None
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        if finding is None:
            reason = (
                "its report was malformed" if draft is None else "none of its claims cited evidence the tools returned"
            )
            record_note(
                conn,
                key=keys.investigation_note(incident_id, "rejected"),
                incident_id=incident_id,
                text=f"AI investigation discarded: {reason}; the first look stands",
                now=now,
            )
            return {"outcome": "rejected"}
        record_finding(
            conn,
            ctx.settings,
            key=keys.finding(incident_id, MadeBy.MODEL),
            incident_id=incident_id,
            finding=finding,
            now=now,
        )
    return {"outcome": "model"}


def give_up(state: InvestigationState, runtime: Runtime[InvestigationContext]) -> dict[str, Any]:
    ctx = runtime.context.base
    incident_id = state["incident_id"]
    reason = state.get("outcome") or "the model answered without reporting a finding"
    with ctx.engine.begin() as conn:
        record_note(
            conn,
            key=keys.investigation_note(incident_id, "gave_up"),
            incident_id=incident_id,
            text=f"AI investigation stopped: {reason}; the first look stands",
            now=ctx.clock.now(),
        )
    return {"outcome": reason}


def build_investigation_graph(
    checkpointer: Checkpointer,
) -> CompiledStateGraph[InvestigationState, InvestigationContext, InvestigationState, InvestigationState]:
    graph = StateGraph(InvestigationState, context_schema=InvestigationContext)
    graph.add_node("look", look)
    graph.add_node("think", think)
    graph.add_node("act", act)
    graph.add_node("conclude", conclude)
    graph.add_node("give_up", give_up)

    graph.add_edge(START, "look")
    graph.add_conditional_edges("look", route_after_look, ["think", END])
    graph.add_conditional_edges("think", route_after_think, ["act", "conclude", "give_up"])
    graph.add_edge("act", "think")
    graph.add_edge("conclude", END)
    graph.add_edge("give_up", END)
    return graph.compile(checkpointer=checkpointer, interrupt_before=["think"])


def investigation_thread(incident_id: int) -> RunnableConfig:
    return RunnableConfig(configurable={"thread_id": f"investigation-{incident_id}"})
