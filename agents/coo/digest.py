"""The weekly engineering digest: what the week's incidents cost, how the response measured up
against the playbook's targets, and whether what the postmortems promised is getting done
("action items from 4 past incidents: 7 closed, 2 in progress, 1 overdue"), with the overdue
items named so someone can chase them, and how many of the week's incidents were a past one
coming back (the recurrence rate: the same match as the COO's recurrence guard,
`agents.coo.recurrence`).

Every figure is computed from the stored record (timestamps on the incidents and their
timelines, the drafts, the postmortem versions, the action items), never estimated. Pure: the
flow (`flows.tickets.build_digest`) reads the rows, this turns them into the digest.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, Field, computed_field

from agents.coo.recurrence import WINDOW, Matchable, recurring
from warroom.action_items.store import ActionItem
from warroom.action_items.tally import ItemTally
from warroom.drafts.models import DraftRecord, DraftState
from warroom.durations import spell_duration
from warroom.incidents.models import Incident
from warroom.kinds import TimelineKind
from warroom.severity import Severity

__all__ = [
    "TIMELINE_KINDS",
    "Authored",
    "Digest",
    "Measure",
    "Recurred",
    "Target",
    "month_window",
    "week_window",
    "weekly_digest",
]

UNITS = ("day", "hour", "minute")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
REVIEW_BUSINESS_DAYS = 5
"""The playbook's "postmortem completed within 5 business days" of resolution."""
RECURRENCE_GOAL = 0.15
"""The playbook's "fewer than 15% of incidents recur with the same cause within 90 days"."""
TIMELINE_KINDS = (
    TimelineKind.STATUS_PAGE,
    TimelineKind.COMMS_SENT,
    TimelineKind.COMMS_DECISION,
    TimelineKind.RESOLVED,
    TimelineKind.POSTMORTEM_OVERDUE,
)
"""The timeline entries the digest reads: a flow may load only these (a year's lookback is
thousands of incidents, and most of their entries say nothing the digest counts)."""


class Authored(Protocol):
    """A postmortem version as far as the digest cares: which, by whom, when."""

    @property
    def version(self) -> int: ...
    @property
    def author(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


def week_window(week: str) -> tuple[datetime, datetime]:
    """The ISO week `2026-W48` as [Monday 00:00 UTC, next Monday 00:00 UTC); ValueError if malformed."""
    match = _WEEK.match(week)
    if not match:
        raise ValueError(f"week {week!r} is not an ISO week such as 2026-W48")
    start = datetime.combine(date.fromisocalendar(int(match[1]), int(match[2]), 1), datetime.min.time(), UTC)
    return start, start + timedelta(days=7)


def month_window(month: str) -> tuple[datetime, datetime]:
    """The calendar month `2026-11` as [1st 00:00 UTC, next month's 1st 00:00 UTC); ValueError if malformed."""
    match = _MONTH.match(month)
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"month {month!r} is not a month such as 2026-11")
    year, number = int(match[1]), int(match[2])
    start = datetime(year, number, 1, tzinfo=UTC)
    return start, datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)


class OverdueItem(BaseModel):
    id: int
    incident_id: int
    title: str
    owner: str
    due: datetime
    days_overdue: int


class Measure(BaseModel):
    """One response time over the week's incidents: median and worst, the worst one named."""

    name: str
    count: int = Field(description="incidents it could be measured on")
    median_minutes: float | None = None
    worst_minutes: float | None = None
    worst_incident: int | None = None


class Target(BaseModel):
    """One of the playbook's targets: how many of the incidents it applies to met it; for a rate
    to keep down (`below`, the recurrence rate), how many counted against it."""

    name: str
    met: int
    of: int
    goal: float = Field(description="the share to reach, 0.95 for 95%; with `below`, the share to stay under")
    below: bool = Field(default=False, description="met while the share is below the goal, not at or above it")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def share(self) -> float | None:
        return self.met / self.of if self.of else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool | None:
        if self.share is None:
            return None
        return self.share < self.goal if self.below else self.share >= self.goal


class Recurred(BaseModel):
    """One of the window's incidents that was a past one (opened within the 90 days before) again."""

    incident_id: int
    recurs: int = Field(description="the newest past incident it matched")


class CommsTally(BaseModel):
    """The week's customer drafts by what people did with them."""

    drafted: int = 0
    approved: int = Field(default=0, description="approved by a person (edited ones included)")
    edited: int = Field(default=0, description="approved after a person changed the text")
    auto_sent: int = 0
    rejected: int = 0
    withdrawn: int = Field(default=0, description="never sent: the facts moved on before anyone decided")


class Digest(BaseModel):
    label: str = Field(description="the ISO week (2026-W48), or the window's length")
    since: datetime
    until: datetime
    incidents: int
    by_severity: dict[str, int] = Field(default_factory=dict)
    median_minutes_to_acknowledge: float | None = None
    median_minutes_to_resolve: float | None = None
    measures: list[Measure] = Field(default_factory=list)
    comms: CommsTally = Field(default_factory=CommsTally)
    self_recovered: int = Field(default=0, description="incidents that closed themselves when the source recovered")
    recurred: list[Recurred] = Field(
        default_factory=list,
        description="the window's incidents matching one opened within the 90 days before (same alert key or title)",
    )
    postmortems_overdue: list[int] = Field(
        default_factory=list, description="incidents whose postmortem is still in review past its 24 hours"
    )
    targets: list[Target] = Field(default_factory=list)
    items_from_incidents: int = 0
    closed: int = 0
    in_progress: int = 0
    open: int = 0
    overdue: list[OverdueItem] = Field(default_factory=list)
    closed_this_week: int = 0

    @property
    def period(self) -> str:
        """'week' for an ISO week, 'month' for a calendar month, else 'window' (the last N days)."""
        return "week" if _WEEK.match(self.label) else "month" if _MONTH.match(self.label) else "window"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def title(self) -> str:
        kind = {"week": "weekly digest", "month": "monthly report"}.get(self.period, "digest")
        return f"warroom {kind} {self.label}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> str:
        """Three sentences from the figures alone (no model): what happened, how the response
        measured up against the playbook, and where the action items stand."""
        plural = "s" if self.incidents != 1 else ""
        levels = ", ".join(f"{n} {s}" for s, n in sorted(self.by_severity.items()))
        first = f"{self.incidents} incident{plural} this {self.period}" + (f" ({levels})" if levels else "")
        if self.median_minutes_to_resolve is not None:
            first += f", resolved in {_minutes(self.median_minutes_to_resolve)} at the median"
        judged = [t for t in self.targets if t.share is not None]
        missed = [t.name for t in judged if not t.ok]
        second = (
            "No playbook target could be measured"
            if not judged
            else f"{len(judged) - len(missed)} of {len(judged)} playbook targets met"
            + (f"; missed: {'; '.join(missed)}" if missed else "")
        )
        third = (
            f"Action items: {self.closed} closed, {self.in_progress} in progress, {self.open} not started, "
            f"{len(self.overdue)} overdue"
        )
        return f"{first}. {second}. {third}."

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recurrence_rate(self) -> float | None:
        """The share of the window's incidents that recurred a past one; None without incidents."""
        return len(self.recurred) / self.incidents if self.incidents else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def subject(self) -> str:
        return (
            f"{self.title}: {self.incidents} incident{'s' if self.incidents != 1 else ''}, "
            f"{len(self.overdue)} overdue action item{'s' if len(self.overdue) != 1 else ''}"
        )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        """Plain text (the email); `markdown` is the same with headings and a table."""
        return _render(self, markdown=False)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def markdown(self) -> str:
        return _render(self, markdown=True)


def _minutes(value: float | None) -> str:
    if value is None:
        return "n/a"
    return spell_duration(timedelta(minutes=value), UNITS) if value >= 1 else f"{round(value * 60)} seconds"


def _render(d: Digest, *, markdown: bool) -> str:
    h = (lambda t: f"## {t}") if markdown else (lambda t: t.upper())
    lines = [
        f"# {d.title}" if markdown else d.title,
        f"{d.since:%Y-%m-%d %H:%M} to {d.until:%Y-%m-%d %H:%M} UTC",
        "",
        d.summary,
        "",
    ]
    severities = ", ".join(f"{n} {s}" for s, n in sorted(d.by_severity.items())) or "none"
    lines += [h("Incidents"), f"Incidents opened: {d.incidents} ({severities})"]
    if d.self_recovered:
        lines.append(f"Closed themselves when the source recovered: {d.self_recovered}")
    if d.recurrence_rate is not None:
        again = ", ".join(f"#{r.incident_id} (again #{r.recurs})" for r in d.recurred)
        lines.append(
            f"Recurred within {WINDOW.days} days of a past incident: {len(d.recurred)} of {d.incidents} "
            f"({d.recurrence_rate:.0%})" + (f": {again}" if again else "")
        )
    lines.append("")
    if d.measures:
        lines.append(h("Response times (median, worst)"))
        if markdown:
            lines += ["| measure | incidents | median | worst |", "|---|---|---|---|"]
        for m in d.measures:
            worst = f"{_minutes(m.worst_minutes)} (#{m.worst_incident})" if m.worst_incident else "n/a"
            lines.append(
                f"| {m.name} | {m.count} | {_minutes(m.median_minutes)} | {worst} |"
                if markdown
                else f"- {m.name}: median {_minutes(m.median_minutes)}, worst {worst} over {m.count}"
            )
        lines.append("")
    if d.targets:
        lines.append(h("Against the playbook"))
        for t in d.targets:
            mark = "n/a" if t.share is None else ("met" if t.ok else "MISSED")
            share = "" if t.share is None else f" ({t.share:.0%})"
            lines.append(f"- {t.name}: {t.met} of {t.of}{share}, goal {'< ' if t.below else ''}{t.goal:.0%}: {mark}")
        lines.append("")
    c = d.comms
    lines += [
        h("Customer comms"),
        f"{c.drafted} drafted: {c.approved} approved by a person ({c.edited} edited first), {c.auto_sent} auto-sent, "
        f"{c.rejected} rejected, {c.withdrawn} withdrawn before anyone decided",
        "",
        h("Action items"),
        f"Action items from {d.items_from_incidents} past incident{'s' if d.items_from_incidents != 1 else ''}: "
        f"{d.closed} closed, {d.in_progress} in progress, {d.open} open and not started, {len(d.overdue)} overdue "
        f"({d.closed_this_week} closed this {d.period}).",
    ]
    for item in d.overdue:
        lines.append(
            f"- OVERDUE {item.days_overdue} day{'s' if item.days_overdue != 1 else ''}: {item.title} "
            f"(owner {item.owner}, incident #{item.incident_id}, due {item.due:%Y-%m-%d})"
        )
    if d.postmortems_overdue:
        lines += [
            "",
            "Postmortems still in review past their 24 hours: " + ", ".join(f"#{i}" for i in d.postmortems_overdue),
        ]
    return "\n".join(lines)


def _first(incident: Incident, kind: TimelineKind, where: Callable[[dict], bool] = lambda _: True) -> datetime | None:
    return min((e.at for e in incident.timeline if e.kind == kind and where(e.data or {})), default=None)


def _measure(name: str, pairs: list[tuple[int, float]]) -> Measure:
    if not pairs:
        return Measure(name=name, count=0)
    worst = max(pairs, key=lambda p: p[1])
    return Measure(
        name=name,
        count=len(pairs),
        median_minutes=round(statistics.median(m for _, m in pairs), 2),
        worst_minutes=round(worst[1], 2),
        worst_incident=worst[0],
    )


def _minutes_between(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else max((end - start) / timedelta(minutes=1), 0.0)


def _business_days(start: datetime, end: datetime) -> int:
    """Weekdays from `start`'s day up to (not including) `end`'s day."""
    days = (end.date() - start.date()).days
    return sum((start.date() + timedelta(days=n)).weekday() < 5 for n in range(max(days, 0)))


def _reviewed_at(versions: Sequence[Authored]) -> datetime | None:
    """When a person first saved the postmortem (the draft is warroom's version 1)."""
    return min((v.created_at for v in versions if v.version > 1 and v.author != "warroom"), default=None)


def weekly_digest(
    incidents: Sequence[Incident],
    items: Sequence[ActionItem] | ItemTally,
    *,
    now: datetime,
    since: datetime,
    until: datetime,
    label: str,
    ack_sla_minutes: dict[Severity, float],
    drafts: Sequence[DraftRecord] = (),
    postmortems: Mapping[int, Sequence[Authored]] | None = None,
    past: Sequence[Matchable] = (),
) -> Digest:
    """`incidents` with their timelines (the entries of `TIMELINE_KINDS` are all it reads); those
    opened in [since, until) are the week's, the rest (back to 90 days before `since`) the past the
    week's may recur and whose overdue reviews are named. `past`: more of the 90 days before, for
    the recurrence match alone (a flow need not load whole incidents for it). `items`: every
    action item, or their tally (`warroom.action_items.tally`, counted by the database).
    `postmortems`: each incident's versions, or only who saved each and when."""
    postmortems = postmortems or {}
    week = [i for i in incidents if since <= i.opened_at < until]
    ids = {i.id for i in week}

    def pairs(start: Callable[[Incident], datetime | None], end: Callable[[Incident], datetime | None]):
        return [(i.id, m) for i in week if (m := _minutes_between(start(i), end(i))) is not None]

    detect = pairs(lambda i: i.first_seen, lambda i: i.opened_at)
    ack = pairs(lambda i: i.opened_at, lambda i: i.acknowledged_at)
    first_post = pairs(lambda i: i.opened_at, lambda i: _first(i, TimelineKind.STATUS_PAGE))
    first_message = pairs(
        lambda i: i.opened_at,
        lambda i: _first(i, TimelineKind.COMMS_SENT, lambda d: d.get("channel") not in (None, "slack_internal")),
    )
    resolve = pairs(lambda i: i.opened_at, lambda i: i.resolved_at)

    mine = [d for d in drafts if d.incident_id in ids and d.public]
    by_person = [d for d in mine if d.decided_by and not d.decided_by.startswith("warroom")]
    approved = [d for d in by_person if d.state in (DraftState.APPROVED, DraftState.SENT)]
    edited = {
        int(e.data["draft_id"])
        for i in week
        for e in i.timeline
        if e.kind == TimelineKind.COMMS_DECISION and (e.data or {}).get("edited") and "draft_id" in (e.data or {})
    }
    comms = CommsTally(
        drafted=len(mine),
        approved=len(approved),
        edited=sum(d.id in edited for d in approved),
        auto_sent=sum(
            1
            for d in mine
            if d.decided_by and d.decided_by.startswith("warroom") and d.state is not DraftState.WITHDRAWN
        ),
        rejected=sum(d.state is DraftState.REJECTED for d in mine),
        withdrawn=sum(d.state is DraftState.WITHDRAWN for d in mine),
    )

    paged = [i for i in week if i.severity is not None and i.severity.pages_customers]
    acked_in_time = [
        i
        for i in paged
        if i.acknowledged_at is not None
        and (i.acknowledged_at - i.opened_at) <= timedelta(minutes=ack_sla_minutes.get(i.severity, 5))  # type: ignore[arg-type]
    ]
    p0 = [i for i in paged if i.severity is Severity.P0]
    resolved_paged = [i for i in paged if i.resolved_at is not None]
    reviewed = [
        i
        for i in resolved_paged
        if (at := _reviewed_at(postmortems.get(i.id, []))) is not None
        and _business_days(i.resolved_at, at) <= REVIEW_BUSINESS_DAYS  # type: ignore[arg-type]
    ]
    counted = items if isinstance(items, ItemTally) else ItemTally.of(items, now=now, since=since, until=until)
    again = recurring(sorted(week, key=lambda i: i.id), [*incidents, *past])
    targets = [
        Target(name="P0/P1 acknowledged within their SLA", met=len(acked_in_time), of=len(paged), goal=0.95),
        Target(
            name="P0 with a status-page post",
            met=sum(_first(i, TimelineKind.STATUS_PAGE) is not None for i in p0),
            of=len(p0),
            goal=1.0,
        ),
        Target(
            name="P0/P1 with an incident commander", met=sum(bool(i.commander) for i in paged), of=len(paged), goal=1.0
        ),
        Target(
            name=f"postmortem reviewed within {REVIEW_BUSINESS_DAYS} business days",
            met=len(reviewed),
            of=len(resolved_paged),
            goal=0.95,
        ),
        Target(
            name="action items due by now that are done",
            met=counted.due_done,
            of=counted.due,
            goal=0.7,
        ),
        Target(
            name=f"incidents recurring within {WINDOW.days} days (same cause)",
            met=len(again),
            of=len(week),
            goal=RECURRENCE_GOAL,
            below=True,
        ),
    ]

    overdue = [
        OverdueItem(
            id=item.id,
            incident_id=item.incident_id,
            title=item.title,
            owner=item.owner,
            due=item.due,
            days_overdue=max(1, (now - item.due).days),
        )
        for item in counted.overdue
    ]
    overdue_reviews = [
        i.id
        for i in incidents
        if any(e.kind == TimelineKind.POSTMORTEM_OVERDUE for e in i.timeline)
        and _reviewed_at(postmortems.get(i.id, [])) is None
    ]
    return Digest(
        label=label,
        since=since,
        until=until,
        incidents=len(week),
        by_severity=dict(Counter(i.severity.value for i in week if i.severity)),
        median_minutes_to_acknowledge=_measure("", ack).median_minutes,
        median_minutes_to_resolve=_measure("", resolve).median_minutes,
        measures=[
            _measure("time to detect (first alert to incident)", detect),
            _measure("time to acknowledge", ack),
            _measure("time to the first status-page post", first_post),
            _measure("time to the first customer message", first_message),
            _measure("time to resolve", resolve),
        ],
        comms=comms,
        self_recovered=sum(
            any(e.kind == TimelineKind.RESOLVED and e.text.startswith("Auto-resolved") for e in i.timeline)
            for i in week
        ),
        recurred=[Recurred(incident_id=i, recurs=p) for i, p in again.items()],
        postmortems_overdue=sorted(overdue_reviews),
        targets=targets,
        items_from_incidents=counted.incidents,
        closed=counted.done,
        in_progress=counted.in_progress,
        open=counted.open,
        overdue=overdue,
        closed_this_week=counted.closed_between,
    )
