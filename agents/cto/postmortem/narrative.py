"""The postmortem's summary, root-cause narrative and five whys in the team's words, by the optional
model, each section kept only if every sentence passes the checks; the rules' text otherwise.

Every sentence must name the timeline entries it rests on (T1 is the first entry of the draft's
timeline, as the document numbers them); every number and time in it must appear in those entries
or in the measured facts; and the blameless check must find nothing. A section with one failing
sentence falls back whole to the deterministic text, with a note saying why, so what the team
reads is either checked model prose or the rules' draft, never a mix inside one section.
"""

from __future__ import annotations

import re
from datetime import timedelta

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.blameless import find_blame
from agents.cto.postmortem.draft import people_in
from agents.cto.postmortem.models import Postmortem, PostmortemInput, Sentence, WhyStep
from agents.llm import NOT_A_NAME, delimit_untrusted, describe_failure, facts_json, model_name, plain_name
from prompts import render

__all__ = ["NarrativeDraft", "check_sentences", "write_narrative"]

SECTIONS = ("summary", "root cause", "five whys")
_NUMBER = re.compile(r"\d+(?:[:.,]\d+)*")


class WrittenWhy(BaseModel):
    question: str
    answer: str
    sources: list[int] = Field(description="timeline entry numbers the answer rests on")


class NarrativeDraft(BaseModel):
    """What the model is asked for."""

    summary: list[Sentence]
    root_cause: list[Sentence]
    five_whys: list[WrittenWhy] = Field(max_length=5)


def write_narrative(model: BaseChatModel, draft: Postmortem, inp: PostmortemInput) -> tuple[Postmortem, list[str]]:
    """`draft` with each section the model wrote well replaced, and timeline notes for the rest."""
    messages = [
        SystemMessage(render("postmortem_narrative", facts_json=facts_json(_facts(draft)))),
        HumanMessage(
            render(
                "postmortem_narrative_input",
                timeline=delimit_untrusted("timeline", _timeline(draft)),
                draft=delimit_untrusted(
                    "deterministic_draft",
                    f"Summary: {draft.summary}\nRoot cause: {draft.root_cause}\nFive whys:\n"
                    + "\n".join(f"- {w.question} {w.answer}" for w in draft.five_whys),
                ),
            )
        ),
    ]
    try:
        written = model.with_structured_output(NarrativeDraft, method="json_schema").invoke(messages)
        if not isinstance(written, NarrativeDraft):
            raise ValueError("no structured answer")
    except Exception as error:  # the model is optional: any failure means the rules' text stands
        return draft, [f"LLM unavailable for the postmortem: {describe_failure(error)}; the rules' draft stands"]
    author = f"model:{model_name(model)}"
    people = people_in(inp)
    update: dict[str, object] = {}
    written_by = dict(draft.written_by)
    notes = []
    whys = [Sentence(text=f"{w.question} {w.answer}", sources=w.sources) for w in written.five_whys]
    for section, sentences in (("summary", written.summary), ("root cause", written.root_cause), ("five whys", whys)):
        problems = check_sentences(sentences, draft, people)
        if problems:
            notes.append(f"LLM {section} failed the checks ({'; '.join(problems)[:300]}); the rules' text stands")
            continue
        written_by[section] = author
        if section == "summary":
            update["summary"] = " ".join(s.text for s in sentences)
            update["summary_sentences"] = sentences
        elif section == "root cause":
            update["root_cause_narrative"] = sentences
        else:
            update["five_whys"] = [
                WhyStep(question=w.question, answer=w.answer, source=author, sources=w.sources)
                for w in written.five_whys
            ]
    update["written_by"] = written_by
    return draft.model_copy(update=update), notes


def check_sentences(sentences: list[Sentence], draft: Postmortem, people: list[str]) -> list[str]:
    """What is wrong with a section, sentence by sentence; empty when it may replace the rules' text."""
    if not sentences:
        return ["the section is empty"]
    problems: list[str] = []
    measured = _measured(draft)
    for n, sentence in enumerate(sentences, start=1):
        cited = [s for s in sentence.sources if 1 <= s <= len(draft.timeline)]
        if not sentence.sources:
            problems.append(f"sentence {n} cites no timeline entry")
            continue
        if len(cited) != len(sentence.sources):
            problems.append(f"sentence {n} cites entries that do not exist")
            continue
        allowed = measured | _numbers_of(draft, cited)
        unknown = [x for x in _numbers(sentence.text) if x not in allowed]
        if unknown:
            problems.append(f"sentence {n} states {', '.join(unknown)}, which its entries and the facts do not")
        if find_blame(sentence.text, people):
            problems.append(f"sentence {n} blames someone")
    return problems


def _numbers(text: str) -> list[str]:
    """Numbers and times as written, normalised: `1,234` is `1234`, `02:14` stays a time."""
    found = []
    for token in _NUMBER.findall(text):
        token = token.rstrip(".,:")
        found.append(token if ":" in token else token.replace(",", ""))
    return found


def _numbers_of(draft: Postmortem, entries: list[int]) -> set[str]:
    allowed: set[str] = set()
    for n in entries:
        entry = draft.timeline[n - 1]
        allowed |= set(_numbers(entry.text))
        allowed |= {f"{entry.at:%H:%M}", f"{entry.at:%H:%M:%S}", str(entry.at.year), str(entry.at.day), str(n)}
    return allowed


def _measured(draft: Postmortem) -> set[str]:
    """The facts any sentence may state: counts, durations, times of the impact, ids, levels."""
    impact = draft.impact
    minutes = round(impact.duration / timedelta(minutes=1))
    values = {
        impact.users_affected,
        impact.requests_affected,
        minutes,
        round(minutes / 60),
        draft.incident_id,
    }
    if impact.cohort_size is not None:
        values.add(impact.cohort_size)
    allowed = {str(v) for v in values}
    for moment in (impact.started_at, impact.resolved_at, impact.first_error_at):
        if moment is not None:
            allowed |= {f"{moment:%H:%M}", str(moment.year), str(moment.day)}
    if draft.severity is not None:
        allowed.add(str(draft.severity.rank))
    return allowed


def _facts(draft: Postmortem) -> dict[str, object]:
    impact = draft.impact
    return {
        "incident": draft.incident_id,
        "severity": draft.severity.value if draft.severity else None,
        "service": draft.service if draft.service is None or plain_name(draft.service) else NOT_A_NAME,
        "started_at": impact.started_at.isoformat(),
        "resolved_at": impact.resolved_at.isoformat() if impact.resolved_at else None,
        "duration_minutes": round(impact.duration / timedelta(minutes=1)),
        "users_affected": impact.users_affected,
        "requests_affected": impact.requests_affected,
        "cohort_size": impact.cohort_size,
    }


def _timeline(draft: Postmortem) -> str:
    return "\n".join(
        f"T{n} {e.at:%Y-%m-%d %H:%M:%S} UTC [{e.source}]{f' {e.actor}' if e.actor else ''}: {e.text}"
        for n, e in enumerate(draft.timeline, start=1)
    )
