"""The typed facts the signal readers find in an alert, each with the text it came from.

A fact says what was measured or stated, in units (a share in 0..1, seconds, a factor), and
where: `field` names the part of the alert (title, message, service, endpoint, environment,
level, volume, settings) and `quote` the words themselves, so the human checking a decision
sees the evidence as the alert wrote it. Facts decide nothing; `agents.cto.decision` weighs them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from warroom.severity import Severity

__all__ = [
    "REST_WORKS",
    "Availability",
    "Bound",
    "CustomerReports",
    "Delay",
    "Environment",
    "Exposure",
    "Expiry",
    "Fact",
    "FailingShare",
    "Latency",
    "Saturation",
    "Scope",
    "ScopeKind",
    "SourceLabel",
    "State",
    "StateKind",
    "Statement",
    "StatementKind",
    "Surface",
    "SurfaceKind",
    "Throughput",
    "Volume",
]

Bound = Literal["exact", "at_least", "at_most"]
"""How a number was stated: measured, or a threshold the measure crossed ('above 50%')."""


class Fact(BaseModel):
    quote: str = Field(description="the words of the alert this fact was read from ('' when counted, not read)")
    field: str = Field(description="which part of the alert: title, message, service, endpoint, level, volume...")


class FailingShare(Fact):
    """A share of some unit failing: requests, users, hosts, jobs, sign-ins."""

    share: float = Field(ge=0, le=1)
    unit: str = "requests"
    measure: str = Field(description="how it was stated: error ratio, failure rate, N of M hosts, computed from volume")
    bound: Bound = "exact"
    affected_only: bool = Field(default=False, description="a share reached by the failure, not stated as failing")
    overall: bool = Field(default=False, description="the share of the whole ('shard-wide 0.039'), beside a part's")

    @property
    def noun(self) -> str:
        """What is counted, without the words before it: '3 of 24 wifi handler servers' counts servers."""
        return self.unit.lower().split()[-1] if self.unit.strip() else ""


class Availability(Fact):
    """An availability, uptime or success rate: the share of requests served well."""

    percent: float = Field(ge=0, le=100)
    bound: Bound = "exact"


class Latency(Fact):
    """A latency against its objective (or its normal value), as a factor."""

    factor: float = Field(gt=0)
    above: bool = Field(default=False, description="the alert says more than this factor ('above 3x SLO')")
    reference: Literal["slo", "baseline"]
    observed_seconds: float | None = None
    percentile: str | None = None
    slow_share: float | None = Field(default=None, description="share of requests or users over the objective")


class Throughput(Fact):
    """What is left of the normal rate (0.2 means down 80%)."""

    remaining: float = Field(ge=0, le=1)
    bound: Bound = "exact"


class Saturation(Fact):
    """A resource filling up: disk, memory, CPU, a pool, a quota, a queue; `full` means nothing fits any more."""

    resource: str
    percent: float | None = None
    full: bool = False
    forecast_seconds: float | None = Field(default=None, description="time left until it runs out, when predicted")


class Expiry(Fact):
    """A certificate, domain or trust root that expires or stops being trusted."""

    subject: str
    seconds_left: float | None = None
    expired: bool = False


class Delay(Fact):
    """Work that waits: queue age, lag, pending deliveries. Delayed is not lost."""

    seconds: float = Field(ge=0)


class ScopeKind(StrEnum):
    GLOBAL = "global"
    REGION = "region"
    COHORT = "cohort"
    FEW = "few"
    """One host, a handful of machines or clusters: a small part of the fleet."""


class Scope(Fact):
    kind: ScopeKind
    name: str


class Environment(Fact):
    name: str
    production: bool


class CustomerReports(Fact):
    count: int = Field(ge=1)
    window_days: float | None = None


class Exposure(Fact):
    """Data exposed to the wrong people, a confirmed breach, data lost or corrupted: the P0 floor."""

    kind: Literal["exposed", "breach", "loss", "corruption"]


class SecurityTopic(Fact):
    """The words of an exposure, loss or breach, when no phrase of the floor was read: the on-call should look."""

    families: list[str]


class StatementKind(StrEnum):
    NO_IMPACT = "no_impact"
    """'no customer impact', 'customer traffic normal'."""
    STILL_WORKS = "still_works"
    """'pages still load', 'running services unaffected', 'read-only': the main function works."""
    OTHERS_FINE = "others_fine"
    """'other regions healthy': the failure is confined."""
    ALL_AFFECTED = "all_affected"
    """'for all customers', 'nobody can sign in', 'users cannot load the app'."""
    OFF_PATH = "off_path"
    """'normal traffic does not route through it': not on any user's path."""
    AT_RISK_ONLY = "at_risk_only"
    """'nothing fails today', 'builds pass': a warning, nothing broken."""
    INPUT_SPECIFIC = "input_specific"
    """A validation error: only requests with that input fail."""
    WORKAROUND = "workaround"
    """'could send by email or text instead', 'workaround: use the CLI': the feature's job can still be done."""
    SELF_CLEARING = "self_clearing"
    """'this monitor's last 6 firings cleared on their own': the alert's history, as its source states it."""


REST_WORKS = frozenset({StatementKind.STILL_WORKS, StatementKind.OTHERS_FINE, StatementKind.NO_IMPACT})
"""The statements that something beyond the failure still works, or that nobody is affected."""


class Statement(Fact):
    kind: StatementKind


class SurfaceKind(StrEnum):
    """What is affected, most to least critical (DESIGN.md's first question)."""

    PRODUCT = "product"
    REVENUE_ACCESS = "revenue_access"
    CORE = "core"
    SECONDARY = "secondary"
    COSMETIC = "cosmetic"
    BATCH = "batch"
    INTERNAL = "internal"


class Surface(Fact):
    kind: SurfaceKind
    name: str
    strong: bool = Field(default=True, description="named by the alert itself, not guessed from a service name")


class StateKind(StrEnum):
    DOWN = "down"
    FAILING = "failing"
    DEGRADED = "degraded"
    DELAYED = "delayed"
    AT_RISK = "at_risk"


class State(Fact):
    kind: StateKind


class SourceLabel(Fact):
    """The source's own severity, priority or urgency: one signal, never the decision."""

    label: str
    points_to: Severity


class Volume(Fact):
    """Events and users counted by warroom, and the window they arrived in (None: one delivery, no window)."""

    events: int
    users: int = 0
    minutes: float | None = None
    per_minute: float | None = None
    stated: bool = Field(default=False, description="the rate was stated by the monitor ('1000 events in 10 minutes')")
