"""The optional model's wording of a templated draft; the template stands whenever it fails.

The rewording is not yet sendable: the grounding check against the incident's facts decides that.
On any model trouble the template comes back with a note for the timeline, so an outage at the
LLM provider never stalls comms.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from agents.llm import describe_failure, facts_json
from prompts import render

__all__ = ["rewrite_draft"]


def rewrite_draft(
    model: BaseChatModel,
    template_text: str,
    facts: dict[str, object],
    channel: str,
    max_chars: int | None,
) -> tuple[str, str | None]:
    """The model's wording of a templated draft, or the template itself with a timeline note.

    The result is not yet sendable: the grounding check against the incident's facts decides that.
    A reply that is empty or longer than `max_chars` counts as a failure.
    """
    messages: list[BaseMessage] = [
        SystemMessage(render("draft_rewrite", channel=channel, max_chars=max_chars, facts_json=facts_json(facts))),
        HumanMessage(render("draft_rewrite_input", draft=template_text)),
    ]
    try:
        reply = model.invoke(messages)
    except Exception as error:  # the model is optional: any failure means the template stands
        return template_text, f"LLM unavailable: {describe_failure(error)}; template wording stands"
    text = reply.text.strip()
    if not text:
        return template_text, "LLM unavailable: empty output; template wording stands"
    if max_chars is not None and len(text) > max_chars:
        return template_text, (f"LLM draft too long ({len(text)} > {max_chars} characters); template wording stands")
    return text, None
