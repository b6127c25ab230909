"""Nothing reaches a customer unchecked: every claim in a draft must come from the facts.

`check_grounding` is the gate between any writer (template, LLM, human edit) and the outbox.
Numbers, percentages, times, dates, durations and causes are compared with `IncidentFacts` in
their normalised forms (15% = 0.15, 02:14 UTC = the datetime, "30 minutes" = eta_minutes);
public drafts must also be free of internal details. A draft that fails is not sendable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, timedelta

from pydantic import BaseModel, Field

from agents.support.cohort import detect_cohort
from agents.support.drafts import CHARGED_TO_BE_WRITTEN, TO_BE_WRITTEN, Draft, account_users, rca_due
from agents.support.facts import IncidentFacts
from agents.support.internal import internal_details
from warroom.channels import Channel, length, max_length

__all__ = ["GroundingResult", "check_grounding"]

_MASK = " § "
_MONTHS = "january february march april may june july august september october november december".split()
_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
}
_UNIT = r"(?:minutes?|mins?|hours?|hrs?|days?|business days|percent|per cent|users|customers|errors|events)"
_WORD_NUMBER = re.compile(rf"\b({'|'.join(sorted(_WORDS, key=len, reverse=True))})(?=\s+{_UNIT}\b)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH = "|".join(_MONTHS)
_LONG_DATE = re.compile(rf"\b(?:(\d{{1,2}})\s+({_MONTH})|({_MONTH})\s+(\d{{1,2}}),?)\s+(\d{{4}})\b")
_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?\s*(am|pm)?(?:\s*(?:utc|gmt|z)\b)?")
_HOURS = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:hours?|hrs?|h)\b(?:,?\s*(?:and\s+)?(\d+)\s*(?:minutes?|mins?|m)\b)?")
_MINUTES = re.compile(r"\b(\d+)\s*(?:minutes?|mins?)\b")
_DAYS = re.compile(r"\b(\d+)\s*(?:business\s+|calendar\s+|working\s+)?days?\b")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")

_CAUSE_LABEL = re.compile(r"\b(?:root cause|the cause|cause found|cause)\s*(?:is|was|:|\(|—|-)\s*(?P<clause>[^.;)\n]+)")
_CAUSE_LINK = re.compile(
    r"\b(?:caused by|due to|because of|because (?!you|we|your|our|it\b)|traced (?:it |this )?to|"
    r"triggered by|the result of)\s*(?P<clause>[^.;)\n]+)"
)
_STOPWORDS = set(
    "the a an and or of to in on for with from by was were is are be been has have had this that "
    "it its our we us new some which when then than into after before".split()
)


class GroundingResult(BaseModel):
    ok: bool
    problems: list[str] = Field(default_factory=list)


def check_grounding(draft: Draft, facts: IncidentFacts) -> GroundingResult:
    """Problems are phrased for the human approving the draft; `ok` means sendable."""
    text = f"{draft.subject}\n{draft.body}"
    problems = [*_length_problems(draft), *_cause_problems(text, facts), *_claim_problems(text, facts)]
    if TO_BE_WRITTEN in text:
        problems.append("the cause is still to be written in words the customer knows (edit it in, then approve)")
    if CHARGED_TO_BE_WRITTEN in text:
        problems.append(
            "say whether customers were charged for what failed (edit it in, or note `charged: …` before resolving), "
            "then approve"
        )
    if draft.public:
        problems += _internal_problems(text, draft, facts)
    return GroundingResult(ok=not problems, problems=list(dict.fromkeys(problems)))


def _length_problems(draft: Draft) -> list[str]:
    limit, size = max_length(draft.channel), length(draft.channel, draft.body)
    if limit is None or size <= limit:
        return []
    what = {Channel.X: "X post", Channel.DISCORD: "Discord message"}.get(draft.channel, f"{draft.channel} message")
    return [f"{what} is {size} characters; the limit is {limit}"]


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9][a-z0-9'-]*", text.lower()) if len(w) > 2 and w not in _STOPWORDS}


def _cause_problems(text: str, facts: IncidentFacts) -> list[str]:
    known = _content_words(f"{facts.cause or ''} {facts.what_was_fixed or ''} {facts.public_cause or ''}")
    problems = []
    for pattern in (_CAUSE_LABEL, _CAUSE_LINK):
        for match in pattern.finditer(text.lower()):
            clause = match["clause"].strip()
            words = _content_words(clause)
            if not words:
                continue
            if facts.cause is None and facts.public_cause is None:
                problems.append(f"states a cause ('{clause}') but no cause is in the facts")
            elif len(words & known) < max(1, len(words) // 2):
                problems.append(f"cause '{clause}' does not match the recorded cause")
    return problems


def _claim_problems(text: str, facts: IncidentFacts) -> list[str]:
    allowed = _Allowed(facts)
    problems: list[str] = []
    masked = _mask(text, facts).lower()
    masked = masked.replace("half an hour", "30 minutes").replace("an hour", "1 hour")
    masked = _WORD_NUMBER.sub(lambda m: str(_WORDS[m[1]]), masked)

    def take(pattern: re.Pattern[str], check: Callable[[re.Match[str]], str | None]) -> None:
        nonlocal masked
        for match in pattern.finditer(masked):
            problem = check(match)
            if problem:
                problems.append(problem)
        masked = pattern.sub(_MASK, masked)

    take(_ISO_DATE, lambda m: allowed.date(m[0], _iso(m)))
    take(_LONG_DATE, lambda m: allowed.date(m[0], _long(m)))
    take(_TIME, lambda m: allowed.time(m[0], _clock(m)))
    take(_HOURS, lambda m: allowed.hours(m[0], float(m[1]), int(m[2] or 0)))
    take(_MINUTES, lambda m: allowed.minutes(m[0], int(m[1])))
    take(_DAYS, lambda m: allowed.days(m[0], int(m[1])))
    take(_PERCENT, lambda m: allowed.percent(m[0], float(m[1])))
    take(_NUMBER, lambda m: allowed.number(m[0], float(m[1].replace(",", "") + (m[2] or ""))))
    return problems


def _mask(text: str, facts: IncidentFacts) -> str:
    """Hide literal fact strings (tag values like 'us-east-1', titles, names) so the digits
    inside them are not read as claims."""
    cohort = detect_cohort(facts)
    literals: set[str] = {facts.title, facts.affected_thing, f"INC-{facts.incident_id}"}
    literals.update(facts.endpoints)
    literals.update(x for x in (facts.service, facts.cause, facts.what_was_fixed, facts.charged) if x)
    if facts.severity:
        literals.add(facts.severity.value)
    for tag, distribution in facts.tags.items():
        literals.add(tag)
        literals.update(distribution)
    literals.update(t.value for t in cohort.traits)
    literals.update(a.name for a in facts.known_accounts)
    literals.update(f.title for f in facts.follow_ups)
    literals.update(facts.brand.literals())
    for literal in sorted((x for x in literals if x and any(c.isdigit() for c in x)), key=len, reverse=True):
        text = re.sub(re.escape(literal), _MASK, text, flags=re.IGNORECASE)
    return text


class _Allowed:
    """The normalised values a draft may cite, derived from the facts only."""

    def __init__(self, facts: IncidentFacts) -> None:
        cohort = detect_cohort(facts)
        moments = [
            facts.started_at,
            facts.detected_at,
            facts.last_seen_at,
            facts.next_update_at,
            facts.resolved_at,
            facts.eta_at,
        ]
        moments += [m for i in facts.account_impact for m in (i.first_at, i.last_at)]
        present = [m.astimezone(UTC) for m in moments if m is not None]
        dues = [due for account in facts.known_accounts if (due := rca_due(facts, account))]
        dues += [f.due for f in facts.follow_ups]
        self._times = {(m.hour, m.minute) for m in present}
        self._dates = {m.date() for m in [*present, *(d.astimezone(UTC) for d in dues)]}
        minutes = {facts.eta_minutes, facts.duration_minutes, facts.event_window_minutes}
        minutes |= {i.minutes for i in facts.account_impact}
        if facts.next_update_at is not None:
            minutes.add(round((facts.next_update_at - facts.detected_at) / timedelta(minutes=1)))
        self._minutes = {m for m in minutes if m}
        self._days = {a.sla_rca_days for a in facts.known_accounts if a.sla_rca_days}
        shares = [facts.affected_share, *(t.share for t in cohort.traits)]
        self._percents = [s * 100 for s in shares if s is not None]
        numbers: set[float] = {
            facts.incident_id,
            facts.event_count,
            facts.users_affected,
            cohort.size,
            len(facts.affected_users),
            len(cohort.recipients),
            len(cohort.accounts),
            *(n for i in facts.account_impact for n in (i.users, i.requests)),
            *(account_users(facts, a) for a in facts.known_accounts),
            *self._minutes,
            *self._days,
        }
        numbers.update(round(p) for p in self._percents)
        if facts.affected_share is not None:
            numbers.add(facts.affected_share)
        self._numbers = {float(n) for n in numbers if n}

    def date(self, shown: str, value: date | None) -> str | None:
        return None if value in self._dates else f"date '{shown}' is not in the facts"

    def time(self, shown: str, value: tuple[int, int]) -> str | None:
        return None if value in self._times else f"time '{shown.strip()}' is not in the facts"

    def hours(self, shown: str, hours: float, extra_minutes: int) -> str | None:
        total = hours * 60 + extra_minutes
        if any(abs(total - m) < 1 or (not extra_minutes and m >= 45 and round(m / 60) == hours) for m in self._minutes):
            return None
        return f"duration '{shown}' matches no ETA, duration or window in the facts"

    def minutes(self, shown: str, minutes: int) -> str | None:
        if minutes in self._minutes:
            return None
        return f"duration '{shown}' matches no ETA, duration or window in the facts"

    def days(self, shown: str, days: int) -> str | None:
        return None if days in self._days else f"'{shown}' matches no SLA in the facts"

    def percent(self, shown: str, percent: float) -> str | None:
        if any(abs(percent - p) <= 0.5 for p in self._percents):
            return None
        return f"percentage '{shown}' is not in the facts"

    def number(self, shown: str, value: float) -> str | None:
        return None if any(abs(value - n) < 1e-9 for n in self._numbers) else f"number '{shown}' is not in the facts"


def _iso(match: re.Match[str]) -> date | None:
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _long(match: re.Match[str]) -> date | None:
    day, month = (match[1], match[2]) if match[1] else (match[4], match[3])
    try:
        return date(int(match[5]), _MONTHS.index(month) + 1, int(day))
    except ValueError:
        return None


def _clock(match: re.Match[str]) -> tuple[int, int]:
    hour = int(match[1])
    if match[3] == "pm" and hour < 12:
        hour += 12
    elif match[3] == "am" and hour == 12:
        hour = 0
    return hour, int(match[2])


def _internal_problems(text: str, draft: Draft, facts: IncidentFacts) -> list[str]:
    for literal in facts.brand.literals():
        text = text.replace(literal, " ")
    problems = [f"public draft contains {what} ('{excerpt}')" for what, excerpt in internal_details(text)]
    others = [a for a in facts.known_accounts if draft.account is None or not a.matches(draft.account)]
    problems += [f"public draft names another customer ('{a.name}')" for a in others if _names_in(text, a.name, a.id)]
    cohort = detect_cohort(facts)
    problems += [
        f"public draft names an internal {t.kind} ('{t.value}')"
        for t in cohort.traits
        if t.kind in {"release", "flag"} and t.value.lower() in text.lower()
    ]
    return problems


def _names_in(text: str, *names: str) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.IGNORECASE) for n in names)
