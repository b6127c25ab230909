"""The rows that weigh a measure whatever the failure rows said: availability, latency, throughput,
burn rate, Apdex, customer reports; and the warnings (expiry, capacity) of an alert that is only at risk."""

from __future__ import annotations

import re

from agents.cto.decision.reading import Reading, draining_slower
from agents.cto.decision.rules import (
    AVAILABILITY_P0,
    CORE_P1_SHARE,
    FEATURES,
    LATENCY_P1_FACTOR,
    NEAR_LIMIT_PERCENT,
    P0_CAPABLE,
    SEVERAL_REPORTS,
    SMALL_SHARE,
    Finding,
)
from agents.cto.signals import Signals
from agents.cto.signals.facts import Availability, Latency, ScopeKind, SurfaceKind

__all__ = ["at_risk", "measured"]


_ANOTHER_TIME = re.compile(
    r"\b(?:was|were|ago|yesterday|earlier|before|average|avg|mean|typical|usual|normal|baseline|\d+\s*[dw]|\d+-day|"
    r"month|quarter|week|year|mtd|ytd)\b",
    re.IGNORECASE,
)
"""'was 99.9% an hour ago', '7d average 99.8%', 'uptime 99.95% this month': the same measure at another time, not
another part of the product working now."""


def measured(reading: Reading, signals: Signals) -> list[Finding]:
    """Rows that weigh a measure whatever the failure rows said: availability, latency, throughput, reports."""
    found: list[Finding] = []
    features = reading.surface in FEATURES
    healthy_part = any(
        a.percent >= AVAILABILITY_P0 and a.bound != "at_most" and not _ANOTHER_TIME.search(a.quote)
        for a in signals.availability
    )
    for availability in signals.availability:
        if availability.percent < AVAILABILITY_P0 and availability.bound != "at_least" and features:
            confined = reading.scope in (ScopeKind.REGION, ScopeKind.COHORT)
            if confined:
                found.append(Finding("region_or_cohort", availability))
            elif healthy_part and reading.surface is SurfaceKind.CORE:
                found.extend(_one_part(availability))
            else:
                found.append(Finding("availability_below_99", availability))
    stated_slow = max((share for share, _, _ in signals.slow_shares), default=None)
    for latency in signals.latency:
        slow = latency.slow_share if latency.slow_share is not None else stated_slow
        if latency.observed_seconds is not None and latency.observed_seconds >= 60:
            found.append(Finding("work_delayed", latency))
        elif _over(latency, LATENCY_P1_FACTOR) and (slow is None or slow >= SMALL_SHARE):
            rule = "latency_over_3x_slo" if features else "secondary_feature"
            found.append(Finding(rule, latency, uncertain=latency.reference == "baseline"))
        elif latency.factor > 1:
            found.append(Finding("latency_under_3x_slo", latency))
    for throughput in signals.throughput:
        if throughput.remaining <= 0.5 and reading.surface in P0_CAPABLE:
            found.append(Finding("throughput_collapse", throughput, uncertain=throughput.remaining > 0.25))
        elif throughput.remaining <= 0.5 and features and draining_slower(throughput, signals):
            found.append(Finding("work_delayed", throughput))
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


def _one_part(availability: Availability) -> list[Finding]:
    """A feature's availability beside another part measured at 99% or more ('delivery ratio < 0.9' and 'Message API
    2xx 99.97%'): the product is not below 99%, one of its features is, and the feature rows size it by its share."""
    failing = (100 - availability.percent) / 100
    if failing > CORE_P1_SHARE or availability.bound == "at_most" and failing >= CORE_P1_SHARE:
        return [Finding("core_feature_failing", availability)]
    return [Finding("small_share" if failing < SMALL_SHARE else "core_feature_some_failing", availability)]


def at_risk(signals: Signals, reading: Reading) -> list[Finding]:
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


def _over(latency: Latency, factor: float) -> bool:
    """Above `factor` times the reference: measured so, or stated so ('p95 above 3x SLO')."""
    return latency.factor > factor or latency.above and latency.factor >= factor
