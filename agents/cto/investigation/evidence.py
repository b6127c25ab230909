"""What the investigation's read-only tools return: typed evidence, every piece with its citation id.

The ids follow the investigation suite's grammar (`evals/investigation/README.md`): `alert:<id>`,
`note:<id>`, `history:<incident>[:action:<item>]`, `runbook:<section slug>`,
`codeowners:<pattern>`, `sentry:issue[:<field>]`, `sentry:issues:<id>`,
`sentry:event:latest[:exception|:release|:frame:<n>|:breadcrumb:<n>|:tag:<key>]`,
`sentry:tag:<key>[:<value>]` and `prom:<name>{label="value",…}`. `summaries()` lists every id a
result carries with a one-line summary: the grounding checks claims against exactly those ids.

Strings that came from the application, its alerts or its people (exception values, breadcrumbs,
alert titles, notes, runbook text) are untrusted text; whoever shows them to a model wraps them in
`agents.llm.delimit_untrusted`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from warroom.durations import spell_duration

__all__ = [
    "ActionFact",
    "AlertFact",
    "BreadcrumbFact",
    "Evidence",
    "FrameFact",
    "IncidentFact",
    "IssueFact",
    "NoteFact",
    "OwnerFact",
    "PastIncidentFact",
    "ReleaseFact",
    "RunbookSection",
    "SentryEventFact",
    "SeriesFact",
    "TagFact",
    "TagShareFact",
    "TimelineFact",
    "fmt_number",
    "fmt_span",
    "short",
]


def short(text: str | None, limit: int = 140) -> str:
    """One line of at most `limit` characters."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class IncidentFact(BaseModel):
    """The incident itself, as the tools see it (no citation: it is the subject, not evidence)."""

    id: int
    title: str
    service: str | None = None
    severity: str | None = None
    first_seen: datetime
    opened_at: datetime
    event_count: int = 0


class AlertFact(BaseModel):
    """One distinct alert of the incident (or of one that began beside it, `incident_id` says
    which); `count` identical deliveries are folded into it."""

    citation: str
    incident_id: int
    source: str
    title: str
    message: str = ""
    service: str | None = None
    level: str | None = None
    at: datetime
    count: int = 1
    expressions: list[str] = Field(default_factory=list, description="PromQL the alert evaluates, when it says")
    sentry_issue: str | None = Field(default=None, description="the Sentry issue a Sentry alert names")
    exception: str | None = Field(default=None, description="'Type: value' of the event a Sentry alert carries")
    culprit: str | None = None
    release: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    payload_pruned_days: int | None = Field(
        default=None,
        description="the source's payload was pruned this many days after it arrived: what only it said "
        "(exception, culprit, release) is unknown, not absent",
    )

    def summary(self) -> str:
        pruned = (
            f" (payload pruned after {self.payload_pruned_days} days)" if self.payload_pruned_days is not None else ""
        )
        return short(f"{self.source} alert at {self.at:%H:%M} UTC{pruned}: {self.title}")


class NoteFact(BaseModel):
    citation: str
    at: datetime
    author: str
    text: str

    def summary(self) -> str:
        return short(f"note by {self.author} at {self.at:%H:%M} UTC: {self.text}")


class TimelineFact(BaseModel):
    citation: str
    at: datetime
    kind: str
    text: str

    def summary(self) -> str:
        return short(f"{self.kind} at {self.at:%H:%M} UTC: {self.text}")


class ReleaseFact(BaseModel):
    version: str
    released_at: datetime | None = None


class IssueFact(BaseModel):
    """A Sentry issue: the incident's own (`sentry:issue`) or another (`sentry:issues:<id>`)."""

    citation: str
    id: str
    title: str
    culprit: str | None = None
    count: int = 0
    user_count: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    first_release: ReleaseFact | None = None
    tag_keys: list[str] = Field(default_factory=list)
    project: str | None = None

    def field(self, name: str) -> str:
        """The citation of one field (`sentry:issue:first_release`)."""
        return f"{self.citation}:{name}"

    def summaries(self) -> dict[str, str]:
        found = {self.citation: short(f"Sentry issue {self.id}: {self.title} ({self.count} events)")}
        if self.citation != "sentry:issue":
            return found
        found[self.field("title")] = short(f"issue title: {self.title}")
        found[self.field("count")] = f"{self.count} events"
        found[self.field("user_count")] = f"{self.user_count} users"
        if self.culprit:
            found[self.field("culprit")] = short(f"culprit: {self.culprit}")
        if self.first_seen:
            found[self.field("first_seen")] = f"first seen {self.first_seen:%Y-%m-%d %H:%M} UTC"
        if self.last_seen:
            found[self.field("last_seen")] = f"last seen {self.last_seen:%Y-%m-%d %H:%M} UTC"
        if self.first_release:
            released = self.first_release.released_at
            when = f", released {released:%Y-%m-%d %H:%M} UTC" if released else ""
            found[self.field("first_release")] = short(f"first release {self.first_release.version}{when}")
        return found


class FrameFact(BaseModel):
    """An in-app stack frame; `citation` counts frames from where the exception was raised."""

    citation: str
    function: str | None = None
    module: str | None = None
    filename: str | None = None
    lineno: int | None = None
    context_line: str | None = None

    @property
    def where(self) -> str:
        place = self.filename or self.module or "?"
        return f"{self.function or '?'} ({place}{f':{self.lineno}' if self.lineno else ''})"


class BreadcrumbFact(BaseModel):
    citation: str
    at: datetime | None = None
    category: str | None = None
    level: str | None = None
    message: str | None = None
    data: dict[str, object] | None = None

    def summary(self) -> str:
        when = f"{self.at:%H:%M:%S} " if self.at else ""
        return short(f"breadcrumb {when}{self.category or ''}: {self.message or self.data or ''}")


class SentryEventFact(BaseModel):
    """The latest event of the incident's Sentry issue (`sentry:event:latest`)."""

    citation: str = "sentry:event:latest"
    event_id: str
    exception_type: str | None = None
    exception_value: str | None = None
    frames: list[FrameFact] = Field(default_factory=list, description="in-app only, innermost first")
    breadcrumbs: list[BreadcrumbFact] = Field(default_factory=list, description="the last ones, oldest first")
    release: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)

    @property
    def exception(self) -> str:
        return ": ".join(p for p in (self.exception_type, self.exception_value) if p)

    def summaries(self) -> dict[str, str]:
        found = {self.citation: short(f"latest event {self.event_id}: {self.exception}")}
        if self.exception:
            found[f"{self.citation}:exception"] = short(f"raised {self.exception}")
        if self.release:
            found[f"{self.citation}:release"] = f"release {self.release}"
        found.update({f.citation: short(f"frame {f.where}") for f in self.frames})
        found.update({b.citation: b.summary() for b in self.breadcrumbs})
        found.update({f"{self.citation}:tag:{k}": short(f"tag {k}={v}") for k, v in self.tags.items()})
        return found


class TagShareFact(BaseModel):
    citation: str
    value: str | None
    count: int
    share: float


class TagFact(BaseModel):
    """How the issue's events split over one tag (`sentry:tag:<key>`), largest value first."""

    citation: str
    key: str
    total: int
    unique_values: int | None = None
    top: list[TagShareFact] = Field(default_factory=list)

    def summaries(self) -> dict[str, str]:
        found = {
            self.citation: short(f"tag {self.key}: {self.unique_values or len(self.top)} values over {self.total}")
        }
        found.update({t.citation: f"{t.share:.0%} of events with {self.key}={t.value}" for t in self.top})
        return found


class SeriesFact(BaseModel):
    """One Prometheus series around the incident; counters are read as their increase per minute."""

    citation: str
    name: str
    labels: dict[str, str] = Field(default_factory=dict)
    per_minute: bool = Field(description="a counter, read as its increase per minute")
    baseline: float | None = Field(default=None, description="the usual value before the incident")
    changed_at: datetime | None = Field(default=None, description="when it left its baseline, if it did")
    peak: float | None = Field(default=None, description="the value furthest from the baseline since")
    last: float | None = None
    points: list[tuple[datetime, float]] = Field(default_factory=list, description="a few points, oldest first")

    def summary(self) -> str:
        unit = "/min" if self.per_minute else ""
        if self.changed_at is None:
            return short(f"{self.citation}: steady around {fmt_number(self.baseline)}{unit}")
        return short(
            f"{self.citation}: from {fmt_number(self.baseline)}{unit} to {fmt_number(self.peak)}{unit} "
            f"from {self.changed_at:%H:%M} UTC"
        )


class ActionFact(BaseModel):
    citation: str
    title: str
    owner: str | None = None
    due: datetime | None = None
    status: str


class PastIncidentFact(BaseModel):
    """A resolved past incident like this one, with its postmortem's cause and its action items."""

    citation: str
    id: str
    title: str
    service: str | None = None
    started_at: datetime | None = None
    resolved_at: datetime | None = None
    cause: str | None = None
    actions: list[ActionFact] = Field(default_factory=list)
    similarity: float = Field(default=0.0, description="share of this incident's words it shares")

    @property
    def open_actions(self) -> list[ActionFact]:
        return [a for a in self.actions if a.status not in ("done", "canceled")]

    def summaries(self) -> dict[str, str]:
        found = {self.citation: short(f"past incident {self.id}: {self.title}; cause: {self.cause or 'unknown'}")}
        found.update({a.citation: short(f"action item ({a.status}): {a.title}") for a in self.actions})
        return found


class RunbookSection(BaseModel):
    citation: str
    heading: str
    text: str

    def summary(self) -> str:
        return short(f"runbook section '{self.heading}'")


class OwnerFact(BaseModel):
    citation: str
    pattern: str
    owners: list[str]

    def summary(self) -> str:
        return short(f"CODEOWNERS {self.pattern} {' '.join(self.owners)}")


class Evidence(BaseModel):
    """Everything the first look read, in one value; a tool that failed is named in `problems`."""

    incident: IncidentFact
    alerts: list[AlertFact] = Field(default_factory=list)
    notes: list[NoteFact] = Field(default_factory=list)
    issue: IssueFact | None = None
    event: SentryEventFact | None = None
    tags: list[TagFact] = Field(default_factory=list)
    other_issues: list[IssueFact] = Field(default_factory=list)
    series: list[SeriesFact] = Field(default_factory=list)
    past: list[PastIncidentFact] = Field(default_factory=list)
    runbook: list[RunbookSection] = Field(default_factory=list)
    owners: list[OwnerFact] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)

    def raising_alert(self, *, own: bool) -> AlertFact | None:
        """The first alert that carries an exception: of this incident (`own`), or of one that
        began beside it, which may be related and is never to be read as this incident's errors."""
        return next(
            (a for a in self.alerts if a.exception and (a.incident_id == self.incident.id) is own),
            None,
        )

    def _whose(self, alert: AlertFact) -> str:
        """Said of an alert of another incident, so neither a reader nor the model takes it for this one's."""
        return (
            "" if alert.incident_id == self.incident.id else f" (incident #{alert.incident_id}, began beside this one)"
        )

    def summaries(self) -> dict[str, str]:
        """Every citation id this evidence carries, with a one-line summary."""
        found: dict[str, str] = {}
        found.update({a.citation: a.summary() + self._whose(a) for a in self.alerts})
        found.update({n.citation: n.summary() for n in self.notes})
        for item in [self.issue, self.event, *self.tags, *self.other_issues, *self.past]:
            if item is not None:
                found.update(item.summaries())
        found.update({s.citation: s.summary() for s in [*self.series, *self.runbook, *self.owners]})
        return found


def fmt_span(delta: timedelta) -> str:
    """A duration rounded for a person: minutes under two hours, hours under two days, else days."""
    seconds = abs(delta.total_seconds())
    if seconds < 7200:
        return spell_duration(timedelta(seconds=max(60, seconds)), ("minute",))
    if seconds < 172800:
        return spell_duration(timedelta(seconds=seconds), ("hour",))
    return spell_duration(timedelta(seconds=seconds), ("day",))


def fmt_number(value: float | None) -> str:
    """A measured value for a sentence: whole numbers with separators, others to three figures."""
    if value is None:
        return "?"
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.3g}"
