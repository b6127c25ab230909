"""The severity decision: the signals read against the one table in `agents.cto.decision.rules`.

Order of the table's own precedence: the security and data-loss floor (P0 whatever the volume or
label), then non-production and historically self-resolving alerts (P3), then what the table's
three questions give: the failure rows (surface x size), availability, latency, throughput,
customer reports and warnings. The most severe row that applies fires, unless an explicit impact
statement rules it out ("no customer impact" keeps it at P2 at most, "pages still load" at P2,
"running services unaffected" and a confined region or cohort at P1); the conflict is stated in
the evidence. The source's label decides only when nothing else was read, and then the decision
is uncertain. Every decision names its rule and carries the facts that fed it.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.cto.decision.evidence import conclusion, describe, typed_facts
from agents.cto.decision.reading import Reading, read
from agents.cto.decision.rules import (
    AVAILABILITY_P0,
    CORE_P1_SHARE,
    FAILURE_TABLE,
    ISOLATED_AFTER_MINUTES,
    LATENCY_P1_FACTOR,
    NEAR_LIMIT_PERCENT,
    PRODUCT_P0_SHARE,
    REVENUE_P0_SHARE,
    RULES,
    SEVERAL_REPORTS,
    SMALL_SHARE,
    STORM_PER_MINUTE,
    Size,
)
from agents.cto.signals import Signals
from agents.cto.signals.facts import Fact, ScopeKind, StateKind, StatementKind, SurfaceKind
from warroom.severity import Classification, Confidence, Evidence, Severity

__all__ = ["decide"]

_P0_CAPABLE = {SurfaceKind.PRODUCT, SurfaceKind.REVENUE_ACCESS}
_FEATURES = {SurfaceKind.PRODUCT, SurfaceKind.REVENUE_ACCESS, SurfaceKind.CORE}
_FAILED = {StateKind.DOWN, StateKind.FAILING}
_BAD = {StateKind.DOWN, StateKind.FAILING, StateKind.DEGRADED, StateKind.DELAYED}
_THRESHOLDS = (REVENUE_P0_SHARE, CORE_P1_SHARE, SMALL_SHARE)
_NOT_ABOUT_SURFACE = {"data_exposed", "data_lost", "non_production", "self_resolving", "source_label_only"}


@dataclass
class Finding:
    rule: str
    fact: Fact | None = None
    uncertain: bool = False
    note: str = ""

    @property
    def level(self) -> Severity:
        return RULES[self.rule].level


def decide(signals: Signals) -> Classification:
    reading = read(signals)
    decided = _decide(signals, reading)
    named = signals.surface.strong and reading.surface in _FEATURES and decided.rule not in _NOT_ABOUT_SURFACE
    reason = f"{decided.reason}: {signals.surface.name}" if named else decided.reason
    return decided.model_copy(update={"facts": typed_facts(signals, reading), "reason": reason})


def _decide(signals: Signals, reading: Reading) -> Classification:
    evidence = describe(signals, reading)
    exposure = [e for e in signals.exposure if e.kind in ("exposed", "breach")]
    loss = [e for e in signals.exposure if e.kind in ("loss", "corruption")]
    if exposure or (loss and reading.production):
        finding = Finding("data_exposed" if exposure else "data_lost", (exposure or loss)[0])
        return _classify(finding, evidence, floor=Severity.P0)
    if not reading.production:
        return _classify(Finding("non_production", reading.environment_fact), evidence)
    flapping = _self_resolving(signals)
    if flapping:
        evidence.append(Evidence(signal="self_resolving", detail=flapping, points_to=Severity.P3, rule="history"))
        return _classify(Finding("self_resolving", note=flapping), evidence, skip_comms=True)
    findings = _findings(reading, signals)
    chosen = max(findings, key=lambda f: (-f.level.rank, not f.uncertain))
    chosen, conflicts = _capped(chosen, findings, reading)
    evidence += [e for e in (_point(f) for f in findings) if e is not None]
    evidence += conflicts
    if signals.label is not None and abs(signals.label.points_to.rank - RULES[chosen.rule].level.rank) >= 2:
        evidence.append(
            Evidence(
                signal="conflict",
                detail=f"the source rates it {signals.label.label!r} but {RULES[chosen.rule].reason}",
                points_to=signals.label.points_to,
                rule="source label",
                quote=signals.label.quote,
            )
        )
    return _classify(chosen, evidence, uncertain=chosen.uncertain or bool(conflicts and _close_call(chosen, reading)))


def _findings(reading: Reading, signals: Signals) -> list[Finding]:
    found = _failure(reading, signals) + _measures(reading, signals)
    if reading.state is StateKind.AT_RISK:
        found += _at_risk(signals, reading)
    if not found:
        found.append(_fallback(reading, signals))
    return found


def _failure(reading: Reading, signals: Signals) -> list[Finding]:
    """The failure rows: surface x size, for what is down, failing, degraded or delayed."""
    surface, state = reading.surface, reading.state
    if surface is SurfaceKind.INTERNAL:
        return [Finding("internal_only", signals.surface)]
    if state not in _BAD and not (surface is SurfaceKind.COSMETIC and state is None and signals.volume.events):
        return []
    if surface is SurfaceKind.COSMETIC:
        rule = "cosmetic_failing" if state in _FAILED and not _isolated(reading, signals) else "cosmetic_minor"
        return [Finding(rule, signals.surface)]
    if surface is SurfaceKind.SECONDARY and not _wholesale(reading):
        return [Finding("secondary_feature", signals.surface, uncertain=not signals.surface.strong)]
    if surface is SurfaceKind.SECONDARY:
        reading.surface = SurfaceKind.CORE
    if surface is SurfaceKind.BATCH:
        return [Finding("background_failing", signals.surface)]
    if state is StateKind.DELAYED:
        return [Finding("work_delayed", reading.state_fact)]
    if state is StateKind.DEGRADED:
        if reading.scope is ScopeKind.FEW:
            return [Finding("few_units", reading.scope_fact)]
        if StatementKind.NO_IMPACT in reading.statements:
            return [Finding("no_customer_impact", reading.statements[StatementKind.NO_IMPACT])]
        return [Finding("errors_size_unknown", reading.state_fact, uncertain=True)]
    if _infrastructure_down(reading):
        return [Finding("shared_infrastructure_down", reading.state_fact, uncertain=not reading.share)]
    if _everyone_affected(reading):
        return [Finding("everyone_affected", reading.statements[StatementKind.ALL_AFFECTED], uncertain=True)]
    return [_by_size(reading, signals)]


def _by_size(reading: Reading, signals: Signals) -> Finding:
    surface, share, fact = reading.surface, reading.share, reading.share_fact or reading.state_fact
    size = _size(reading, signals)
    if size is Size.UNKNOWN:
        return _size_unknown(reading, signals)
    if surface is SurfaceKind.PRODUCT and size is Size.TOTAL and reading.state is StateKind.FAILING:
        rule = "product_failing"
    elif surface is SurfaceKind.REVENUE_ACCESS and size is Size.TOTAL and share is None:
        rule = "critical_path_down"
    elif surface is SurfaceKind.CORE and size is Size.TOTAL and (share is None or share >= 0.99):
        rule = "core_feature_down"
    else:
        rule = FAILURE_TABLE[(surface, size)]
    if size is Size.CONFINED:
        fact = reading.scope_fact
    near = share is not None and any(0.8 <= share / t <= 1.25 for t in _THRESHOLDS) or rule == "product_degraded"
    weak_surface = not signals.surface.strong and surface is not SurfaceKind.CORE
    return Finding(rule, fact, uncertain=near or weak_surface and RULES[rule].level is Severity.P0)


def _size(reading: Reading, signals: Signals) -> Size:
    share, surface = reading.share, reading.surface
    global_scope = reading.scope is ScopeKind.GLOBAL
    all_affected = StatementKind.ALL_AFFECTED in reading.statements
    whole = reading.state is StateKind.DOWN or all_affected
    failing_region = reading.scope is ScopeKind.REGION and reading.state in _FAILED
    confined = reading.scope in (ScopeKind.REGION, ScopeKind.COHORT)
    if confined and (share is not None and share >= SMALL_SHARE or whole or share is None and failing_region):
        return Size.CONFINED
    if reading.scope is ScopeKind.FEW and (share is None or share < CORE_P1_SHARE):
        return Size.FEW
    if share is None:
        if whole or global_scope:
            return Size.TOTAL
        return Size.UNKNOWN
    if share >= 0.99 or (surface is SurfaceKind.REVENUE_ACCESS and share >= REVENUE_P0_SHARE):
        return Size.TOTAL
    if surface is SurfaceKind.PRODUCT and share >= PRODUCT_P0_SHARE:
        return Size.TOTAL
    if surface is SurfaceKind.PRODUCT and share >= SMALL_SHARE:
        return Size.MEDIUM
    if share > CORE_P1_SHARE or (surface is SurfaceKind.CORE and share >= REVENUE_P0_SHARE):
        return Size.LARGE
    return Size.MEDIUM if share >= SMALL_SHARE else Size.SMALL


def _size_unknown(reading: Reading, signals: Signals) -> Finding:
    """Errors whose share is unknown: a sustained rate is an outage of a critical path, a burst from
    few users is isolated, anything else is a level the on-call should confirm."""
    volume = signals.volume
    if _isolated(reading, signals):
        minor = signals.label is None or signals.label.points_to is Severity.P3
        return Finding("isolated_errors" if minor else "errors_size_unknown", volume, uncertain=True)
    storm = volume.per_minute is not None and volume.per_minute >= STORM_PER_MINUTE and volume.minutes is not None
    if reading.surface in _P0_CAPABLE:
        return Finding("critical_path_error_storm" if storm else "critical_path_errors", volume, uncertain=True)
    return Finding("core_error_storm" if storm else "errors_size_unknown", volume, uncertain=True)


def _isolated(reading: Reading, signals: Signals) -> bool:
    """A few errors from one or two people: only an error tracker's events are counted this way (a
    monitor's one alert describes a condition, whatever its count). On a revenue or access path the
    first errors are not called isolated until a few minutes have passed without more."""
    volume = signals.volume
    count = (
        volume.per_minute * volume.minutes if volume.stated and volume.per_minute and volume.minutes else volume.events
    )
    few = reading.error_events and reading.share is None and count <= 3 and volume.users <= 2 and not signals.reports
    settled = reading.surface not in _P0_CAPABLE or (volume.minutes or 0) >= ISOLATED_AFTER_MINUTES
    return few and settled


def _infrastructure_down(reading: Reading) -> bool:
    """A database primary, DNS or the network down everywhere takes every request with it."""
    total = reading.state is StateKind.DOWN and (reading.share is None or reading.share >= 0.99)
    confined = reading.scope in (ScopeKind.REGION, ScopeKind.COHORT, ScopeKind.FEW)
    works = StatementKind.STILL_WORKS in reading.statements
    return reading.infrastructure and total and not confined and not works and reading.surface is SurfaceKind.PRODUCT


def _wholesale(reading: Reading) -> bool:
    """A 'secondary' feature failing for everyone or for a large share, with no word that the rest
    works, is not a side feature to whoever's product it is (metrics for a metrics company)."""
    large = reading.share is not None and reading.share >= REVENUE_P0_SHARE
    said = StatementKind.ALL_AFFECTED in reading.statements
    works = StatementKind.STILL_WORKS in reading.statements or StatementKind.NO_IMPACT in reading.statements
    return reading.state in _FAILED and (large or said) and not works


def _everyone_affected(reading: Reading) -> bool:
    """'For all customers' on a feature that is down or wholly failing, everywhere, with no word that the
    rest works: the table's 'the product unreachable for everyone', as the alert itself says."""
    total = reading.state is StateKind.DOWN or (reading.share is not None and reading.share >= 0.99)
    confined = reading.scope in (ScopeKind.REGION, ScopeKind.COHORT, ScopeKind.FEW)
    works = StatementKind.STILL_WORKS in reading.statements or StatementKind.OTHERS_FINE in reading.statements
    said = StatementKind.ALL_AFFECTED in reading.statements
    return said and total and not confined and not works and reading.surface is SurfaceKind.CORE


def _measures(reading: Reading, signals: Signals) -> list[Finding]:
    """Rows that weigh a measure whatever the failure rows said: availability, latency, throughput, reports."""
    found: list[Finding] = []
    features = reading.surface in _FEATURES
    for availability in signals.availability:
        if availability.percent < AVAILABILITY_P0 and availability.bound != "at_least" and features:
            confined = reading.scope in (ScopeKind.REGION, ScopeKind.COHORT)
            found.append(Finding("region_or_cohort" if confined else "availability_below_99", availability))
    stated_slow = max((share for share, _, _ in signals.slow_shares), default=None)
    for latency in signals.latency:
        slow = latency.slow_share if latency.slow_share is not None else stated_slow
        if latency.observed_seconds is not None and latency.observed_seconds >= 60:
            found.append(Finding("work_delayed", latency))
        elif latency.factor > LATENCY_P1_FACTOR and (slow is None or slow >= SMALL_SHARE):
            rule = "latency_over_3x_slo" if features else "secondary_feature"
            found.append(Finding(rule, latency, uncertain=latency.reference == "baseline"))
        elif latency.factor > 1:
            found.append(Finding("latency_under_3x_slo", latency))
    for throughput in signals.throughput:
        if throughput.remaining <= 0.5 and reading.surface in _P0_CAPABLE:
            found.append(Finding("throughput_collapse", throughput, uncertain=throughput.remaining > 0.25))
        elif throughput.remaining <= 0.5 and features:
            found.append(Finding("core_feature_failing", throughput))
    for factor, target, quote, _ in signals.burn_rates:
        if target is None and features:
            rule = "core_feature_failing" if factor >= 14.4 else "small_share"
            found.append(Finding(rule, note=f"error budget burning {factor:g}x ({quote})", uncertain=True))
    for score, quote, _ in signals.apdex:
        if features:
            rule = "latency_over_3x_slo" if score < 0.5 else "latency_under_3x_slo"
            found.append(Finding(rule, note=f"Apdex {score:g} ({quote})", uncertain=True))
    if signals.reports:
        report = max(signals.reports, key=lambda r: r.count)
        windows = [r.window_days for r in signals.reports if r.window_days is not None]
        recent = not windows or max(windows) <= 1
        rule = "several_customer_reports" if report.count >= SEVERAL_REPORTS and recent else "few_customer_reports"
        found.append(Finding(rule, report))
    return found


def _at_risk(signals: Signals, reading: Reading) -> list[Finding]:
    found: list[Finding] = []
    for expiry in signals.expiry:
        if expiry.seconds_left is None:
            found.append(Finding("warning_before_impact", expiry, uncertain=True))
        elif expiry.seconds_left < 86_400:
            found.append(Finding("expiry_imminent", expiry, uncertain=True))
        elif expiry.seconds_left < 7 * 86_400:
            found.append(Finding("expiry_soon", expiry))
        else:
            found.append(Finding("warning_before_impact", expiry))
    for saturation in signals.saturation:
        near = saturation.percent is not None and saturation.percent >= NEAR_LIMIT_PERCENT
        soon = saturation.forecast_seconds is not None and saturation.forecast_seconds < 86_400
        if near or soon:
            found.append(Finding("capacity_near_limit", saturation, uncertain=True))
    if not found:
        found.append(Finding("warning_before_impact", reading.state_fact))
    return found


def _fallback(reading: Reading, signals: Signals) -> Finding:
    """Nothing the table weighs: isolated errors, or the source's label, never with confidence."""
    if reading.state in _BAD and _isolated(reading, signals):
        label = signals.label.points_to if signals.label else Severity.P2
        return Finding(
            "isolated_errors" if label is Severity.P3 else "errors_size_unknown", signals.volume, uncertain=True
        )
    if signals.label is not None:
        return Finding("source_label_only", signals.label, uncertain=True, note=signals.label.points_to.value)
    rule = "errors_size_unknown" if reading.state in _BAD else "nothing_measured"
    return Finding(rule, reading.state_fact, uncertain=True)


def _capped(chosen: Finding, findings: list[Finding], reading: Reading) -> tuple[Finding, list[Evidence]]:
    """Explicit statements and a confined scope rule out the levels above them; the conflict is shown.
    'The rest still works' rules out a whole-product outage, not a revenue or access path failing."""
    caps: list[tuple[Severity, str, Fact | None]] = []
    statements = reading.statements
    if StatementKind.NO_IMPACT in statements:
        isolated = reading.scope is ScopeKind.FEW
        caps.append(
            (Severity.P3, "isolated_errors", statements[StatementKind.NO_IMPACT])
            if isolated
            else (Severity.P2, "no_customer_impact", statements[StatementKind.NO_IMPACT])
        )
    still = statements.get(StatementKind.STILL_WORKS)
    if still is not None and reading.surface is not SurfaceKind.REVENUE_ACCESS:
        product_works = _says_product_works(still.quote)
        caps.append(
            (
                Severity.P2 if product_works else Severity.P1,
                "cosmetic_failing" if product_works else "core_feature_down",
                still,
            )
        )
    if reading.scope in (ScopeKind.REGION, ScopeKind.COHORT) and reading.surface in _FEATURES:
        caps.append((Severity.P1, "region_or_cohort", reading.scope_fact))
    conflicts: list[Evidence] = []
    for cap, rule, fact in sorted(caps, key=lambda c: -c[0].rank):
        if chosen.level < cap:
            conflicts.append(
                Evidence(
                    signal="conflict",
                    detail=f"{RULES[chosen.rule].reason} ({chosen.level}), but the alert says "
                    f"{fact.quote if fact else 'otherwise'!r}: at most {cap}",
                    points_to=cap,
                    rule=rule,
                    quote=(fact.quote or None) if fact else None,
                )
            )
            below = [f for f in findings if f.level >= cap]
            best = max(below, key=lambda f: -f.level.rank) if below else None
            chosen = best if best is not None and best.level is cap else Finding(rule, fact)
    return chosen, conflicts


def _says_product_works(quote: str) -> bool:
    lowered = quote.lower()
    return any(
        word in lowered
        for word in ("pages still", "page still", "site still", "app still", "still load", "still render", "pages load")
    )


def _close_call(chosen: Finding, reading: Reading) -> bool:
    """A statement overrode a measure that pointed to P0 on a revenue or access path: the human should look."""
    return reading.surface in _P0_CAPABLE and reading.share is not None and reading.share >= REVENUE_P0_SHARE


def _self_resolving(signals: Signals) -> str:
    past = signals.similar_past
    quick = [
        p
        for p in past
        if p.self_resolved_minutes is not None and p.self_resolved_minutes < signals.self_resolve_minutes
    ]
    if not quick or len(quick) < max(1, len(past) // 2 + 1):
        return ""
    ids = ", #".join(str(p.id) for p in quick[:5])
    return f"{len(quick)} of {len(past)} similar incidents resolved by themselves in under {signals.self_resolve_minutes:g} min (#{ids})"


def _point(finding: Finding) -> Evidence | None:
    rule = RULES[finding.rule]
    if finding.fact is None and not finding.note:
        return None
    detail = finding.note or rule.reason
    return Evidence(
        signal=finding.rule,
        detail=detail,
        points_to=rule.level,
        rule=f"table:{finding.rule}",
        quote=(finding.fact.quote or None) if finding.fact else None,
    )


def _classify(
    finding: Finding,
    evidence: list[Evidence],
    *,
    floor: Severity | None = None,
    uncertain: bool = False,
    skip_comms: bool = False,
) -> Classification:
    rule = RULES[finding.rule]
    level = Severity(finding.note) if finding.rule == "source_label_only" else rule.level
    uncertain = uncertain or finding.uncertain
    if floor is None:
        floor = Severity(f"P{min(level.rank + 1, 3)}") if uncertain else level
    evidence.append(conclusion(finding.rule, level, rule.reason, finding.fact, finding.note, uncertain))
    return Classification(
        severity=level,
        reason=rule.reason if finding.rule != "self_resolving" else f"{rule.reason}: {finding.note}",
        evidence=evidence,
        floor=floor,
        decided_by="rules",
        skip_comms=skip_comms,
        rule=finding.rule,
        confidence=Confidence.UNCERTAIN if uncertain else Confidence.CONFIDENT,
    )
