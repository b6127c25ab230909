"""The model's side of the investigation: what it is told, what it may ask, and reading its answer.

The model sees the tools of `agents.cto.investigation.tools` and nothing else; every tool result
and the first look reach it only inside `delimit_untrusted`, because they carry stack traces,
alert bodies and people's messages. Its conclusion, the `report_finding` call, becomes a
`Finding` that `grounding.ground` still has to accept. `Budget` says when to stop asking:
tool calls, tokens and wall-clock seconds, all from settings.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel, Field, ValidationError

from agents.cto.investigation.evidence import IncidentFact
from agents.cto.investigation.tools import REPORT, ReportArgs, openai_tools
from agents.llm import NOT_A_NAME, delimit_untrusted, facts_json, model_name, plain_name
from prompts import render
from warroom.findings.models import Claim, Finding, MadeBy
from warroom.settings import Settings

__all__ = ["Budget", "ask", "opening", "report_call", "tool_message", "to_finding"]

_TEXT_LIMITS = {"hypothesis": 800, "claim": 600}


class Budget(BaseModel):
    """How far one investigation may go with the model."""

    max_tool_calls: int = Field(ge=0)
    tokens: int = Field(ge=0)
    seconds: float = Field(gt=0)

    @classmethod
    def from_settings(cls, settings: Settings) -> Budget:
        return cls(
            max_tool_calls=settings.investigation_max_tool_calls,
            tokens=settings.investigation_token_budget,
            seconds=settings.investigation_seconds,
        )


def opening(incident: IncidentFact, first_look: Finding | None, budget: Budget) -> list[BaseMessage]:
    """The system prompt and the first message: the measured incident and the rules' first look."""
    look = (
        {
            "hypothesis": first_look.hypothesis,
            "claims": [c.model_dump() for c in first_look.claims],
            "evidence": first_look.evidence,
        }
        if first_look is not None
        else {"hypothesis": "none: the rules found nothing to cite"}
    )
    service = incident.service
    if service is not None and not plain_name(service):
        look["service, as the alert names it"] = service
        service = NOT_A_NAME
    return [
        SystemMessage(render("investigation", max_tool_calls=budget.max_tool_calls, seconds=round(budget.seconds))),
        HumanMessage(
            render(
                "investigation_input",
                incident_json=facts_json(
                    {
                        "id": incident.id,
                        "service": service,
                        "severity": incident.severity,
                        "first_seen": incident.first_seen.isoformat(),
                        "opened_at": incident.opened_at.isoformat(),
                        "events": incident.event_count,
                    }
                ),
                first_look=delimit_untrusted("first_look", json.dumps(look, indent=1, default=str)),
            )
        ),
    ]


def ask(model: BaseChatModel, messages: list[BaseMessage], *, final: bool, timeout: float) -> AIMessage:
    """One model turn with the tools bound; `final` forces `report_finding`. `timeout` bounds the
    whole turn, the client's retries included."""
    retries = getattr(model, "max_retries", 0) or 0
    bound = model.bind_tools(openai_tools(), tool_choice=REPORT.name if final else "auto")
    answer = bound.invoke(messages, timeout=max(timeout / (1 + retries), 0.1))
    if not isinstance(answer, AIMessage):
        raise ValueError("the model did not answer with a message")
    return answer


def report_call(message: AIMessage) -> dict[str, Any] | None:
    """The arguments of the `report_finding` call in `message`, if it made one."""
    return next((call["args"] for call in message.tool_calls if call["name"] == REPORT.name), None)


def tool_message(call_id: str, name: str, content: Any, error: str | None) -> ToolMessage:
    """A tool's answer as the model reads it: data, delimited, with any problem said plainly."""
    body = json.dumps({"result": content, "problem": error}, indent=1, default=str, ensure_ascii=False)
    return ToolMessage(content=delimit_untrusted(f"tool_{name}", body), tool_call_id=call_id, name=name)


def to_finding(arguments: dict[str, Any], model: BaseChatModel, tool_calls: int) -> Finding | None:
    """The model's `report_finding` as a (not yet grounded) finding; None if it is malformed."""
    if isinstance(arguments.get("confidence"), str):
        arguments = {**arguments, "confidence": arguments["confidence"].strip().lower()}
    try:
        report = ReportArgs.model_validate(arguments)
    except ValidationError:
        return None
    return Finding(
        hypothesis=_clip(report.hypothesis, _TEXT_LIMITS["hypothesis"]),
        confidence=report.confidence,
        claims=[Claim(text=_clip(c.text, _TEXT_LIMITS["claim"]), citations=c.citations) for c in report.claims],
        next_checks=report.next_checks,
        made_by=MadeBy.MODEL,
        model=model_name(model),
        tool_calls=tool_calls,
    )


def _clip(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
