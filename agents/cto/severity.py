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
SECURITY = re.compile(
    r"\b(data[ -]?loss|breach|unauthori[sz]ed access|leak(ed)?|exfiltrat\w*|sql injection|"
    r"credential[s]? (exposed|leak\w*)|ransomware|corrupt(ed|ion)?|data (deleted|destroyed)|"
    r"compromised?)\b",
    re.IGNORECASE,
)
CAPACITY = re.compile(
    r"\b(disk|capacity|quota|filesystem|certificate expir\w*|cert expir\w*|expires in \d+ days?|"
    r"memory usage|cpu usage|connection pool|utili[sz]ed|predicted to run out)\b",
    re.IGNORECASE,
)
COSMETIC = re.compile(r"\b(cosmetic|typo|favicon|alt text|deprecat\w*|css|layout shift)\b", re.IGNORECASE)
AVAILABILITY = re.compile(r"\b(?:availability|uptime|success rate)\D{0,20}?(\d+(?:\.\d+)?)\s*%", re.IGNORECASE)
FAILURE_SHARE = re.compile(
    r"\b(?:error|errors|5xx|failure|fail)\s*(?:error\s*)?(?:rate|ratio)\D{0,12}?(\d+(?:\.\d+)?)\s*%"
    r"|(\d+(?:\.\d+)?)\s*%\s*(?:of\s+)?(?:\w+\s+)?(?:requests|queries|calls|sessions)?\s*"
    r"(?:failing|failed|timing out|erroring)",
    re.IGNORECASE,
)
LATENCY_FACTOR = re.compile(r"(\d+(?:\.\d+)?)\s*x\s+(?:the\s+|above\s+)?(?:[\w.]+\s+)?SLO", re.IGNORECASE)
LATENCY_VALUES = re.compile(
    r"\blatency\s+(\d+(?:\.\d+)?)\s*(ms|s)\b.*?\bSLO\s+(\d+(?:\.\d+)?)\s*(ms|s)\b", re.IGNORECASE
)
COUNT_WINDOW = re.compile(
    r"\b(\d[\d,]*)\s+(?:events|errors)?\s*(?:in|per)\s+(?:the\s+last\s+)?(\d+)?\s*"
    r"(minutes?|hours?|hour)\b",
    re.IGNORECASE,
)
TOTAL_OUTAGE = re.compile(
    r"\b(?:all|every)\b[^.:;]{0,30}\b(?:requests?|payments?|calls?|logins?|checkouts?|orders?)\b"
    r"[^.;]{0,30}\b(?:fail\w*|reject\w*|503|500|error\w*)"
    r"|\b(?:5\d\d|fail\w*|reject\w*)\b[^.;]{0,20}\bfor (?:all|every)\b|\bfrom (\d+) of \1 locations\b"
    r"|\b(?:is|are) down\b|\bunreachable\b|\bno successful requests?\b",
    re.IGNORECASE,
)
COHORT = re.compile(
    r"\b(region|tenant|customer|account|accounts|clients?|app version|version|"
    r"[a-z]{2}-[a-z]+-\d|android|ios)\b|\b\d+\.\d+\.\d+\b",
    re.IGNORECASE,
)
DEGRADED = re.compile(
    r"\b(lag\w*|delay\w*|backlog|elevated|degraded|slow|crash\w*|fail\w*|down|unavailable|"
    r"timeouts?|timing out|errors?|5xx|exception)\b",
    re.IGNORECASE,
)
CUSTOMER_REPORT = re.compile(r"\bcustomer reports?\b", re.IGNORECASE)
FRONT_DOOR = {"api", "web", "www", "frontend", "ingress", "gateway", "edge", "lb", "storefront", "site", "app"}
HINTS: dict[str, Severity] = {
    "fatal": Severity.P1,
    "critical": Severity.P1,
    "p1": Severity.P1,
    "page": Severity.P1,
    "sev1": Severity.P1,
    "p0": Severity.P0,
    "sev0": Severity.P0,
    "emergency": Severity.P0,
    "error": Severity.P2,
    "p2": Severity.P2,
    "major": Severity.P2,
    "high": Severity.P2,
    "warning": Severity.P3,
    "warn": Severity.P3,
    "low": Severity.P3,
    "info": Severity.P3,
    "p3": Severity.P3,
    "p4": Severity.P3,
    "p5": Severity.P3,
    "minor": Severity.P3,
    "none": Severity.P3,
    "success": Severity.P3,
}
P0_ERRORS_PER_MINUTE = 10.0
P0_AVAILABILITY = 99.0
P1_LATENCY_FACTOR = 3.0
SEVERAL_REPORTS = 3


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
    """The severity table applied in order: hard P0 facts, then what makes an alert minor, then scope.

    The source's own severity hint (label, urgency, priority) decides only when the alert says
    nothing the table can weigh: a 'critical' label on a non-critical feature is still that feature.
    """
    evidence: list[Evidence] = []
    floor = Severity.P3
    minutes = max((s.last_seen - s.first_seen).total_seconds() / 60, 1.0)
    rate = s.event_count / minutes
    text = f"{s.title}\n{s.message}"
    critical = _critical_hit(s)

    match = SECURITY.search(text)
    if match:
        evidence.append(
            Evidence(
                signal="security_or_data_loss",
                points_to=Severity.P0,
                rule="table:P0",
                detail=f"the alert mentions {match.group(0)!r} (possible breach or data loss)",
            )
        )
        floor = Severity.P0

    if s.environment and s.environment.lower() not in PRODUCTION and floor is not Severity.P0:
        evidence.append(
            Evidence(
                signal="non_production",
                points_to=Severity.P3,
                rule="table:P3",
                detail=f"environment is {s.environment!r}, not production",
            )
        )
        return _decide(Severity.P3, evidence, floor, f"non-production ({s.environment}) alert: record only")

    flapping = [
        p
        for p in s.similar_past
        if p.self_resolved_minutes is not None and p.self_resolved_minutes < s.self_resolve_minutes
    ]
    if flapping and floor is not Severity.P0 and len(flapping) >= max(1, len(s.similar_past) // 2 + 1):
        evidence.append(
            Evidence(
                signal="self_resolving_pattern",
                points_to=Severity.P3,
                rule="history",
                detail=f"{len(flapping)} of {len(s.similar_past)} similar past incidents resolved "
                f"by themselves in under {s.self_resolve_minutes:g} minutes "
                f"(#{', #'.join(str(p.id) for p in flapping[:5])})",
            )
        )
        return _decide(
            Severity.P3, evidence, floor, "this alert pattern has historically self-resolved", skip_comms=True
        )

    rated = [p for p in s.similar_past if p.severity is not None]
    if rated:
        evidence.append(
            Evidence(
                signal="similar_past",
                rule="history",
                detail=(
                    "similar past incidents ended as "
                    + ", ".join(f"#{p.id} {p.severity}" for p in rated[:5])
                    + "; shown for comparison, not weighed"
                ),
            )
        )

    text_rate = _text_rate(text)
    if text_rate is not None and text_rate > rate:
        evidence.append(Evidence(signal="alert_rate", detail=f"the alert reports {text_rate:.1f} events/min"))
        rate = text_rate
    evidence.append(
        Evidence(
            signal="volume",
            detail=f"{s.event_count} events over {minutes:.1f} min ({rate:.1f}/min) from {s.source or 'the source'}",
        )
    )
    share = _text_share(text, evidence)
    if share is None:
        share = _share(s, rate, evidence)
    availability = _percent(AVAILABILITY, text)
    outage = TOTAL_OUTAGE.search(text)

    minor = COSMETIC.search(text) or CAPACITY.search(text)
    if minor and floor is not Severity.P0 and share is None and availability is None and not outage:
        kind = "cosmetic" if COSMETIC.search(text) else "capacity warning"
        evidence.append(
            Evidence(
                signal=kind.replace(" ", "_"),
                points_to=Severity.P3,
                rule="table:P3",
                detail=f"{minor.group(0)!r}: a {kind}, nothing is failing yet",
            )
        )
        return _decide(Severity.P3, evidence, floor, f"minor: a {kind}, record only")

    cohort = COHORT.search(text)
    front_door = _front_door(s)
    everyone = (critical or front_door) and not cohort
    found: list[tuple[Severity, str]] = []

    if availability is not None and availability < P0_AVAILABILITY:
        level = Severity.P1 if cohort else Severity.P0
        evidence.append(
            Evidence(
                signal="availability",
                points_to=level,
                rule="table:P0",
                detail=f"availability {availability:g}% is below {P0_AVAILABILITY:g}%",
            )
        )
        found.append((level, f"availability {availability:g}% (below {P0_AVAILABILITY:g}%)"))

    if critical:
        evidence.append(
            Evidence(
                signal="critical_path",
                points_to=Severity.P1,
                rule="config:critical_paths",
                detail=f"{critical} is a revenue/access path",
            )
        )
    if share is not None:
        found.append(_by_share(share, critical, everyone, evidence))
    elif critical and rate >= P0_ERRORS_PER_MINUTE:
        evidence.append(
            Evidence(
                signal="critical_path_failing",
                points_to=Severity.P0,
                rule="table:P0",
                detail=f"{critical} failing at {rate:.0f} errors/min",
            )
        )
        found.append((Severity.P0, f"{critical} is failing ({rate:.0f} errors/min): revenue or access path down"))
    elif critical:
        found.append((Severity.P1, f"errors on {critical}; volume not (yet) at outage level"))

    if outage:
        level = Severity.P1 if cohort else Severity.P0 if critical or front_door else Severity.P2
        scope = (
            f"one cohort ({cohort.group(0)})"
            if cohort
            else "a revenue/access path or the whole service"
            if level is Severity.P0
            else "a non-critical feature"
        )
        evidence.append(
            Evidence(
                signal="outage", points_to=level, rule="table:P0/P1/P2", detail=f"{outage.group(0)!r}: down for {scope}"
            )
        )
        found.append((level, f"{scope} is down"))

    factor = _latency_factor(text)
    if factor is not None:
        level = Severity.P1 if factor > P1_LATENCY_FACTOR else Severity.P2
        evidence.append(
            Evidence(
                signal="latency",
                points_to=level,
                rule="table:P1",
                detail=f"latency at {factor:.1f}x its SLO (P1 above {P1_LATENCY_FACTOR:g}x)",
            )
        )
        found.append((level, f"latency {factor:.1f}x the SLO"))

    if CUSTOMER_REPORT.search(text):
        level = Severity.P1 if s.event_count >= SEVERAL_REPORTS else Severity.P2
        evidence.append(
            Evidence(
                signal="customer_reports",
                points_to=level,
                rule="table:P1",
                detail=f"{s.event_count} customer report(s) of this issue",
            )
        )
        found.append((level, f"{s.event_count} customer reports of one issue"))

    if s.users_affected >= 2 and s.total_users:
        user_share = s.users_affected / s.total_users
        level = Severity.P1 if user_share >= 0.2 else Severity.P2
        evidence.append(
            Evidence(
                signal="users_affected",
                points_to=level,
                rule="table:P1",
                detail=f"{s.users_affected} of {s.total_users} users ({user_share:.0%})",
            )
        )
        found.append((level, f"{user_share:.0%} of users affected"))

    if floor is Severity.P0:
        found.append((Severity.P0, "possible data loss or security breach"))
    found.append(_fallback(s, text, bool(found), evidence))
    if any(level is Severity.P0 for level, _ in found[:-1]) and not cohort:
        floor = Severity.most_severe(floor, Severity.P0)
    level, reason = min(found, key=lambda item: item[0].rank)
    return _decide(level, evidence, floor, reason)


def _by_share(share: float, critical: str | None, everyone: bool, evidence: list[Evidence]) -> tuple[Severity, str]:
    """Failing share of requests: most of a critical path is P0, > 20% P1, < 5% P2 (table rows)."""
    if share >= 0.5 and everyone:
        level, why = Severity.P0, f"{share:.0%} of requests failing on {critical or 'the whole service'}"
    elif share >= 0.2 or (critical and share >= 0.05):
        level, why = Severity.P1, f"{share:.0%} of requests failing" + (f" on {critical}" if critical else "")
    else:
        level, why = Severity.P2, f"{share:.0%} of requests failing: partial degradation"
    evidence.append(Evidence(signal="failing_share", points_to=level, rule="table:P0/P1/P2", detail=why))
    return level, why


def _fallback(s: SeveritySignals, text: str, weighed: bool, evidence: list[Evidence]) -> tuple[Severity, str]:
    """Without table evidence, a symptom of degradation is P2 and the source's own hint decides the rest."""
    hint = HINTS.get((s.level or "").lower())
    degraded = DEGRADED.search(text)
    if hint is not None:
        used = hint is Severity.P0 or not (weighed or (degraded and hint is not Severity.P2))
        evidence.append(
            Evidence(
                signal="source_severity",
                points_to=hint,
                rule=f"{s.source or 'source'} hint",
                detail=f"the source rates it {s.level!r}" + ("" if used else "; the table's evidence outweighs it"),
            )
        )
        if used:
            return hint, f"the source rates it {s.level}"
    if degraded:
        evidence.append(
            Evidence(
                signal="degraded",
                points_to=Severity.P2,
                rule="table:P2",
                detail=f"{degraded.group(0)!r}: a feature degraded, scope unknown",
            )
        )
    return Severity.P2, "partial degradation, not yet customer-visible at scale"


def _text_rate(text: str) -> float | None:
    """'1000 events in the last 10 minutes' / 'above 100 per hour' as events per minute."""
    match = COUNT_WINDOW.search(text)
    if match is None:
        return None
    count = float(match.group(1).replace(",", ""))
    span = float(match.group(2) or 1) * (60 if match.group(3).lower().startswith("hour") else 1)
    return count / span


def _percent(pattern: re.Pattern[str], text: str) -> float | None:
    match = pattern.search(text)
    if match is None:
        return None
    return float(next(g for g in match.groups() if g is not None))


def _text_share(text: str, evidence: list[Evidence]) -> float | None:
    """The failing share the monitor itself measured ('error ratio 78%', '35% of queries timing out')."""
    failing = _percent(FAILURE_SHARE, text)
    if failing is None:
        success = re.search(r"\bsuccess rate\D{0,20}?(\d+(?:\.\d+)?)\s*%", text, re.IGNORECASE)
        failing = 100 - float(success.group(1)) if success else None
    if failing is None:
        return None
    evidence.append(Evidence(signal="error_share", detail=f"the alert reports {failing:g}% of requests failing"))
    return min(failing / 100, 1.0)


def _latency_factor(text: str) -> float | None:
    """How many times its SLO the latency is: stated ('5.2x the SLO') or computed ('1.8s (SLO 400ms)')."""
    stated = LATENCY_FACTOR.search(text)
    if stated:
        return float(stated.group(1))
    values = LATENCY_VALUES.search(text)
    if values is None:
        return None
    observed, slo = (float(values.group(i)) * (0.001 if values.group(i + 1).lower() == "ms" else 1) for i in (1, 3))
    return observed / slo if slo else None


def _front_door(s: SeveritySignals) -> bool:
    """A service every request passes through (API, web front end, ingress): its outage is total."""
    return bool(FRONT_DOOR & set(re.split(r"[^a-z0-9]+", (s.service or "").lower())))


def _critical_hit(s: SeveritySignals) -> str | None:
    words = [w.lower() for w in s.critical_paths]
    for label, value in [
        ("service " + (s.service or ""), s.service or ""),
        *[(f"endpoint {e}", e) for e in s.endpoints],
        (f"'{s.title}'", s.title),
    ]:
        tokens = set(re.split(r"[^a-z0-9]+", value.lower()))
        if any(w in tokens for w in words):
            return label
    return None


def _share(s: SeveritySignals, rate: float, evidence: list[Evidence]) -> float | None:
    if not s.requests_per_minute:
        return None
    share = min(rate / s.requests_per_minute, 1.0)
    evidence.append(
        Evidence(
            signal="error_share",
            detail=f"{rate:.0f} errors/min against the service's normal {s.requests_per_minute:g} requests/min",
        )
    )
    return share


def _decide(
    level: Severity, evidence: list[Evidence], floor: Severity, reason: str, *, skip_comms: bool = False
) -> Classification:
    level = Severity.most_severe(level, floor)
    return Classification(
        severity=level, reason=reason, evidence=evidence, floor=floor, decided_by="rules", skip_comms=skip_comms
    )
