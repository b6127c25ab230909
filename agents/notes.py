"""What the humans' notes say, in the few fields updates and comms may quote.

Responders write free text; lines that start with a label ("tried:", "cause:", "eta: 30m")
are what warroom repeats. Unlabelled text is kept on the timeline, never guessed from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from warroom.incidents.models import IncidentStatus

__all__ = ["NoteFacts", "is_labelled", "parse_notes", "stage_of"]

LABEL = re.compile(
    r"^\s*(tried|trying|working|what works|hypothesis|cause|root cause|eta|fixed|fix|identified|public|charged)"
    r"\s*[:\-]\s*(.+)$",
    re.IGNORECASE,
)
MINUTES = re.compile(r"(\d{1,4})\s*(m|min|mins|minutes|h|hr|hrs|hours)?\b", re.IGNORECASE)


class NoteFacts(BaseModel):
    tried: list[str] = Field(default_factory=list)
    working: list[str] = Field(default_factory=list)
    hypothesis: str | None = None
    cause: str | None = None
    eta_minutes: int | None = None
    eta_at: datetime | None = None
    """When the newest ETA said the fix would land: "eta: 15m" written at 15:09 is 15:24, whenever
    it is read, so a later message never repeats "within 15 minutes" as if it were new."""
    fixed: str | None = None
    public: str | None = None
    """The one sentence about cause and fix a human wrote for customers (`public: …`); the only
    note text any public message may quote."""
    charged: str | None = None
    """Whether customers were charged (or lost data), for customers, in a human's words (`charged:
    no card was charged for failed orders`): an all-clear on a revenue path waits for it."""
    latest: str | None = None


def is_labelled(text: str) -> bool:
    """Whether any line of `text` carries a label: such a message is a note, wherever it is written."""
    return any(LABEL.match(line) for line in text.splitlines())


def stage_of(note: str) -> IncidentStatus | None:
    """The stage a note moves the incident to: a `fixed:` line means a fix is out and we are
    monitoring; a `cause:` line means the cause is identified."""
    facts = parse_notes([note])
    if facts.fixed:
        return IncidentStatus.MONITORING
    if facts.cause:
        return IncidentStatus.IDENTIFIED
    return None


def parse_notes(notes: Iterable[str | tuple[str, datetime]]) -> NoteFacts:
    """Later notes win for single-valued fields (the newest hypothesis, the newest ETA). A note
    given with the time it was written turns a relative ETA into an absolute one (`eta_at`)."""
    facts = NoteFacts()
    for entry in notes:
        note, written = entry if isinstance(entry, tuple) else (entry, None)
        facts.latest = note.strip() or facts.latest
        for line in note.splitlines():
            match = LABEL.match(line)
            if not match:
                continue
            label, value = match.group(1).lower(), match.group(2).strip().rstrip(".")
            if label in ("tried", "trying"):
                facts.tried.append(value)
            elif label in ("working", "what works"):
                facts.working.append(value)
            elif label == "hypothesis":
                facts.hypothesis = value
            elif label in ("cause", "root cause", "identified"):
                facts.cause = value
            elif label == "eta" and (minutes := _minutes(value)):
                facts.eta_minutes = minutes
                facts.eta_at = written + timedelta(minutes=minutes) if written else None
            elif label in ("fixed", "fix"):
                facts.fixed = value
            elif label == "public":
                facts.public = value
            elif label == "charged":
                facts.charged = value
    return facts


def _minutes(text: str) -> int | None:
    match = MINUTES.search(text)
    if not match:
        return None
    number, unit = int(match.group(1)), (match.group(2) or "m").lower()
    return number * 60 if unit.startswith("h") else number
