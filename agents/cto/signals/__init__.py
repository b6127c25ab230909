"""Signal readers: every form an alert comes in, turned into typed, unit-carrying facts.

`read_signals` takes what warroom knows about an incident (`SeverityInput`: its alerts' words,
names, labels and counts, and the service's configured traffic) and returns `Signals`, the facts
each reader found with the text they came from. Nothing here decides a level; the decision table
in `agents.cto.decision` does, from these facts alone. Readers are pure functions of text.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from agents.cto.signals.capacity import read_capacity
from agents.cto.signals.facts import (
    Availability,
    CustomerReports,
    Delay,
    Environment,
    Expiry,
    Exposure,
    FailingShare,
    Latency,
    Saturation,
    Scope,
    SecurityTopic,
    SourceLabel,
    State,
    StateKind,
    Statement,
    Surface,
    Throughput,
    Volume,
)
from agents.cto.signals.latency import read_latency
from agents.cto.signals.measures import read_measures
from agents.cto.signals.scope import read_environment, read_scope
from agents.cto.signals.security import read_security_topic
from agents.cto.signals.source import HINTS, read_label, read_states, read_volume
from agents.cto.signals.statements import read_statements
from agents.cto.signals.surface import read_surfaces, resolve_surface
from agents.cto.signals.text import clauses
from warroom.severity import Severity

__all__ = ["HINTS", "PastIncident", "SeverityInput", "Signals", "read_signals"]


class PastIncident(BaseModel):
    id: int
    title: str
    severity: Severity | None
    self_resolved_minutes: float | None = Field(default=None, description="set when it recovered without action")


class SeverityInput(BaseModel):
    """What warroom knows about an incident when it rates it: words, names, labels, counts, configuration."""

    title: str
    message: str = ""
    service: str | None = None
    endpoints: list[str] = Field(default_factory=list)
    environment: str | None = None
    level: str | None = None
    source: str = ""
    event_count: int = 1
    first_seen: datetime
    last_seen: datetime
    users_affected: int = 0
    requests_per_minute: float | None = None
    total_users: int | None = None
    critical_paths: list[str] = Field(default_factory=list)
    similar_past: list[PastIncident] = Field(default_factory=list)
    self_resolve_minutes: float = 5.0


class Signals(BaseModel):
    """Every fact read from one incident, grouped by kind; `surface` is the one the failure is on."""

    title: str
    service: str | None = None
    surface: Surface
    surfaces: list[Surface] = Field(default_factory=list)
    shares: list[FailingShare] = Field(default_factory=list)
    availability: list[Availability] = Field(default_factory=list)
    latency: list[Latency] = Field(default_factory=list)
    throughput: list[Throughput] = Field(default_factory=list)
    saturation: list[Saturation] = Field(default_factory=list)
    expiry: list[Expiry] = Field(default_factory=list)
    delays: list[Delay] = Field(default_factory=list)
    burn_rates: list[tuple[float, float | None, str, str]] = Field(default_factory=list)
    apdex: list[tuple[float, str, str]] = Field(default_factory=list)
    slow_shares: list[tuple[float, str, str]] = Field(
        default_factory=list, description="share over the SLO, quote, field"
    )
    scope: list[Scope] = Field(default_factory=list)
    environment: list[Environment] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)
    exposure: list[Exposure] = Field(default_factory=list)
    security_topic: SecurityTopic | None = Field(
        default=None, description="the words of an exposure, loss or breach when no phrase of the floor was read"
    )
    reports: list[CustomerReports] = Field(default_factory=list)
    states: list[State] = Field(default_factory=list)
    label: SourceLabel | None = None
    volume: Volume
    requests_per_minute: float | None = None
    total_users: int | None = None
    source: str = ""
    similar_past: list[PastIncident] = Field(default_factory=list)
    self_resolve_minutes: float = 5.0

    @property
    def quickly_self_resolved(self) -> list[PastIncident]:
        """The similar past incidents that recovered by themselves within `self_resolve_minutes`."""
        return [
            p
            for p in self.similar_past
            if p.self_resolved_minutes is not None and p.self_resolved_minutes < self.self_resolve_minutes
        ]


def read_signals(alert: SeverityInput) -> Signals:
    parts = clauses(alert.title, "title") + clauses(alert.message, "message")
    measures = read_measures(parts)
    capacity = read_capacity(parts)
    said = read_statements(parts, alert.event_count)
    surfaces = read_surfaces(alert.service, alert.endpoints, alert.title, parts, alert.critical_paths, said.statements)
    measured = bool(measures.shares or measures.availability)
    latency = read_latency(parts)
    return Signals(
        title=alert.title,
        service=alert.service,
        surface=resolve_surface(surfaces, failure_measured=measured, endpoints=alert.endpoints),
        surfaces=surfaces,
        shares=measures.shares,
        availability=measures.availability,
        latency=latency,
        throughput=measures.throughput,
        saturation=measures.saturation + capacity.saturation,
        expiry=capacity.expiry,
        delays=capacity.delays,
        burn_rates=measures.burn_rates,
        apdex=measures.apdex,
        slow_shares=measures.slow_shares,
        scope=read_scope(parts),
        environment=read_environment(alert.environment, parts, alert.service),
        statements=said.statements,
        exposure=said.exposure,
        security_topic=None if said.exposure else read_security_topic(parts),
        reports=said.reports,
        states=[s for s in read_states(parts) if not _latency_within_slo(s, latency)],
        label=read_label(alert.level),
        volume=read_volume(alert.event_count, alert.users_affected, alert.first_seen, alert.last_seen, parts),
        requests_per_minute=alert.requests_per_minute,
        total_users=alert.total_users,
        source=alert.source,
        similar_past=alert.similar_past,
        self_resolve_minutes=alert.self_resolve_minutes,
    )


def _latency_within_slo(state: State, latency: list[Latency]) -> bool:
    """'API p95 latency 290ms (SLO 500ms)': the word latency is not a degraded state when its own reading is
    under the objective."""
    return state.kind is StateKind.DEGRADED and any(
        reading.field == state.field
        and reading.factor < 1
        and (reading.quote in state.quote or state.quote in reading.quote)
        for reading in latency
    )
