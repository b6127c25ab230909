"""The weekly engineering digest: what the incidents of the week cost and whether what the
postmortems promised is getting done ("action items from 4 past incidents: 7 closed, 2 in
progress, 1 overdue"), with the overdue items named so someone can chase them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, Field, computed_field

from warroom.action_items.store import ActionItem, TicketState
from warroom.durations import spell_duration
from warroom.incidents.models import Incident

__all__ = ["Digest", "weekly_digest"]

UNITS = ("day", "hour", "minute")


class OverdueItem(BaseModel):
    id: int
    incident_id: int
    title: str
    owner: str
    due: datetime
    days_overdue: int


class Digest(BaseModel):
    since: datetime
    until: datetime
    incidents: int
    by_severity: dict[str, int] = Field(default_factory=dict)
    median_minutes_to_acknowledge: float | None = None
    median_minutes_to_resolve: float | None = None
    items_from_incidents: int = 0
    closed: int = 0
    in_progress: int = 0
    open: int = 0
    overdue: list[OverdueItem] = Field(default_factory=list)
    closed_this_week: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def subject(self) -> str:
        return (
            f"warroom weekly digest: {self.incidents} incident{'s' if self.incidents != 1 else ''}, "
            f"{len(self.overdue)} overdue action item{'s' if len(self.overdue) != 1 else ''}"
        )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def text(self) -> str:
        lines = [f"Week {self.since:%Y-%m-%d} to {self.until:%Y-%m-%d} (UTC)", ""]
        severities = ", ".join(f"{n} {s}" for s, n in sorted(self.by_severity.items())) or "none"
        lines.append(f"Incidents opened: {self.incidents} ({severities})")
        if self.median_minutes_to_acknowledge is not None:
            lines.append(
                f"Median time to acknowledge: {spell_duration(timedelta(minutes=self.median_minutes_to_acknowledge), UNITS)}"
            )
        if self.median_minutes_to_resolve is not None:
            lines.append(
                f"Median time to resolve: {spell_duration(timedelta(minutes=self.median_minutes_to_resolve), UNITS)}"
            )
        lines += [
            "",
            f"Action items from {self.items_from_incidents} past incident{'s' if self.items_from_incidents != 1 else ''}: "
            f"{self.closed} closed, {self.in_progress} in progress, {self.open} open, {len(self.overdue)} overdue "
            f"({self.closed_this_week} closed this week).",
        ]
        for item in self.overdue:
            lines.append(
                f"- OVERDUE {item.days_overdue} day{'s' if item.days_overdue != 1 else ''}: {item.title} "
                f"(owner {item.owner}, incident #{item.incident_id}, due {item.due:%Y-%m-%d})"
            )
        return "\n".join(lines)


def _median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def weekly_digest(
    incidents: Sequence[Incident], items: Sequence[ActionItem], *, now: datetime, days: int = 7
) -> Digest:
    since = now - timedelta(days=days)
    week = [i for i in incidents if i.opened_at >= since]
    ack = [(i.acknowledged_at - i.opened_at) / timedelta(minutes=1) for i in week if i.acknowledged_at]
    resolve = [(i.resolved_at - i.opened_at) / timedelta(minutes=1) for i in week if i.resolved_at]
    states = Counter(item.status for item in items)
    overdue = [
        OverdueItem(
            id=item.id,
            incident_id=item.incident_id,
            title=item.title,
            owner=item.owner,
            due=item.due,
            days_overdue=max(1, (now - item.due).days),
        )
        for item in items
        if item.status in (TicketState.OPEN, TicketState.IN_PROGRESS) and item.due < now
    ]
    return Digest(
        since=since,
        until=now,
        incidents=len(week),
        by_severity=dict(Counter(i.severity.value for i in week if i.severity)),
        median_minutes_to_acknowledge=_median(ack),
        median_minutes_to_resolve=_median(resolve),
        items_from_incidents=len({item.incident_id for item in items}),
        closed=states[TicketState.DONE],
        in_progress=states[TicketState.IN_PROGRESS],
        open=states[TicketState.OPEN],
        overdue=sorted(overdue, key=lambda o: o.due),
        closed_this_week=sum(1 for item in items if item.completed_at and item.completed_at >= since),
    )
