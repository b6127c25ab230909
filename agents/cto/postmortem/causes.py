"""Root cause, five whys, contributing factors and note-born action items, read from what
humans wrote during the incident (notes and war-room messages).

Only what people wrote is used: a cause nobody stated stays `UNKNOWN` rather than guessed.
Names are replaced by "a responder" and lines that still read as blame are left out and
counted, so nothing quoted here can point at a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from agents.blameless import depersonalise, find_blame
from agents.cto.affected import affected_thing
from agents.cto.postmortem.models import UNKNOWN, Owners, PostmortemInput, WhyStep
from warroom.redaction import redact_secrets
from warroom.severity import Severity

__all__ = ["OPEN", "CauseFindings", "NoteAction", "blameless_quote", "clauses", "read_causes"]

_BULLET = re.compile(r"^\s*(?:[-*•>]|\d+[.)])?\s*")
_ROOT = re.compile(r"^(?:root[ -]?cause|rca)\s*[:\-–—]\s*(?P<text>.+)", re.IGNORECASE)
_CAUSE = re.compile(r"^cause\s*[:\-–—]\s*(?P<text>.+)", re.IGNORECASE)
_FACTOR = re.compile(r"^(?:contributing(?:[ -]factors?)?|factor)\s*[:\-–—]\s*(?P<text>.+)", re.IGNORECASE)
_WHY = re.compile(r"^why(?:\s*#?\s*\d+)?\s*[:?\-–—]\s*(?P<text>.+)", re.IGNORECASE)
_ACTION = re.compile(
    r"^(?:action(?:[ -]item)?|todo|to-do|follow[ -]?up|ai)\s*"
    r"(?:[\[(](?P<prio>P[0-3])[\])])?\s*[:\-–—]\s*(?P<text>.+)",
    re.IGNORECASE,
)
_HYPOTHESIS = re.compile(r"^hypothesis\s*[:\-–—]\s*(?P<text>.+)", re.IGNORECASE)
_WILL = re.compile(
    r"^(?:we(?:'|’)ll|we will|we should|we need to|we must|let(?:'|’)s)\s+(?P<text>[a-z].+)", re.IGNORECASE
)
"""A commitment written in a note ("We'll add a contract test for EUR") is an action item."""
_CLAUSE = re.compile(r"\s*;\s*|\s+because\s+", re.IGNORECASE)
"""Where a cause note goes one level deeper: "X; Y" and "X because Y" answer why X (not "X, so
Y", which runs the other way: Y is the effect)."""
OPEN = "open question for the review"
_BECAUSE = re.compile(r"^(?P<effect>.*?)[,;]?\s*\bbecause\b\s*(?P<reason>.+)", re.IGNORECASE)
_PRIORITY_TAG = re.compile(r"[\[(]\s*(?P<prio>P[0-3])\s*[\])]", re.IGNORECASE)
_OWNER = re.compile(
    r"[\[(]?\s*(?:owner|assignee|assigned to)\s*[:=]?\s*@?(?P<owner>[\w.\-]+)\s*[\])]?"
    r"|(?<!\w)@(?P<handle>[\w.\-]+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NoteAction:
    title: str
    priority: Severity | None
    owner_hint: str | None
    source: str


@dataclass
class CauseFindings:
    root_cause: str | None = None
    whys: list[WhyStep] = field(default_factory=list)
    contributing: list[str] = field(default_factory=list)
    actions: list[NoteAction] = field(default_factory=list)
    withheld: int = 0


@dataclass(frozen=True)
class _Line:
    at: datetime
    role: str
    text: str
    noted: bool

    @property
    def source(self) -> str:
        kind = "note" if self.noted else "war-room message"
        return f"{kind} by the {self.role} at {self.at.astimezone(UTC):%H:%M} UTC"


def clauses(cause: str) -> list[str]:
    """A cause note's levels, shallowest first: "X; Y" and "X because Y" give [X, Y]."""
    return [c.strip() for c in _CLAUSE.split(cause) if c.strip()]


def blameless_quote(text: str, people: list[str]) -> str | None:
    """`text` with names replaced, or None when it still blames someone and must be left out."""
    quoted = depersonalise(text, people)
    return None if find_blame(quoted, people) else quoted


def _human_lines(inp: PostmortemInput, owners: Owners) -> list[_Line]:
    said = [(n.at, n.author, n.text, True) for n in inp.notes]
    said += [(m.at, m.author, m.text, False) for m in inp.war_room if owners.role_of(m.author) != "warroom"]
    lines = []
    for at, author, text, noted in sorted(said, key=lambda s: s[0]):
        for raw in redact_secrets(text).splitlines():
            line = _BULLET.sub("", raw).strip()
            if line:
                lines.append(_Line(at=at, role=owners.role_of(author), text=line, noted=noted))
    return lines


def _question(subject: str) -> str:
    return f"Why “{subject.rstrip('.')}”?"


def _action(line: _Line, prio: str | None, text: str, people: list[str]) -> NoteAction | None:
    owner = _OWNER.search(text)
    hint = (owner.group("owner") or owner.group("handle")) if owner else None
    tag = _PRIORITY_TAG.search(text)
    prio = prio or (tag.group("prio") if tag else None)
    title = _PRIORITY_TAG.sub("", _OWNER.sub("", text)).strip(" ,;:-–—")
    quoted = blameless_quote(title, people)
    if not quoted:
        return None
    return NoteAction(
        title=quoted, priority=Severity(prio.upper()) if prio else None, owner_hint=hint, source=line.source
    )


def read_causes(inp: PostmortemInput, owners: Owners, people: list[str]) -> CauseFindings:
    """Latest "root cause:" wins, else the latest "cause:", else the last why; earlier causes
    become contributing factors. Whys come from "why:" lines and, in notes only (war-room chat
    says "because" about everything), "X because Y" sentences."""
    found = CauseFindings()
    roots: list[str] = []
    causes: list[str] = []
    answers: list[tuple[str | None, str, str]] = []
    hypotheses: list[tuple[str, str]] = []
    cause_sources: dict[str, str] = {}
    for line in _human_lines(inp, owners):
        quoted = blameless_quote(line.text, people)
        if quoted is None:
            found.withheld += 1
            continue
        if m := _ACTION.match(line.text):
            action = _action(line, m.group("prio"), m.group("text"), people)
            if action is None:
                found.withheld += 1
            else:
                found.actions.append(action)
        elif m := _ROOT.match(quoted):
            roots.append(m.group("text").strip())
            cause_sources[roots[-1]] = line.source
        elif m := _CAUSE.match(quoted):
            causes.append(m.group("text").strip())
            cause_sources[causes[-1]] = line.source
        elif m := _FACTOR.match(quoted):
            found.contributing.append(m.group("text").strip())
        elif m := _HYPOTHESIS.match(quoted):
            hypotheses.append((m.group("text").strip(), line.source))
        elif line.noted and (m := _WILL.match(line.text)):
            text = m.group("text").strip().rstrip(".")
            action = _action(line, None, text[:1].upper() + text[1:], people)
            if action is None:
                found.withheld += 1
            else:
                found.actions.append(action)
        elif m := _WHY.match(quoted):
            answer = re.sub(r"^because\s+", "", m.group("text").strip(), flags=re.IGNORECASE)
            answers.append((None, answer, line.source))
        elif line.noted and (m := _BECAUSE.match(quoted)):
            answers.append((m.group("effect").strip() or None, m.group("reason").strip(), line.source))

    thing = affected_thing(inp.incident).lower()
    first_question = f"Why did {thing} fail?"
    stated = (roots or causes)[-1] if roots or causes else None
    if not answers and stated:
        # The noted cause is the first answers: "X; Y" or "X because Y" is a chain of two.
        for n, clause in enumerate(clauses(stated)):
            question = first_question if n == 0 else "Why did that happen?"
            found.whys.append(WhyStep(question=question, answer=clause.strip(), source=cause_sources[stated]))
    elif not answers and hypotheses:
        text, source = hypotheses[-1]
        found.whys.append(
            WhyStep(question=first_question, answer=f"{text} (a hypothesis, not confirmed)", source=source)
        )
    subject = None
    for effect, answer, source in answers:
        question = _question(effect) if effect else (first_question if subject is None else _question(subject))
        found.whys.append(WhyStep(question=question, answer=answer, source=source))
        subject = answer
    if answers and stated and stated not in [w.answer for w in found.whys]:
        # The whys written stop short of the noted cause: it answers the last one.
        found.whys.append(WhyStep(question=_question(subject or ""), answer=stated, source=cause_sources[stated]))
    # Where the notes stop, one specific question for the review, not rows of "unknown".
    if not found.whys:
        found.whys.append(WhyStep(question=first_question, answer=UNKNOWN, source="to be completed"))
    elif len(found.whys) < 5:
        found.whys.append(WhyStep(question=_question(found.whys[-1].answer), answer=OPEN, source="to be answered"))

    chosen = roots or causes or [a for _, a, _ in answers]
    found.root_cause = chosen[-1] if chosen else None
    for other in [*roots[:-1], *causes]:
        if other != found.root_cause and other not in found.contributing:
            found.contributing.append(other)
    return found
