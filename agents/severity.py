"""Deterministic severity: the severity table of DESIGN.md as rules over observed signals.

Every rule that fires leaves an `Evidence` line; hard rules (data loss, breach, critical path
failing) also set the floor that no later opinion (human aside) may lower.
"""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, Field

from warroom.severity import Classification, Evidence, Severity

__all__ = ["PastIncident", "SeveritySignals", "classify"]

PRODUCTION = {"production", "prod", "live", "prd"}
SECURITY = re.compile(r"\b(data[ -]?loss|breach|unauthori[sz]ed access|leak(ed)?|exfiltrat\w*|sql injection|"
                      r"credential[s]? (exposed|leak\w*)|ransomware|corrupt(ed|ion)?|data (deleted|destroyed)|"
                      r"compromised?)\b", re.IGNORECASE)
CAPACITY = re.compile(r"\b(disk|capacity|quota|certificate expir\w*|cert expir\w*|memory usage|cpu usage)\b",
                      re.IGNORECASE)
HINTS: dict[str, Severity] = {
    "fatal": Severity.P1, "critical": Severity.P1, "p1": Severity.P1, "high": Severity.P1, "page": Severity.P1,
    "sev1": Severity.P1, "p0": Severity.P0, "sev0": Severity.P0, "emergency": Severity.P0,
    "error": Severity.P2, "p2": Severity.P2, "major": Severity.P2,
    "warning": Severity.P3, "warn": Severity.P3, "low": Severity.P3, "info": Severity.P3, "p3": Severity.P3,
    "p4": Severity.P3, "p5": Severity.P3, "minor": Severity.P3,
}
P0_ERRORS_PER_MINUTE = 10.0


class PastIncident(BaseModel):
    id: int
    title: str
    severity: Severity | None
    self_resolved_minutes: float | None = Field(default=None, description="set when it recovered without action")


class SeveritySignals(BaseModel):
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


def classify(s: SeveritySignals) -> Classification:
    evidence: list[Evidence] = []
    floor = Severity.P3
    minutes = max((s.last_seen - s.first_seen).total_seconds() / 60, 1.0)
    rate = s.event_count / minutes
    text = f"{s.title}\n{s.message}"
    critical = _critical_hit(s)

    if SECURITY.search(text):
        match = SECURITY.search(text)
        evidence.append(Evidence(signal="security_or_data_loss", points_to=Severity.P0, rule="table:P0",
                                 detail=f"the alert mentions {match.group(0)!r} (possible breach or data loss)"))
        floor = Severity.P0

    if s.environment and s.environment.lower() not in PRODUCTION and floor is not Severity.P0:
        evidence.append(Evidence(signal="non_production", points_to=Severity.P3, rule="table:P3",
                                 detail=f"environment is {s.environment!r}, not production"))
        return _decide(Severity.P3, evidence, floor, f"non-production ({s.environment}) alert: record only")

    flapping = [p for p in s.similar_past if p.self_resolved_minutes is not None
                and p.self_resolved_minutes < s.self_resolve_minutes]
    if flapping and floor is not Severity.P0 and len(flapping) >= max(1, len(s.similar_past) // 2 + 1):
        evidence.append(Evidence(signal="self_resolving_pattern", points_to=Severity.P3, rule="history",
                                 detail=f"{len(flapping)} of {len(s.similar_past)} similar past incidents resolved "
                                        f"by themselves in under {s.self_resolve_minutes:g} minutes "
                                        f"(#{', #'.join(str(p.id) for p in flapping[:5])})"))
        return _decide(Severity.P3, evidence, floor, "this alert pattern has historically self-resolved",
                       skip_comms=True)

    candidates: list[Severity] = [Severity.P2]
    evidence.append(Evidence(signal="volume", detail=f"{s.event_count} events over {minutes:.1f} min "
                                                     f"({rate:.1f}/min) from {s.source or 'the source'}"))
    share = _share(s, rate, evidence)

    if critical:
        evidence.append(Evidence(signal="critical_path", points_to=Severity.P1, rule="config:critical_paths",
                                 detail=f"{critical} is a revenue/access path"))
        if rate >= P0_ERRORS_PER_MINUTE or (share is not None and share >= 0.5):
            why = f"{rate:.0f} errors/min" if rate >= P0_ERRORS_PER_MINUTE else f"{share:.0%} of requests"
            evidence.append(Evidence(signal="critical_path_failing", points_to=Severity.P0, rule="table:P0",
                                     detail=f"{critical} failing at {why}"))
            candidates.append(Severity.P0)
            floor = Severity.most_severe(floor, Severity.P0)
        else:
            candidates.append(Severity.P1)

    if share is not None:
        if share >= 0.2:
            candidates.append(Severity.P1)
        elif share < 0.05 and not critical:
            candidates.append(Severity.P2)

    hint = HINTS.get((s.level or "").lower())
    if hint is not None:
        evidence.append(Evidence(signal="source_severity", points_to=hint, rule=f"{s.source or 'source'} hint",
                                 detail=f"the source rates it {s.level!r}"))
        if hint is Severity.P3 and not critical and share is None:
            candidates = [Severity.P3]
        else:
            candidates.append(hint)

    if CAPACITY.search(text) and not critical and hint is not Severity.P0:
        evidence.append(Evidence(signal="capacity_warning", points_to=Severity.P3, rule="table:P3",
                                 detail="a capacity warning, not yet an outage"))
        candidates = [Severity.P3] if share is None else candidates

    if s.users_affected >= 2 and s.total_users:
        user_share = s.users_affected / s.total_users
        evidence.append(Evidence(signal="users_affected", detail=f"{s.users_affected} of {s.total_users} users "
                                                                 f"({user_share:.0%})"))
        if user_share >= 0.2:
            candidates.append(Severity.P1)

    if floor is Severity.P0:
        candidates.append(Severity.P0)
    level = Severity.most_severe(*candidates)
    return _decide(level, evidence, floor, _reason(level, critical, rate, share))


def _critical_hit(s: SeveritySignals) -> str | None:
    words = [w.lower() for w in s.critical_paths]
    for label, value in [("service " + (s.service or ""), s.service or ""),
                         *[(f"endpoint {e}", e) for e in s.endpoints], (f"'{s.title}'", s.title)]:
        tokens = set(re.split(r"[^a-z0-9]+", value.lower()))
        if any(w in tokens for w in words):
            return label
    return None


def _share(s: SeveritySignals, rate: float, evidence: list[Evidence]) -> float | None:
    if not s.requests_per_minute:
        return None
    share = min(rate / s.requests_per_minute, 1.0)
    evidence.append(Evidence(signal="error_share", detail=f"{share:.0%} of the service's normal "
                                                          f"{s.requests_per_minute:g} requests/min",
                             points_to=Severity.P1 if share >= 0.2 else Severity.P2, rule="table:P1/P2"))
    return share


def _reason(level: Severity, critical: str | None, rate: float, share: float | None) -> str:
    if level is Severity.P0 and critical:
        return f"{critical} is failing ({rate:.0f} errors/min): revenue or access path down"
    if level is Severity.P0:
        return "possible data loss or security breach"
    if level is Severity.P1 and critical:
        return f"errors on {critical}; volume not (yet) at outage level"
    if level is Severity.P1:
        return "degraded service for many users" if share else "the source rates it critical"
    if level is Severity.P2:
        return "partial degradation, not yet customer-visible at scale"
    return "minor: record only"


def _decide(level: Severity, evidence: list[Evidence], floor: Severity, reason: str,
            *, skip_comms: bool = False) -> Classification:
    level = Severity.most_severe(level, floor)
    return Classification(severity=level, reason=reason, evidence=evidence, floor=floor, decided_by="rules",
                          skip_comms=skip_comms)
