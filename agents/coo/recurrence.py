"""The recurrence guard: an incident that looks like a past one whose postmortem's action items are
still open is the commitment that did not land yet, and the responders are told so, the open
tickets named; and the digest's recurrence rate, counted by the same match.

One match for all three (the guard, the digest, the CTO's `flows.history.similar_past`): the same
alert key, or a title sharing most of the new incident's words, of an incident opened within the
90 days before and ended (resolved, or recovered at its source) by the time it is asked about.
Pure: the flows read the rows, this decides and words it.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Protocol

from pydantic import BaseModel

from agents.cto.status_posts import headline
from warroom.action_items.store import ActionItem, TicketState
from warroom.incidents.models import Incident
from warroom.severity import Classification, Evidence

__all__ = [
    "OPEN",
    "WINDOW",
    "Matchable",
    "OpenItem",
    "Recurrence",
    "alike",
    "evidence",
    "notice",
    "recurrences",
    "recurring",
    "recurs",
    "ticket_name",
    "with_evidence",
    "words",
]

WINDOW = timedelta(days=90)
"""How far back a past incident counts as the same cause coming back."""
SHARED = 0.6
"""The share of the new title's words a past title must have to look alike."""
OPEN = (TicketState.OPEN, TicketState.IN_PROGRESS)
MAX_ITEMS = 5
"""Items named per past incident in the notice; the rest are counted."""


@lru_cache(maxsize=8192)
def words(text: str) -> frozenset[str]:
    """The words a title is matched on: lower case, three letters or more, no bare numbers.
    Cached: a year's titles repeat (the same alerts come back), and the digest asks for each often."""
    return frozenset(w for w in re.split(r"[^a-z0-9]+", text.lower()) if len(w) > 2 and not w.isdigit())


def alike(title: str, dedup_key: str, past_title: str, past_dedup_key: str) -> bool:
    """The same alert key, or a past title holding most (60%) of this title's words."""
    if dedup_key == past_dedup_key:
        return True
    mine = words(title)
    return len(mine & words(past_title)) >= max(1, int(SHARED * len(mine)))


class Matchable(Protocol):
    """What the match reads of an incident: an `Incident`, or a narrower record of one."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def dedup_key(self) -> str: ...
    @property
    def opened_at(self) -> datetime: ...
    @property
    def resolved_at(self) -> datetime | None: ...
    @property
    def source_recovered_at(self) -> datetime | None: ...


def _ended(past: Matchable, at: datetime) -> bool:
    return any(moment is not None and moment <= at for moment in (past.resolved_at, past.source_recovered_at))


def recurs(incident: Matchable, past: Matchable, at: datetime | None = None) -> bool:
    """`incident` is `past` coming back: alike, `past` opened within the 90 days before it and
    ended by `at` (default: when `incident` opened; the guard asks at the moment it runs)."""
    return (
        past.id != incident.id
        and incident.opened_at - WINDOW <= past.opened_at < incident.opened_at
        and _ended(past, at or incident.opened_at)
        and alike(incident.title, incident.dedup_key, past.title, past.dedup_key)
    )


class _Newest:
    """Incidents of one alert key or one title, newest first (ties in the order given)."""

    def __init__(self) -> None:
        self.ranked: list[tuple[tuple[float, int], Matchable]] = []

    def ready(self) -> None:
        self.ranked.sort(key=lambda r: r[0])
        self.ranks = [rank for rank, _ in self.ranked]

    def before(self, moment: datetime) -> Iterator[tuple[tuple[float, int], Matchable]]:
        """Those opened before `moment`, newest first."""
        return iter(self.ranked[bisect_right(self.ranks, (-moment.timestamp(), float("inf"))) :])


def recurring(incidents: Sequence[Matchable], known: Sequence[Matchable]) -> dict[int, int]:
    """For each of `incidents` that recurs one of `known` (each as of when it opened): the id of
    the newest one it recurs (of two opened at once, the first in `known`). The digest's
    recurrence rate is its length over the incidents'.

    Only candidates are tried, newest first, until one matches: those with the same alert key and
    those whose title shares enough words, found through an index of `known`'s distinct titles by
    word. Comparing every incident with every known one was a week's 350 incidents against 90
    days' 4,800: 1.7 million title comparisons and most of a busy year's digest time."""
    by_key: dict[str, _Newest] = {}
    by_title: dict[str, _Newest] = {}
    for n, past in enumerate(known):
        rank = (-past.opened_at.timestamp(), n)
        by_key.setdefault(past.dedup_key, _Newest()).ranked.append((rank, past))
        by_title.setdefault(past.title, _Newest()).ranked.append((rank, past))
    for group in (*by_key.values(), *by_title.values()):
        group.ready()
    titles_with: dict[str, list[str]] = {}
    for title in by_title:
        for word in words(title):
            titles_with.setdefault(word, []).append(title)
    alike_titles: dict[str, list[str]] = {}
    found = {}
    for incident in incidents:
        titles = alike_titles.get(incident.title)
        if titles is None:
            mine = words(incident.title)
            shared = Counter(title for word in mine for title in titles_with.get(word, ()))
            titles = [t for t, n in shared.items() if n >= max(1, int(SHARED * len(mine)))]
            alike_titles[incident.title] = titles
        groups = [g for g in (by_key.get(incident.dedup_key), *(by_title[t] for t in titles)) if g is not None]
        oldest = incident.opened_at - WINDOW
        for _, past in heapq.merge(*(g.before(incident.opened_at) for g in groups), key=lambda r: r[0]):
            if past.opened_at < oldest:
                break
            if recurs(incident, past):
                found[incident.id] = past.id
                break
    return found


class OpenItem(BaseModel):
    """One action item of the past incident still open, as the notice names it."""

    id: int
    ticket: str
    title: str
    owner: str
    due: datetime
    status: TicketState
    overdue: bool


class Recurrence(BaseModel):
    """A past incident this one looks like, with its action items still open."""

    incident_id: int
    headline: str
    opened_at: datetime
    items: list[OpenItem]


def ticket_name(item: ActionItem) -> str:
    """The ticket as people say it: the tracker's identifier (`ENG-12`), else the built-in `AI-<id>`."""
    ref = (item.tracker_ref or "").split(" ", 1)[0]
    return ref if ref and not ref.startswith("http") else f"AI-{item.id}"


def recurrences(
    incident: Incident, past: Sequence[Incident], items: Sequence[ActionItem], now: datetime
) -> list[Recurrence]:
    """The past incidents `incident` recurs (ended by `now`) whose action items are still open
    (open or in progress), newest first, each with those items by due date. Empty when every
    item of every match is done or canceled: nothing promised is left undone."""
    found = []
    for other in sorted(past, key=lambda p: p.opened_at, reverse=True):
        if not recurs(incident, other, now):
            continue
        still_open = sorted(
            (i for i in items if i.incident_id == other.id and i.status in OPEN), key=lambda i: (i.due, i.id)
        )
        if still_open:
            found.append(
                Recurrence(
                    incident_id=other.id,
                    headline=headline(other),
                    opened_at=other.opened_at,
                    items=[
                        OpenItem(
                            id=i.id,
                            ticket=ticket_name(i),
                            title=i.title,
                            owner=i.owner,
                            due=i.due,
                            status=i.status,
                            overdue=i.due < now,
                        )
                        for i in still_open
                    ],
                )
            )
    return found


def _day(moment: datetime, now: datetime) -> str:
    return f"{moment.day} {moment:%b}" + (f" {moment.year}" if moment.year != now.year else "")


def _item(item: OpenItem, now: datetime) -> str:
    state = "overdue" if item.overdue else ("in progress" if item.status is TicketState.IN_PROGRESS else "")
    return f"{item.ticket} '{item.title}' ({item.owner}, due {_day(item.due, now)}" + (f", {state})" if state else ")")


def _items(items: list[OpenItem], now: datetime) -> str:
    named = "; ".join(_item(i, now) for i in items[:MAX_ITEMS])
    more = len(items) - MAX_ITEMS
    return named + (f"; and {more} more" if more > 0 else "")


def notice(found: Sequence[Recurrence], now: datetime) -> str:
    """ "This looks like #12 (Checkout was failing, 3 Nov) again. Its action items still open:
    AI-4 'Fix the retry storm' (dana, due 10 Nov, overdue)." One sentence more per other match."""
    first, *others = found
    lines = [
        f"This looks like #{first.incident_id} ({first.headline}, {_day(first.opened_at, now)}) again. "
        f"Its action item{'s' if len(first.items) != 1 else ''} still open: {_items(first.items, now)}."
    ]
    lines += [
        f"It also looks like #{r.incident_id} ({r.headline}, {_day(r.opened_at, now)}), still open: "
        f"{_items(r.items, now)}."
        for r in others
    ]
    return "\n".join(lines)


def evidence(found: Sequence[Recurrence]) -> Evidence:
    """The triage evidence line: shown beside the classification, never weighed in it."""
    named = ", ".join(f"#{r.incident_id} ({len(r.items)} open: {', '.join(i.ticket for i in r.items)})" for r in found)
    return Evidence(
        signal="recurrence",
        detail=f"recurs {named}: action items from its postmortem are still open; shown, not weighed",
        rule="coo:recurrence",
    )


def with_evidence(classification: Classification, found: Sequence[Recurrence]) -> Classification:
    """The classification with the recurrence line among its evidence, before the conclusion
    (the rules' last line); the level, the rule and the floor stay as they were."""
    if not found:
        return classification
    lines = list(classification.evidence)
    at = next((n for n, line in enumerate(lines) if line.signal == "decision"), len(lines))
    lines.insert(at, evidence(found))
    return classification.model_copy(update={"evidence": lines})
