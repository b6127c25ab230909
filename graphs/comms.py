"""Comms approval: one thread per draft. review -> (auto-send | wait for a human) -> send.

The decision itself is recorded on the draft row by whoever makes it (API, Slack button, signed
link, or the channel's auto-send threshold), exactly once; the thread only waits, re-reads the
row and enqueues the sending. A restart between draft and decision resumes from the checkpoint.
"""

from __future__ import annotations

from typing import Any, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Checkpointer, interrupt

from flows.actions.drafts import get_draft
from flows.comms import auto_send_level
from flows.context import Context
from flows.staleness import resolved_reason, stale_reason, withdraw
from flows.throttle import hold_reason
from warroom import keys
from warroom.channels import Channel
from warroom.drafts import store as drafts
from warroom.drafts.models import DraftState
from warroom.incidents import store as incidents
from warroom.kinds import OutboxKind, TimelineKind
from warroom.outbox.store import enqueue
from warroom.severity import Severity

__all__ = ["build_comms_graph", "comms_thread"]

CHANNEL_KINDS = {
    Channel.EMAIL: OutboxKind.COMMS_EMAIL,
    Channel.ENTERPRISE_EMAIL: OutboxKind.COMMS_EMAIL,
    Channel.DISCORD: OutboxKind.COMMS_DISCORD,
    Channel.X: OutboxKind.COMMS_X,
    Channel.SLACK_INTERNAL: OutboxKind.COMMS_WAR_ROOM,
}


class CommsState(TypedDict, total=False):
    draft_id: int
    outcome: str


def review(state: CommsState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    draft = get_draft(ctx, state["draft_id"])
    if draft.state is DraftState.PENDING:
        with ctx.engine.begin() as conn:
            incident = incidents.get_incident(conn, draft.incident_id, with_timeline=False)
            stale = stale_reason(conn, draft, incident)
            if stale and stale.final:
                withdraw(conn, draft, stale.reason, ctx.clock.now())
        if stale and stale.final:
            return {"outcome": DraftState.WITHDRAWN.value}
        severity = auto_send_level(incident, draft.channel) if incident else Severity.P3
        if stale is None and ctx.settings.auto_sends(draft.channel, severity):
            now = ctx.clock.now()
            with ctx.engine.begin() as conn:
                held = hold_reason(conn, draft, ctx.settings, now)
                if held is not None:
                    incidents.add_timeline(
                        conn,
                        draft.incident_id,
                        now,
                        TimelineKind.COMMS_DECISION,
                        f"{draft.channel} draft #{draft.id} held for a human instead of auto-sent: {held} "
                        "(approve it now, or auto-send releases it once the interval allows)",
                        actor="warroom",
                        data={"draft_id": draft.id, "decision": "held", "reason": held},
                        dedup_key=keys.draft_held(draft.id),
                    )
                elif drafts.decide(
                    conn, draft.id, to=DraftState.APPROVED, actor="warroom (auto-send threshold)", now=now
                ):
                    incidents.add_timeline(
                        conn,
                        draft.incident_id,
                        now,
                        TimelineKind.COMMS_DECISION,
                        f"{draft.channel} draft #{draft.id} auto-approved: {severity} is at or "
                        f"above the channel's auto-send threshold",
                        actor="warroom",
                        dedup_key=keys.draft_decision(draft.id),
                    )
            draft = get_draft(ctx, draft.id)
    return {"outcome": draft.state.value}


def route_decision(state: CommsState) -> str:
    outcome = state.get("outcome")
    if outcome == DraftState.APPROVED.value:
        return "send"
    if outcome in (DraftState.REJECTED.value, DraftState.SENT.value, DraftState.WITHDRAWN.value):
        return END
    return "wait"


def wait(state: CommsState, runtime: Runtime[Context]) -> dict[str, Any]:
    interrupt({"draft_id": state["draft_id"], "waiting_for": "approve, edit or reject"})
    return {}


def send(state: CommsState, runtime: Runtime[Context]) -> dict[str, Any]:
    """One outbox row per recipient, keyed by draft and address: nobody is mailed twice. An
    approved "still going on" message whose incident was resolved meanwhile is not sent."""
    ctx = runtime.context
    draft = get_draft(ctx, state["draft_id"])
    kind = CHANNEL_KINDS.get(draft.channel)
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        incident = incidents.get_incident(conn, draft.incident_id, with_timeline=False)
        resolved = resolved_reason(draft, incident) if incident else None
        if resolved:
            withdraw(conn, draft, resolved, now, approved_too=True)
            return {"outcome": DraftState.WITHDRAWN.value}
        if kind is None:
            incidents.add_timeline(
                conn,
                draft.incident_id,
                now,
                TimelineKind.COMMS_ERROR,
                f"no sender for channel {draft.channel}",
                dedup_key=keys.draft_unsendable(draft.id),
            )
            return {"outcome": "unsendable"}
        targets = draft.recipients if kind is OutboxKind.COMMS_EMAIL else [draft.channel]
        for target in targets:
            enqueue(
                conn,
                key=keys.draft_send(draft.id, target),
                kind=kind,
                incident_id=draft.incident_id,
                now=now,
                payload={
                    "draft_id": draft.id,
                    "to": target,
                    "subject": draft.subject,
                    "body": draft.body,
                    "channel": draft.channel,
                },
            )
    return {"outcome": "queued"}


def build_comms_graph(checkpointer: Checkpointer) -> CompiledStateGraph[CommsState, Context, CommsState, CommsState]:
    graph = StateGraph(CommsState, context_schema=Context)
    graph.add_node("review", review)
    graph.add_node("wait", wait)
    graph.add_node("send", send)
    graph.add_edge(START, "review")
    graph.add_conditional_edges("review", route_decision, ["send", "wait", END])
    graph.add_edge("wait", "review")
    graph.add_edge("send", END)
    return graph.compile(checkpointer=checkpointer)


def comms_thread(draft_id: int) -> RunnableConfig:
    return RunnableConfig(configurable={"thread_id": f"draft-{draft_id}"})
