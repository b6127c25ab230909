"""What the postmortem drafter reads (`PostmortemInput`) and what it writes (`Postmortem`).

The input is a snapshot the graph assembles from the store when an incident resolves; the
output is plain data the API stores, versions and renders. Both are pydantic so they cross
the graph checkpoint and the REST API unchanged.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from warroom.incidents.models import Incident, IncidentStatus
from warroom.severity import Severity

__all__ = [
    "UNKNOWN",
    "ActionItemDraft",
    "AlertSummary",
    "CommsSent",
    "HumanNote",
    "ImpactReport",
    "Owners",
    "PastIncident",
    "Postmortem",
    "PostmortemInput",
    "RelatedIncident",
    "Sentence",
    "SlaBreach",
    "SlaTargets",
    "StatusUpdateSent",
    "TimelineEntry",
    "WarRoomMessage",
    "WhyStep",
]

UNKNOWN = "unknown — to be completed"


def _minutes(p0: float, p1: float, p2: float, p3: float) -> dict[Severity, float]:
    return {Severity.P0: p0, Severity.P1: p1, Severity.P2: p2, Severity.P3: p3}


class AlertSummary(BaseModel):
    """One alert (or a storm of one alert) as the timeline shows it."""

    at: datetime
    source: str
    title: str
    count: int = Field(default=1, ge=1)


class StatusUpdateSent(BaseModel):
    at: datetime
    status: IncidentStatus
    body: str


class CommsSent(BaseModel):
    """A customer message that actually went out (not a draft)."""

    at: datetime
    channel: str
    audience: str


class HumanNote(BaseModel):
    at: datetime
    author: str
    text: str


class WarRoomMessage(BaseModel):
    at: datetime
    author: str
    text: str


class SlaTargets(BaseModel):
    """The team's response targets; defaults follow the playbook's P0–P3 clocks."""

    detect_minutes: float = 5
    first_status_post_minutes: float = 5
    first_comms_minutes: float = 5
    acknowledge_minutes: dict[Severity, float] = Field(default_factory=lambda: _minutes(5, 15, 60, 240))
    resolve_minutes: dict[Severity, float] = Field(default_factory=lambda: _minutes(60, 240, 24 * 60, 7 * 24 * 60))
    update_cadence_minutes: dict[Severity, float] = Field(
        default_factory=lambda: _minutes(15, 30, 24 * 60, 7 * 24 * 60)
    )


class PastIncident(BaseModel):
    id: int
    title: str
    root_cause: str | None = None
    resolved_at: datetime | None = None
    open_action_items: list[str] = Field(default_factory=list)


class Owners(BaseModel):
    """Who owns follow-ups: named people and roles (`roles["comms"] = "alice"`) from config."""

    incident_commander: str | None = None
    on_call: str | None = None
    service_owners: list[str] = Field(default_factory=list)
    roles: dict[str, str] = Field(default_factory=dict)

    @property
    def default(self) -> str:
        """The incident commander, else the on-call, else a service owner, else the role itself."""
        return self.incident_commander or self.on_call or next(iter(self.service_owners), None) or "incident commander"

    def names(self) -> list[str]:
        people = [self.incident_commander, self.on_call, *self.service_owners, *self.roles.values()]
        return [p for p in dict.fromkeys(people) if p]

    def role_of(self, name: str) -> str:
        """How the postmortem refers to a person: by role, so names stay out of the narrative."""
        lowered = name.strip().lstrip("@").lower()
        if lowered in {"warroom", "system", "bot"}:
            return "warroom"
        for role, person in self.roles.items():
            if person.lower() == lowered:
                return role
        if self.incident_commander and self.incident_commander.lower() == lowered:
            return "incident commander"
        if self.on_call and self.on_call.lower() == lowered:
            return "on-call"
        if lowered in {o.lower() for o in self.service_owners}:
            return "service owner"
        return "responder"

    def owner_for(self, *roles: str, fallback: str | None = None) -> str:
        """The person for the first configured role in `roles` ("name (role)"), else `fallback`,
        else the default owner."""
        for role in roles:
            if role in self.roles:
                return f"{self.roles[role]} ({role})"
        return fallback or self.default


class PostmortemInput(BaseModel):
    """Everything known about a resolved incident, gathered by the caller; `now` dates the items."""

    incident: Incident
    alerts: list[AlertSummary] = Field(default_factory=list)
    status_posts: list[StatusUpdateSent] = Field(default_factory=list)
    comms: list[CommsSent] = Field(default_factory=list)
    notes: list[HumanNote] = Field(default_factory=list)
    war_room: list[WarRoomMessage] = Field(default_factory=list)
    cohort: str | None = None
    cohort_size: int | None = Field(default=None, ge=0)
    users_affected: int | None = Field(default=None, ge=0, description="defaults to the incident's")
    requests_affected: int | None = Field(
        default=None, ge=0, description="defaults to the incident's error-event count"
    )
    revenue_per_minute: float | None = Field(default=None, ge=0)
    currency: str = "USD"
    sla: SlaTargets = Field(default_factory=SlaTargets)
    past_incidents: list[PastIncident] = Field(default_factory=list)
    owners: Owners = Field(default_factory=Owners)
    people: list[str] = Field(
        default_factory=list,
        description="extra names to keep out of cause statements (owners and authors are added)",
    )
    action_due_days: dict[Severity, int] = Field(
        default_factory=lambda: {Severity.P0: 7, Severity.P1: 14, Severity.P2: 30, Severity.P3: 90}
    )
    now: datetime


class SlaBreach(BaseModel):
    measure: str
    actual: timedelta | None = Field(description="None when the step never happened")
    target: timedelta
    text: str


class ImpactReport(BaseModel):
    first_error_at: datetime
    started_at: datetime = Field(description="the impact's start: the first error (detection is measured apart)")
    resolved_at: datetime | None
    duration: timedelta
    time_to_detect: timedelta
    time_to_acknowledge: timedelta | None
    time_to_first_status_post: timedelta | None
    time_to_first_comms: timedelta | None
    users_affected: int
    requests_affected: int
    cohort: str | None
    cohort_size: int | None
    revenue_estimate: float | None = Field(description="duration × revenue per minute, if configured")
    currency: str
    sla_breaches: list[SlaBreach] = Field(default_factory=list)


class TimelineEntry(BaseModel):
    at: datetime = Field(description="the stored timestamp, unchanged")
    source: str
    text: str
    actor: str | None = None


class WhyStep(BaseModel):
    question: str
    answer: str
    source: str
    sources: list[int] = Field(default_factory=list, description="timeline entries (1 is the first) it rests on")


class Sentence(BaseModel):
    """A model-written sentence and the timeline entries it rests on (1 is the first entry)."""

    text: str
    sources: list[int] = Field(default_factory=list)


class ActionItemDraft(BaseModel):
    title: str
    owner: str
    due: datetime
    priority: Severity = Field(description="P0–P3 on the same scale as incident severity")
    source: str


class RelatedIncident(BaseModel):
    id: int
    title: str
    root_cause: str | None
    resolved_at: datetime | None
    similarity: float
    same_cause: bool
    open_action_items: list[str] = Field(default_factory=list)


class Postmortem(BaseModel):
    incident_id: int
    title: str
    severity: Severity | None
    service: str | None
    drafted_at: datetime
    summary: str
    impact: ImpactReport
    timeline: list[TimelineEntry]
    root_cause: str
    root_cause_known: bool
    trigger: str = Field(default="", description="what set it off, from the noted cause, at the first error")
    detection: str = Field(default="", description="how it was found: the first alert, its lag, the acknowledgement")
    resolution: str = Field(default="", description="what fixed it: `fixed:` notes and the resolve summary")
    five_whys: list[WhyStep]
    contributing_factors: list[str]
    went_well: list[str]
    could_be_better: list[str]
    action_items: list[ActionItemDraft]
    related_incidents: list[RelatedIncident]
    repeat_warnings: list[str] = Field(description="same cause seen before with items still open")
    withheld: int = Field(default=0, description="human lines left out for blaming wording")
    summary_sentences: list[Sentence] = Field(
        default_factory=list, description="the summary sentence by sentence, when a model wrote it"
    )
    root_cause_narrative: list[Sentence] = Field(
        default_factory=list, description="how the root cause came about, when a model wrote it"
    )
    written_by: dict[str, str] = Field(
        default_factory=dict, description="section -> the model that wrote it; absent sections are the rules'"
    )
