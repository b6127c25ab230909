"""The optional model's second opinion on severity, never below the rules' floor.

It takes the deterministic classification first and only ever returns something at least as
severe as `Classification.floor`. On any model trouble it returns the rules' answer and a note
for the timeline, so an outage at the LLM provider never stalls an incident.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.llm import delimit_untrusted, describe_failure, facts_json, model_name
from prompts import render
from warroom.incidents.models import Incident
from warroom.severity import Classification, Evidence, Severity

__all__ = ["SeverityOpinion", "refine_classification", "refine_for"]

_MAX_REASON_CHARS = 500


class SeverityOpinion(BaseModel):
    """What the model is asked to answer: one level and why."""

    severity: Severity = Field(description="the proposed level, P0 (worst) to P3")
    reason: str = Field(description="one or two sentences citing the facts")


def refine_for(
    model: BaseChatModel | None, base: Classification, incident: Incident
) -> tuple[Classification, str | None]:
    """The rules' decision on `incident`, refined by the model when there is one (its title is the
    untrusted text); without a model the rules stand and there is nothing to note."""
    if model is None:
        return base, None
    facts: dict[str, object] = {
        "service": incident.service,
        "environment": incident.environment,
        "events": incident.event_count,
        "users_affected": incident.users_affected,
        "endpoints": [e.endpoint for e in incident.endpoints],
        "first_seen": incident.first_seen.isoformat(),
        "last_seen": incident.last_seen.isoformat(),
    }
    return refine_classification(model, base, facts, {"alert_title": incident.title})


def refine_classification(
    model: BaseChatModel,
    base: Classification,
    facts: dict[str, object],
    untrusted: dict[str, str],
) -> tuple[Classification, str | None]:
    """The model's refinement of `base`, never less severe than `base.floor`.

    All of `base.evidence` is kept and the model's reason is added with rule `llm:<model>`. If the
    model proposes a level below the floor, the floor holds and the evidence says so. Returns the
    classification and, when the model could not be used, the note the timeline shows.
    `untrusted` maps a label (e.g. `alert_message`) to third-party text, which reaches the model
    only inside `delimit_untrusted` markers.
    """
    messages = _severity_messages(base, facts, untrusted)
    try:
        structured = model.with_structured_output(SeverityOpinion, method="json_schema")
        answer = structured.invoke(messages)
        if not isinstance(answer, SeverityOpinion):
            raise ValueError("no structured answer")
    except Exception as error:  # the model is optional: any failure means the rules decide
        return base, f"LLM unavailable: {describe_failure(error)}; deterministic result stands"
    return _apply_opinion(base, answer, f"llm:{model_name(model)}"), None


def _severity_messages(base: Classification, facts: dict[str, object], untrusted: dict[str, str]) -> list[BaseMessage]:
    instructions = render(
        "severity_refine",
        severity=base.severity,
        reason=base.reason,
        evidence=base.evidence,
        floor=base.floor,
        facts_json=facts_json(facts),
    )
    blocks = [delimit_untrusted(label, text) for label, text in untrusted.items()]
    return [
        SystemMessage(instructions),
        HumanMessage(render("severity_refine_input", blocks=blocks)),
    ]


def _apply_opinion(base: Classification, opinion: SeverityOpinion, rule: str) -> Classification:
    reason = opinion.reason.strip()[:_MAX_REASON_CHARS]
    evidence = [
        *base.evidence,
        Evidence(signal="llm_opinion", detail=reason, points_to=opinion.severity, rule=rule),
    ]
    if opinion.severity <= base.floor:
        return base.model_copy(
            update={
                "severity": opinion.severity,
                "reason": reason,
                "evidence": evidence,
                "decided_by": rule,
            }
        )
    held = f"the model proposed {opinion.severity} but the floor {base.floor} holds"
    evidence.append(Evidence(signal="severity_floor", detail=held, points_to=base.floor, rule="floor"))
    return base.model_copy(
        update={
            "severity": base.floor,
            "reason": f"{base.reason}; {held}",
            "evidence": evidence,
            "decided_by": f"{base.decided_by}, floor held over {rule}",
        }
    )
