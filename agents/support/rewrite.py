"""The optional model's wording of a templated draft; the template stands whenever it fails.

The rewording is not yet sendable: the grounding check against the incident's facts decides that.
On any model trouble the template comes back with a note for the timeline, so an outage at the
LLM provider never stalls comms.

The model is sent only what warroom measured or the team wrote for customers (`PROMPT_FACTS`): never
the alert's title, endpoints or tags (third-party text, which must not sit among trusted facts), the
internal `cause:` notes, nor who was affected (emails, IPs and accounts stay with us). The draft
already says everything the customer is to read, and the grounding check holds the wording to the
full facts.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from agents.llm import delimit_untrusted, describe_failure, facts_json
from agents.support.facts import IncidentFacts
from prompts import render

__all__ = ["PROMPT_FACTS", "rewrite_draft"]

PROMPT_FACTS = frozenset(
    {
        "incident_id",
        "affected_thing",
        "severity",
        "public_severity",
        "symptom",
        "status",
        "started_at",
        "detected_at",
        "last_seen_at",
        "next_update_at",
        "event_count",
        "affected_share",
        "users_affected",
        "public_cause",
        "eta_minutes",
        "eta_at",
        "charged",
        "revenue_path",
        "advice",
        "resolved_at",
        "follow_ups",
        "brand",
    }
)
"""The facts a rewording may lean on: warroom's measurements, the settings, and `public:`/`charged:` notes."""


def rewrite_draft(
    model: BaseChatModel,
    template_text: str,
    facts: IncidentFacts,
    channel: str,
    max_chars: int | None,
) -> tuple[str, str | None]:
    """The model's wording of a templated draft, or the template itself with a timeline note.

    The result is not yet sendable: the grounding check against the incident's facts decides that.
    A reply that is empty or longer than `max_chars` counts as a failure.
    """
    messages: list[BaseMessage] = [
        SystemMessage(
            render(
                "draft_rewrite",
                channel=channel,
                max_chars=max_chars,
                facts_json=facts_json(facts.model_dump(mode="json", include=set(PROMPT_FACTS))),
            )
        ),
        HumanMessage(render("draft_rewrite_input", draft=delimit_untrusted("draft", template_text))),
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
