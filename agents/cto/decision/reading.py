"""The table's three questions answered from the signals: what surface, how much, what state.

`read` turns the facts into one `Reading`: the failing share that counts (and the fact it came
from), the scope (global, confined to a region or cohort, a few hosts), the state (down, failing,
degraded, delayed, at risk) and the impact statements. Where facts disagree the stronger form
wins, and the reading says which fact it used so the evidence can quote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agents.cto.signals import Signals
from agents.cto.signals.facts import (
    Fact,
    FailingShare,
    Scope,
    ScopeKind,
    StateKind,
    StatementKind,
    SurfaceKind,
    Throughput,
)
from agents.cto.signals.text import WHOLE_FLEET, name_tokens

__all__ = ["CAPACITY_UNITS", "ERROR_TRACKER", "Reading", "draining_slower", "read"]

ERROR_TRACKER = "sentry"

CAPACITY_UNITS = {
    "hosts",
    "host",
    "instances",
    "instance",
    "servers",
    "server",
    "nodes",
    "node",
    "pods",
    "pod",
    "replicas",
    "replica",
    "pops",
    "workers",
    "worker",
    "machines",
    "machine",
    "members",
    "member",
    "shards",
    "shard",
    "endpoints",
    "endpoint",
    "devices",
    "device",
    "sensors",
    "sensor",
}
"""Units of serving capacity: losing some of them is absorbed by the rest until most are gone."""
_INFRA_TEXT = re.compile(
    r"\b(?:primary|master) (?:database|db|node|instance|cluster)\b|\bdatabase (?:primary|cluster|server)s?\b|"
    r"\b(?:dns|authoritative name ?servers?) (?:resolution|servers?|lookups?)\b|\bnetwork (?:partition|outage)\b|"
    r"\bbackbone\b|\bdata ?cent(?:er|re) (?:power|outage)\b",
    re.IGNORECASE,
)
_INFRA = {
    "database",
    "db",
    "postgres",
    "postgresql",
    "mysql",
    "primary",
    "dns",
    "coredns",
    "network",
    "backbone",
    "etcd",
    "consul",
    "kubernetes",
    "k8s",
    "datacenter",
}


@dataclass
class Reading:
    surface: SurfaceKind
    share: float | None = None
    share_fact: Fact | None = None
    share_bound: str = "exact"
    capacity_share: float | None = None
    capacity_fact: Fact | None = None
    surface_name: str = ""
    """The word that named the surface ('checkout'), so a statement that it works can be weighed against it."""
    scope: ScopeKind | None = None
    scope_fact: Fact | None = None
    state: StateKind | None = None
    state_fact: Fact | None = None
    statements: dict[StatementKind, Fact] = field(default_factory=dict)
    production: bool = True
    environment_fact: Fact | None = None
    infrastructure: bool = False
    error_events: bool = False
    """Each event is one error someone hit (an error tracker's events, users counted), so volume is a size."""


def read(signals: Signals) -> Reading:
    reading = Reading(surface=signals.surface.kind, surface_name=signals.surface.name if signals.surface.strong else "")
    reading.error_events = signals.source == ERROR_TRACKER or signals.volume.users > 0
    for statement in signals.statements:
        reading.statements.setdefault(statement.kind, statement)
    _environment(reading, signals)
    _share(reading, signals)
    _scope(reading, signals)
    _state(reading, signals)
    reading.infrastructure = bool(_INFRA & set(name_tokens(signals.service or ""))) or bool(
        _INFRA_TEXT.search(signals.title)
    )
    fleet = reading.capacity_share is not None and reading.capacity_share >= 0.9 and reading.scope is None
    if (reading.infrastructure or fleet) and reading.surface is SurfaceKind.CORE and reading.scope is not ScopeKind.FEW:
        reading.infrastructure = True
        reading.surface = SurfaceKind.PRODUCT
    return reading


def _environment(reading: Reading, signals: Signals) -> None:
    if not signals.environment:
        return
    stated = next((e for e in signals.environment if e.field != "environment"), None)
    label = signals.environment[0]
    chosen = stated if stated is not None and not label.production else label
    reading.production, reading.environment_fact = chosen.production, chosen


def _share(reading: Reading, signals: Signals) -> None:
    """The failing share that counts: stated exact shares first, then thresholds crossed, then computed ones."""
    requests = [s for s in signals.shares if s.noun not in CAPACITY_UNITS and not s.affected_only]
    capacity = [s for s in signals.shares if s.noun in CAPACITY_UNITS]
    overall = [s for s in requests if s.overall and s.bound == "exact"]
    exact = overall or [s for s in requests if s.bound == "exact"]
    at_least = [s for s in requests if s.bound == "at_least"]
    if capacity:
        top = max(capacity, key=lambda s: s.share)
        reading.capacity_share, reading.capacity_fact = top.share, top
    chosen: FailingShare | None = max(exact, key=lambda s: s.share) if exact else None
    if chosen is None and at_least:
        chosen = max(at_least, key=lambda s: s.share)
    if chosen is not None:
        reading.share, reading.share_fact, reading.share_bound = chosen.share, chosen, chosen.bound
        return
    availability = [a for a in signals.availability if a.bound != "at_least"]
    if availability:
        worst = min(availability, key=lambda a: a.percent)
        reading.share, reading.share_fact = 1 - worst.percent / 100, worst
        return
    computed = _computed_share(signals)
    if computed is not None:
        reading.share, reading.share_fact = computed
        return
    affected = [s for s in signals.shares if s.affected_only]
    if affected:
        top = max(affected, key=lambda s: s.share)
        reading.share, reading.share_fact = top.share, top
    elif reading.capacity_share is not None and reading.capacity_share >= 0.5:
        reading.share, reading.share_fact = reading.capacity_share, reading.capacity_fact


def _computed_share(signals: Signals) -> tuple[float, Fact] | None:
    """Errors against the service's configured traffic, or affected users against its configured users.

    One delivery has no window; its events are taken as one minute's worth, which can only
    overstate the rate (a first error against known traffic is a tiny share, not an unknown one)."""
    volume = signals.volume
    if signals.requests_per_minute:
        per_minute = volume.per_minute if volume.per_minute is not None else float(volume.events)
        share = min(per_minute / signals.requests_per_minute, 1.0)
        fact = FailingShare(
            share=share,
            measure=f"{per_minute:.0f} errors/min against {signals.requests_per_minute:g} requests/min configured",
            bound="exact" if volume.per_minute is not None else "at_most",
            quote=volume.quote,
            field="settings",
        )
        return share, fact
    if signals.total_users and volume.users >= 2:
        share = min(volume.users / signals.total_users, 1.0)
        fact = FailingShare(
            share=share,
            unit="users",
            measure=f"{volume.users} of the service's {signals.total_users} users",
            quote=volume.quote,
            field="settings",
        )
        return share, fact
    return None


def _scope(reading: Reading, signals: Signals) -> None:
    by_kind = {kind: [s for s in signals.scope if s.kind is kind] for kind in ScopeKind}
    small_capacity = reading.capacity_share is not None and reading.capacity_share < 0.5
    if by_kind[ScopeKind.GLOBAL]:
        reading.scope, reading.scope_fact = ScopeKind.GLOBAL, by_kind[ScopeKind.GLOBAL][0]
    elif by_kind[ScopeKind.FEW] and (reading.share is None or reading.share < 0.1) and not _single_point(signals):
        reading.scope, reading.scope_fact = ScopeKind.FEW, by_kind[ScopeKind.FEW][0]
    elif by_kind[ScopeKind.REGION] and not _many_regions(by_kind[ScopeKind.REGION], reading):
        reading.scope, reading.scope_fact = ScopeKind.REGION, by_kind[ScopeKind.REGION][0]
    elif StatementKind.OTHERS_FINE in reading.statements:
        reading.scope, reading.scope_fact = ScopeKind.REGION, reading.statements[StatementKind.OTHERS_FINE]
    elif by_kind[ScopeKind.COHORT]:
        reading.scope, reading.scope_fact = ScopeKind.COHORT, by_kind[ScopeKind.COHORT][0]
    elif small_capacity and reading.share is None:
        reading.scope, reading.scope_fact = ScopeKind.FEW, reading.capacity_fact
    elif StatementKind.INPUT_SPECIFIC in reading.statements and reading.share is None:
        reading.scope, reading.scope_fact = ScopeKind.COHORT, reading.statements[StatementKind.INPUT_SPECIFIC]


def _many_regions(regions: list[Scope], reading: Reading) -> bool:
    """Three or more regions named failing ('us-east 0.69 · eu-west 0.66 · ap-southeast 0.64'), and nothing says
    the others are fine: not one region while the rest serves, but the service across its regions."""
    names = {re.sub(r"^region[:=\s]*", "", s.name.lower()) for s in regions}
    return len(names) >= 3 and StatementKind.OTHERS_FINE not in reading.statements


_SINGLE_POINT = re.compile(
    r"\b(?:primary|master|leader|writer)\b(?! key)|\bthe (?:database|db|cluster|load balancer)\b|"
    r"\b(?:dns|authoritative) (?:servers?|resolution|lookups?)\b",
    re.IGNORECASE,
)
"""What every request goes through: one host of it is not 'a small part of the fleet'."""


def _single_point(signals: Signals) -> bool:
    """One host of what every request goes through, or every host of it ('all mailbox servers down')."""
    return (
        bool(_SINGLE_POINT.search(signals.title))
        or any(_SINGLE_POINT.search(s.quote) for s in signals.states)
        or any(s.kind is StateKind.DOWN and WHOLE_FLEET.search(s.quote) for s in signals.states)
    )


def _state(reading: Reading, signals: Signals) -> None:
    words = {kind: [s for s in signals.states if s.kind is kind] for kind in StateKind}
    full = [s for s in signals.saturation if s.full]
    at_risk = StatementKind.AT_RISK_ONLY in reading.statements or (
        any(not e.expired for e in signals.expiry) and not any(e.expired for e in signals.expiry)
    )
    if reading.share is not None and reading.share_fact is not None and not _affected_only(reading.share_fact):
        kind = StateKind.DOWN if reading.share >= 0.99 else StateKind.FAILING
        reading.state, reading.state_fact = kind, reading.share_fact
    elif collapsed := [t for t in signals.throughput if t.remaining <= 0.5 and not draining_slower(t, signals)]:
        reading.state, reading.state_fact = StateKind.FAILING, min(collapsed, key=lambda t: t.remaining)
    elif (at_risk or StatementKind.NO_IMPACT in reading.statements and signals.saturation) and not full:
        fact = reading.statements.get(StatementKind.AT_RISK_ONLY) or (signals.expiry or signals.saturation)[0]
        reading.state, reading.state_fact = StateKind.AT_RISK, fact
    elif signals.delays:
        reading.state, reading.state_fact = StateKind.DELAYED, max(signals.delays, key=lambda d: d.seconds)
    elif full:
        reading.state, reading.state_fact = StateKind.DOWN, full[0]
    elif any(e.expired for e in signals.expiry):
        reading.state, reading.state_fact = StateKind.DOWN, next(e for e in signals.expiry if e.expired)
    else:
        for kind in (StateKind.DOWN, StateKind.FAILING, StateKind.DEGRADED, StateKind.DELAYED, StateKind.AT_RISK):
            if words[kind]:
                reading.state, reading.state_fact = kind, words[kind][0]
                break
        if reading.state in (None, StateKind.AT_RISK) and (signals.saturation or signals.expiry):
            fact = signals.saturation[0] if signals.saturation else signals.expiry[0]
            reading.state, reading.state_fact = StateKind.AT_RISK, fact
        elif reading.state is None and reading.error_events:
            reading.state, reading.state_fact = StateKind.FAILING, signals.volume


_QUEUE_DRAIN = re.compile(
    r"\b(?:dequeued|drained|consumed|picked up|worked off)\s*(?:at\b|/|per\b)|\b(?:dequeue|drain|consume) rate\b",
    re.IGNORECASE,
)
_KEPT_QUEUED = re.compile(r"\b(?:remains?|still|stay|stays) queued\b|\bqueued, not (?:lost|dropped)\b", re.IGNORECASE)


def draining_slower(throughput: Throughput, signals: Signals) -> bool:
    """A queue worked off more slowly while it backs up ('jobs dequeued at ~45/min vs ~140/min normal; build queue
    backing up', 'send throughput 38% of baseline ... messages remain queued'): the work still gets done, later.
    Delayed, not failing."""
    delayed = [s.quote for s in signals.states if s.kind is StateKind.DELAYED]
    if not (signals.delays or delayed):
        return False
    return _QUEUE_DRAIN.search(throughput.quote) is not None or any(_KEPT_QUEUED.search(q) for q in delayed)


def _affected_only(fact: Fact) -> bool:
    return isinstance(fact, FailingShare) and fact.affected_only
