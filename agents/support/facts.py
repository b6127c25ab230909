"""`IncidentFacts`: everything customer comms may say, gathered in one checked value.

Drafts are rendered from these facts and grounding checks every draft against them, so a number,
time or cause that is not here cannot reach a customer. `flows.facts` builds them with
`IncidentFacts.from_incident` from an `Incident`, its alerts and the Sentry tag enrichment; what
is broken is named by the CTO agent (`agents.cto.affected.affected_thing`), once for both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from warroom.alerts.models import AffectedUser, Alert
from warroom.durations import whole_minutes
from warroom.incidents.models import Incident, IncidentStatus
from warroom.severity import Severity

__all__ = ["AccountImpact", "Brand", "FollowUp", "IncidentFacts", "KnownAccount", "Symptom"]


class Symptom(StrEnum):
    """The verb customer messages use: the symptom, not the severity (a P1 that fails every
    request is "failing", a slow P0 is "slow")."""

    FAILING = "failing"
    INTERMITTENT = "intermittent"
    UNAVAILABLE = "unavailable"
    SLOW = "slow"
    DELAYED = "delayed"
    AT_RISK = "at_risk"
    """Nothing has failed yet (a certificate about to expire): said only once a person opens the page."""
    AFFECTED = "affected"
    """A data exposure, breach, loss or corruption with no outage read: customers are told that the
    thing is affected, never that it fails (it may well work), and what happened to the
    data is said by a person, once known, not guessed by warroom."""

    @classmethod
    def from_reading(cls, facts: Mapping[str, object]) -> Symptom | None:
        """From a classification's typed facts (`state`, `failing_share`, `latency_factor`, `exposure`)."""
        state = facts.get("state")
        share = facts.get("failing_share")
        if state == "down":
            return cls.UNAVAILABLE
        if state == "delayed":
            return cls.DELAYED
        if state == "at_risk":
            return cls.AT_RISK
        if facts.get("latency_factor") is not None and state != "failing":
            return cls.SLOW
        if isinstance(share, float | int):
            return cls.INTERMITTENT if share < 0.5 else cls.FAILING
        if facts.get("exposure") or facts.get("security_topic"):
            return cls.AFFECTED  # errors beside an exposure are not an outage: "failing" needs a measured share
        return cls.FAILING if state == "failing" else None

    @classmethod
    def spoken(cls, symptom: Symptom | None, severity: Severity | None) -> Symptom | None:
        """The symptom to speak of: the alerts' own, else a P0 (or unrated) is failing; None
        leaves lower levels "degraded"."""
        return symptom or (cls.FAILING if severity in (None, Severity.P0) else None)


class Brand(BaseModel):
    """Who is speaking and where customers can follow along: every public message names the
    company, links the status page and is signed (settings `company_name`, `signer`,
    `status_page_url`). Not facts about the incident, so grounding masks them."""

    company: str | None = None
    signer: str = "The team"
    status_url: str | None = None

    def literals(self) -> list[str]:
        return [x for x in (self.company, self.signer, self.status_url) if x]


class KnownAccount(BaseModel):
    """An enterprise customer we owe a formal notice and, by contract, a root-cause analysis."""

    id: str = Field(min_length=1, description="the account key users carry (AffectedUser.account)")
    name: str = Field(min_length=1)
    contact_emails: list[str] = Field(default_factory=list)
    sla_rca_days: int | None = Field(default=None, ge=1, description="days to deliver the RCA")
    tier: str = "enterprise"

    def matches(self, account: str | None) -> bool:
        return account is not None and account.casefold() in {self.id.casefold(), self.name.casefold()}


class AccountImpact(BaseModel):
    """What one enterprise account lived through: its users, their failed requests, and from when
    to when they failed (their own window, not the whole incident's)."""

    account: str = Field(description="the account key its users carry")
    users: int = Field(ge=0)
    requests: int = Field(ge=0)
    first_at: datetime | None = None
    last_at: datetime | None = None

    @property
    def minutes(self) -> int | None:
        if self.first_at is None or self.last_at is None:
            return None
        return whole_minutes(self.last_at - self.first_at)


class FollowUp(BaseModel):
    """An action item a customer may read about: what will prevent a repeat, and by when."""

    title: str
    due: datetime


class IncidentFacts(BaseModel):
    """What is known about one incident, in the form comms and grounding need it.

    `affected_share` is a fraction (0.15 for 15%) of requests or users; `tags` maps a tag name
    (browser, release, region, flag, plan, ...) to how many affected events carried each value.
    Datetimes are timezone-aware UTC.
    """

    incident_id: int
    title: str
    affected_thing: str = Field(min_length=1, description="what customers notice, e.g. 'checkout'")
    service: str | None = None
    endpoints: list[str] = Field(default_factory=list)
    severity: Severity | None = None
    public_severity: Severity | None = Field(
        default=None,
        description="the level customers are told of (`Classification.public_severity`): below `severity` while "
        "only the alert's resemblance to labelled P0s says P0",
    )
    symptom: Symptom | None = Field(
        default=None, description="what customers live through, from the CTO agent's reading of the alerts"
    )
    status: IncidentStatus = IncidentStatus.INVESTIGATING
    started_at: datetime
    detected_at: datetime
    last_seen_at: datetime | None = None
    next_update_at: datetime | None = None
    event_count: int = Field(default=0, ge=0)
    affected_share: float | None = Field(default=None, ge=0.0, le=1.0)
    users_affected: int = Field(default=0, ge=0)
    cause: str | None = Field(default=None, description="from human notes; never guessed")
    public_cause: str | None = Field(
        default=None, description="a `public:` note: the only words about the cause customers may read"
    )
    eta_minutes: int | None = Field(default=None, ge=1)
    eta_at: datetime | None = Field(default=None, description="when the fix is expected; only while still ahead")
    what_was_fixed: str | None = None
    charged: str | None = Field(
        default=None, description="a `charged:` note: whether customers were charged, in words for them"
    )
    revenue_path: bool = Field(default=False, description="money moves on the affected path (settings.revenue_paths)")
    advice: str | None = Field(default=None, description="what customers should do once it works (settings.advice)")
    resolved_at: datetime | None = None
    tags: dict[str, dict[str, int]] = Field(default_factory=dict)
    affected_users: list[AffectedUser] = Field(default_factory=list)
    known_accounts: list[KnownAccount] = Field(default_factory=list)
    account_impact: list[AccountImpact] = Field(default_factory=list, description="per enterprise account")
    follow_ups: list[FollowUp] = Field(
        default_factory=list, description="the postmortem's action items a customer may read, with their dates"
    )
    brand: Brand = Field(default_factory=Brand)

    @field_validator("cause", "what_was_fixed", "public_cause", "charged")
    @classmethod
    def _blank_is_unknown(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @property
    def event_window_minutes(self) -> int | None:
        """Minutes between the first and last event, when both are known (at least 1)."""
        if self.last_seen_at is None:
            return None
        return whole_minutes(self.last_seen_at - self.started_at)

    @property
    def duration_minutes(self) -> int | None:
        """How long the incident lasted, once resolved."""
        if self.resolved_at is None:
            return None
        return whole_minutes(self.resolved_at - self.started_at)

    @property
    def cohort_size(self) -> int:
        return max(self.users_affected, len({u.key for u in self.affected_users if u.key}))

    @classmethod
    def from_incident(
        cls,
        incident: Incident,
        *,
        affected_thing: str,
        alerts: Iterable[Alert] = (),
        tags: Mapping[str, Mapping[str, int]] | None = None,
        affected_users: Iterable[AffectedUser] = (),
        known_accounts: Iterable[KnownAccount] = (),
        affected_share: float | None = None,
        cause: str | None = None,
        public_cause: str | None = None,
        eta_minutes: int | None = None,
        eta_at: datetime | None = None,
        what_was_fixed: str | None = None,
        next_update_at: datetime | None = None,
        detected_at: datetime | None = None,
        account_impact: Iterable[AccountImpact] = (),
        follow_ups: Iterable[FollowUp] = (),
        brand: Brand | None = None,
        symptom: Symptom | None = None,
        charged: str | None = None,
        revenue_path: bool = False,
        advice: str | None = None,
    ) -> IncidentFacts:
        """Facts from the stored incident, its alerts and (optionally) Sentry's tag breakdown.

        Sentry's `tags` (whole-issue distributions) win over counts summed from the alerts we
        happened to receive; affected users from alerts and from enrichment are merged.
        """
        alert_list = list(alerts)
        endpoints = [e.endpoint for e in sorted(incident.endpoints, key=lambda e: -e.count)]
        for alert in alert_list:
            if alert.endpoint and alert.endpoint not in endpoints:
                endpoints.append(alert.endpoint)
        users = _merge_users([*(a.user for a in alert_list if a.user), *affected_users])
        return cls(
            incident_id=incident.id,
            title=incident.title,
            affected_thing=affected_thing,
            service=incident.service,
            endpoints=endpoints,
            severity=incident.severity,
            public_severity=incident.classification.public_severity if incident.classification else incident.severity,
            symptom=symptom,
            status=incident.status,
            started_at=incident.first_seen,
            detected_at=detected_at or incident.opened_at,
            last_seen_at=incident.last_seen,
            next_update_at=next_update_at,
            event_count=incident.event_count,
            affected_share=affected_share,
            users_affected=max(incident.users_affected, len(users)),
            cause=cause,
            public_cause=public_cause,
            eta_minutes=eta_minutes,
            eta_at=eta_at,
            what_was_fixed=what_was_fixed,
            charged=charged,
            revenue_path=revenue_path,
            advice=advice,
            resolved_at=incident.resolved_at,
            tags={k: dict(v) for k, v in tags.items()} if tags else _tags_from_alerts(alert_list),
            affected_users=users,
            known_accounts=list(known_accounts),
            account_impact=list(account_impact),
            follow_ups=list(follow_ups),
            brand=brand or Brand(),
        )


def _merge_users(users: Iterable[AffectedUser]) -> list[AffectedUser]:
    seen: dict[str, AffectedUser] = {}
    for user in users:
        key = user.key
        if key is None:
            continue
        known = seen.get(key)
        seen[key] = known.model_copy(update={k: v for k, v in user.model_dump().items() if v}) if known else user
    return list(seen.values())


def _tags_from_alerts(alerts: list[Alert]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for alert in alerts:
        for key, value in alert.tags.items():
            counts.setdefault(key, Counter())[value] += alert.event_count
    return {key: dict(counter) for key, counter in counts.items()}
