"""The severity decision: the signals read against the one table in `agents.cto.decision.rules`.

Order of the table's own precedence: the security and data-loss floor (P0 whatever the volume or
label), then non-production and historically self-resolving alerts (P3), then what the table's
three questions give: the failure rows (surface x size), availability, latency, throughput,
customer reports and warnings, and, when no phrase of the floor was read but its words were, a
possible exposure (P0, uncertain). The most severe row that applies fires, unless an explicit impact
statement rules it out ("no customer impact" keeps it at P2 at most, "pages still load" at P2,
"running services unaffected" and a confined region or cohort at P1); the conflict is stated in
the evidence. The source's label decides only when nothing else was read, and then the decision
is uncertain. Every decision names its rule and carries the facts that fed it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from agents.cto.decision.conflicts import capped, close_call
from agents.cto.decision.evidence import conclusion, describe, typed_facts
from agents.cto.decision.measures import at_risk, measured
from agents.cto.decision.reading import Reading, read
from agents.cto.decision.rules import (
    CORE_P1_SHARE,
    FAILURE_TABLE,
    FEATURES,
    ISOLATED_AFTER_MINUTES,
    MAJORITY,
    P0_CAPABLE,
    PRODUCT_P0_SHARE,
    REVENUE_P0_SHARE,
    RULES,
    SMALL_SHARE,
    STORM_PER_MINUTE,
    TRACE_SHARE,
    WORK_PILING_UP_SECONDS,
    Finding,
    Size,
)
from agents.cto.signals import Signals
from agents.cto.signals.facts import REST_WORKS, Fact, FailingShare, ScopeKind, StateKind, StatementKind, SurfaceKind
from agents.cto.signals.text import duration_seconds, numbers
from warroom.severity import Classification, Confidence, Evidence, Severity

__all__ = ["decide"]

_FAILED = {StateKind.DOWN, StateKind.FAILING}
_BAD = {StateKind.DOWN, StateKind.FAILING, StateKind.DEGRADED, StateKind.DELAYED}
_THRESHOLDS = (REVENUE_P0_SHARE, CORE_P1_SHARE, SMALL_SHARE)
_NOT_ABOUT_SURFACE = {
    "data_exposed",
    "data_lost",
    "possible_exposure",
    "non_production",
    "self_resolving",
    "source_label_only",
}


def decide(signals: Signals) -> Classification:
    reading = read(signals)
    decided = _decide(signals, reading)
    named = signals.surface.strong and reading.surface in FEATURES and decided.rule not in _NOT_ABOUT_SURFACE
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
    chosen, conflicts = capped(chosen, findings, reading)
    if chosen.rule in _FEATURE_ROWS and signals.surface.kind is SurfaceKind.CORE and not signals.surface.strong:
        chosen = replace(chosen, uncertain=True, doubt=chosen.doubt or _feature_doubt(reading, signals))
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
    return _classify(chosen, evidence, uncertain=chosen.uncertain or bool(conflicts and close_call(chosen, reading)))


def _findings(reading: Reading, signals: Signals) -> list[Finding]:
    found = _failure(reading, signals) + measured(reading, signals)
    if signals.security_topic is not None:
        found.append(Finding("possible_exposure", signals.security_topic, uncertain=True))
    if reading.state is StateKind.AT_RISK:
        found += at_risk(signals, reading)
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
    if surface is SurfaceKind.BATCH and _people_waiting(reading):
        reading.surface = surface = SurfaceKind.CORE
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


_SERVED_UNITS = {
    "request", "requests", "query", "queries", "call", "calls", "response", "responses", "user", "users", "customer",
    "customers", "session", "sessions", "login", "logins", "signin", "signins", "sign-in", "sign-ins", "checkout",
    "checkouts", "purchase", "purchases", "payment", "payments", "order", "orders", "transaction", "transactions",
}  # fmt: skip


def _people_waiting(reading: Reading) -> bool:
    """A share of requests or users failing is someone waiting on an answer: whatever batch work the alert also
    names ('34% of web requests 5xx; cron runs failing'), the failure is not only in the background."""
    fact = reading.share_fact
    return isinstance(fact, FailingShare) and not fact.affected_only and fact.noun in _SERVED_UNITS


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
        rule = "total_failure_unplaced" if _unplaced(reading, signals) else "core_feature_down"
    elif (
        surface is SurfaceKind.CORE
        and share is not None
        and share >= MAJORITY
        and _everywhere_unplaced(reading, signals)
    ):
        rule = "majority_failing_unplaced"
    else:
        rule = FAILURE_TABLE[(surface, size)]
    if rule == "few_units" and share is not None and share < TRACE_SHARE:
        # one name server of four silent while zones resolve at 99.99%: redundancy lost, nothing failing yet
        return Finding("isolated_errors", reading.scope_fact)
    if rule == "small_share" and share is not None and share < TRACE_SHARE:
        waiting = _work_waiting(signals)
        if waiting is not None:
            return Finding("work_delayed", waiting)
        if _labelled_minor(signals):
            rule = "isolated_errors"
    if size is Size.CONFINED:
        fact = reading.scope_fact
    near = share is not None and any(0.8 <= share / t <= 1.25 for t in _THRESHOLDS) or rule in _ALWAYS_UNSURE
    # A P0 on a product or revenue surface guessed from a service name is uncertain (a model may take it to P1) and
    # its reason names what each surface would make it. A P1 on a guessed core feature is made uncertain in `_decide`
    # (`_FEATURE_ROWS`), after the caps.
    guessed = not signals.surface.strong and surface is not SurfaceKind.CORE and RULES[rule].level is Severity.P0
    return Finding(rule, fact, uncertain=near or guessed, doubt=_surface_doubt(reading, signals) if guessed else "")


def _work_waiting(signals: Signals) -> Fact | None:
    """Work piling up beside a trace of errors ('ingest lag 1h 12m; cdn 2xx 99.97%'): the requests are served, the
    work waits. That is delayed work, not isolated errors. A delay of seconds, one said to be normal, or a retry
    policy ('backoff up to 1h', 'queued for retry') is not work piling up."""
    waits = [
        fact
        for fact in (*signals.delays, *(s for s in signals.states if s.kind is StateKind.DELAYED))
        if not _NOT_PILING_UP.search(fact.quote) and (_longest_wait(fact.quote) or 0) >= WORK_PILING_UP_SECONDS
    ]
    return max(waits, key=lambda f: _longest_wait(f.quote) or 0) if waits else None


_NOT_PILING_UP = re.compile(r"\bnormal\b|\bretr(?:y|ies|ied)\b|\bbackoff\b|\bup to\b", re.IGNORECASE)


def _longest_wait(quote: str) -> float | None:
    return max((s for s in (duration_seconds(n) for n in numbers(quote)) if s is not None), default=None)


_SURFACE_WORDS = {  # the surfaces the failure rows size (FEATURES), most critical first
    SurfaceKind.PRODUCT: "the whole product",
    SurfaceKind.REVENUE_ACCESS: "a revenue or access path",
    SurfaceKind.CORE: "a core feature",
}


def _surface_doubt(reading: Reading, signals: Signals) -> str:
    options = _surface_levels(reading, signals)
    if len(options) < 2:
        return ""
    return f"what is failing was guessed from the service name alone: {_say(options)}"


def _say(options: dict[Severity, list[str]]) -> str:
    return ", ".join(f"{level} if it is {' or '.join(words)}" for level, words in sorted(options.items()))


def _surface_levels(reading: Reading, signals: Signals) -> dict[Severity, list[str]]:
    """The levels the failure rows give on each surface the service might be, with the surfaces that give each:
    said in the decision's reason when only the service's name said which, so whoever reads it knows what to check.

    The table sizes a failure against its surface (a share of 30% is P0 on a revenue or access path, P1 on a core
    feature; a total failure P0 on the product, P1 on a core feature), while under 5%, one region or a few hosts
    give the same row everywhere."""
    levels: dict[Severity, list[str]] = {}
    for kind, words in _SURFACE_WORDS.items():  # a fixed order: the same alert reads the same
        key = (kind, _size(replace(reading, surface=kind), signals))
        if key in FAILURE_TABLE:
            levels.setdefault(RULES[FAILURE_TABLE[key]].level, []).append(words)
    return levels


def _feature_doubt(reading: Reading, signals: Signals) -> str:
    """Said of a P1 on a core feature only guessed: what each surface would make it, and the table's P2 row for a
    secondary feature down with a workaround (a line the alert's words do not draw)."""
    options = _surface_levels(reading, signals)
    options.setdefault(Severity.P2, []).append("a secondary feature with a workaround")
    return f"nothing says which feature this is, so it is taken for a core one: {_say(options)}"


_FEATURE_ROWS = {"core_feature_failing", "core_feature_down"}
"""The table's P1 and P2 differ by what fails, a core feature or a secondary one down with a workaround, and the
readers' default when nothing names the feature is 'core'. Rated before anyone had tuned to them (the rules as each
batch of blind development cases found them, 200 cases), those P1s were right 28 times in 50, over-rated 11 times
and under-rated 11: a guess, so the level is uncertain. The on-call is asked, and a model may take it to P2 with a
stated reason. A whole region or cohort failing is P1 on every surface the table sizes (`region_or_cohort`), so
a guess about the surface leaves it sure."""
_ALWAYS_UNSURE = {"product_degraded", "total_failure_unplaced", "majority_failing_unplaced"}
_REST_WORKS = REST_WORKS | {StatementKind.WORKAROUND}


def _unplaced(reading: Reading, signals: Signals) -> bool:
    """Everything failing everywhere ('from all probe sites', 'for all customers') in a service the alert names only
    by its service name, with no word that anything else works: one alert about a total failure is the product's
    outage until a human places it in one feature. The table's 'core feature down' asserts the rest works; nobody
    said so."""
    said = any(kind in reading.statements for kind in _REST_WORKS)
    everywhere = reading.scope is ScopeKind.GLOBAL or StatementKind.ALL_AFFECTED in reading.statements
    return not signals.surface.strong and not said and everywhere


def _everywhere_unplaced(reading: Reading, signals: Signals) -> bool:
    """Most requests failing in every place the service runs ('all regions', 'globally'), in a service the alert
    names only by its service name, with no word that anything else works: the product's availability, not one
    feature's. 'All customers' is not enough here: with a share under the whole, it is often a qualified all ('all
    Elation-connected orgs'), a cohort."""
    return reading.scope is ScopeKind.GLOBAL and _unplaced(reading, signals)


def _labelled_minor(signals: Signals) -> bool:
    return signals.label is None or signals.label.points_to is Severity.P3


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
        minor = _labelled_minor(signals)
        return Finding("isolated_errors" if minor else "errors_size_unknown", volume, uncertain=True)
    storm = volume.per_minute is not None and volume.per_minute >= STORM_PER_MINUTE and volume.minutes is not None
    if reading.surface in P0_CAPABLE:
        return Finding("critical_path_error_storm" if storm else "critical_path_errors", volume, uncertain=True)
    return Finding("core_error_storm" if storm else "errors_size_unknown", volume, uncertain=True)


def _isolated(reading: Reading, signals: Signals) -> bool:
    """A handful of errors (at most five, from at most five people): only an error tracker's events are counted
    this way (a monitor's one alert describes a condition, whatever its count). On a revenue or access path the
    first errors are not called isolated until a few minutes have passed without more, unless they are a
    validation error ('cancel_reason_code: cannot be blank'): that is one request's input, not the path failing."""
    volume = signals.volume
    count = (
        volume.per_minute * volume.minutes if volume.stated and volume.per_minute and volume.minutes else volume.events
    )
    few = reading.error_events and reading.share is None and count <= 5 and volume.users <= 5 and not signals.reports
    settled = (
        reading.surface not in P0_CAPABLE
        or (volume.minutes or 0) >= ISOLATED_AFTER_MINUTES
        or StatementKind.INPUT_SPECIFIC in reading.statements
    )
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


def _self_resolving(signals: Signals) -> str:
    """Similar past incidents that resolved by themselves, or the source's own word that this alert's earlier
    firings cleared on their own."""
    said = next((s for s in signals.statements if s.kind is StatementKind.SELF_CLEARING), None)
    if said is not None:
        return f"the source says {said.quote!r}"
    past, quick = signals.similar_past, signals.quickly_self_resolved
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
    reason = f"{rule.reason}: {finding.note}" if finding.rule == "self_resolving" else rule.reason
    return Classification(
        severity=level,
        reason=f"{reason}; {finding.doubt}" if finding.doubt else reason,
        evidence=evidence,
        floor=floor,
        decided_by="rules",
        skip_comms=skip_comms,
        rule=finding.rule,
        confidence=Confidence.UNCERTAIN if uncertain else Confidence.CONFIDENT,
    )
