"""The severity table of DESIGN.md as one set of named rules.

Each row is a rule with the level it gives and a one-line reason taken from the table's words;
`FAILURE_TABLE` is the table's core, the affected surface by the size of the failure, for a
surface that is down or failing. The decision (`agents.cto.decision`) answers the table's three
questions (what surface, how much, what state) from the signals, looks the answer up here, and
names the rule it used. Thresholds are the table's: a revenue or access path failing for >= 25%
is P0, a core feature failing for > 10% is P1, under 5% of requests is P2, availability under
99% is P0, latency over 3x the SLO is P1.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from agents.cto.signals.facts import Fact, SurfaceKind
from warroom.severity import Severity

__all__ = [
    "AVAILABILITY_P0",
    "CORE_P1_SHARE",
    "FAILURE_TABLE",
    "FEATURES",
    "ISOLATED_AFTER_MINUTES",
    "LATENCY_P1_FACTOR",
    "MAJORITY",
    "NEAR_LIMIT_PERCENT",
    "P0_CAPABLE",
    "PRODUCT_P0_SHARE",
    "REVENUE_P0_SHARE",
    "RULES",
    "SEVERAL_REPORTS",
    "SMALL_SHARE",
    "STORM_PER_MINUTE",
    "TRACE_SHARE",
    "Finding",
    "Rule",
    "Size",
]

REVENUE_P0_SHARE = 0.25
PRODUCT_P0_SHARE = 0.10
"""The whole product failing for 10% is availability far under 99%; 5-10% is degraded (P1); below 5% the
table's P2 row applies."""
CORE_P1_SHARE = 0.10
SMALL_SHARE = 0.05
MAJORITY = 0.5
TRACE_SHARE = 0.001
"""Under one request in a thousand, with nobody calling it more than a warning: a handful of requests, the table's
'isolated errors that are not an outage', not 'partial degradation'."""
WORK_PILING_UP_SECONDS = 300
"""A wait of five minutes or more beside a trace of errors is work piling up, not isolated errors."""
AVAILABILITY_P0 = 99.0
LATENCY_P1_FACTOR = 3.0
NEAR_LIMIT_PERCENT = 95.0
"""A resource this full is not 'well before impact' any more."""
SEVERAL_REPORTS = 3
ISOLATED_AFTER_MINUTES = 5.0
"""A few errors on a critical path are isolated only once this long has passed without more."""
STORM_PER_MINUTE = 10.0
"""Errors a minute, sustained, that are an outage of a critical path even when its traffic is unknown."""


class Size(StrEnum):
    """How much of the surface fails (DESIGN.md's second question)."""

    TOTAL = "total"
    """Down, every request failing, or at least the P0 share of a revenue or access path."""
    LARGE = "large"
    """More than 10%."""
    MEDIUM = "medium"
    """5% to 10%."""
    SMALL = "small"
    """Under 5%."""
    CONFINED = "confined"
    """One region, zone or data center, or one cohort (tenant, app version, input), while the rest serves."""
    FEW = "few"
    """One host or a handful of machines of a fleet."""
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Rule:
    name: str
    level: Severity
    reason: str


_ROWS = [
    Rule("data_exposed", Severity.P0, "customer data exposed or a confirmed breach: P0 whatever the volume"),
    Rule("data_lost", Severity.P0, "data loss or corruption: P0 whatever the volume"),
    Rule(
        "possible_exposure",
        Severity.P0,
        "the words of a data exposure, loss or breach: P0 until the on-call rules it out",
    ),
    Rule("non_production", Severity.P3, "a non-production environment: record only"),
    Rule("self_resolving", Severity.P3, "this alert historically resolved by itself within minutes"),
    Rule("internal_only", Severity.P3, "an internal or unreleased system, no customer on its path"),
    Rule("product_down", Severity.P0, "the product is down or unreachable for everyone"),
    Rule("availability_below_99", Severity.P0, "availability below 99% over the window"),
    Rule("product_failing", Severity.P0, "a large share of all requests failing: availability far below 99%"),
    Rule("critical_path_down", Severity.P0, "a revenue or access path is down"),
    Rule("critical_path_failing", Severity.P0, "a revenue or access path failing for >= 25% of its requests or users"),
    Rule(
        "critical_path_error_storm", Severity.P0, "a revenue or access path failing at outage volume (traffic unknown)"
    ),
    Rule("throughput_collapse", Severity.P0, "a revenue or access path's throughput collapsed"),
    Rule("shared_infrastructure_down", Severity.P0, "shared infrastructure every request needs is down everywhere"),
    Rule(
        "total_failure_unplaced",
        Severity.P0,
        "a total failure the alert does not place in one feature, and nothing says the rest works: the product, "
        "until the on-call says otherwise",
    ),
    Rule(
        "majority_failing_unplaced",
        Severity.P0,
        "most requests failing everywhere in a service the alert does not place in one feature, and nothing says "
        "the rest works: the product's availability far below 99%, until the on-call says otherwise",
    ),
    Rule(
        "everyone_affected", Severity.P0, "the alert states everyone is affected by a failure with nothing left working"
    ),
    Rule("product_degraded", Severity.P1, "the whole product failing for 5-10%: degraded, mostly working"),
    Rule("critical_path_degraded", Severity.P1, "a critical path degraded but mostly working (5-25% failing)"),
    Rule("critical_path_errors", Severity.P1, "errors on a revenue or access path; how many of its users is unknown"),
    Rule("core_feature_failing", Severity.P1, "a core feature failing for more than 10% of its requests"),
    Rule("core_feature_down", Severity.P1, "a core feature down for everyone while the rest of the product works"),
    Rule("region_or_cohort", Severity.P1, "failing for a whole region, zone or cohort while the rest serves"),
    Rule("core_error_storm", Severity.P1, "a core feature failing at a sustained rate (traffic unknown)"),
    Rule("latency_over_3x_slo", Severity.P1, "latency above 3x the SLO for a significant share of requests"),
    Rule("several_customer_reports", Severity.P1, "several customer reports of one issue"),
    Rule("core_feature_some_failing", Severity.P2, "5-10% of a core feature failing: below the P1 share"),
    Rule("small_share", Severity.P2, "under 5% of requests failing: partial degradation"),
    Rule("few_units", Severity.P2, "one host or a small part of the fleet affected"),
    Rule("secondary_feature", Severity.P2, "a secondary feature failing or down, with a workaround"),
    Rule("cosmetic_failing", Severity.P2, "a cosmetic component failing while the product still works"),
    Rule("background_failing", Severity.P2, "background jobs failing without user impact yet"),
    Rule("work_delayed", Severity.P2, "work delayed, not lost: partial degradation"),
    Rule("latency_under_3x_slo", Severity.P2, "latency above its objective but under 3x: partial degradation"),
    Rule("errors_size_unknown", Severity.P2, "a feature failing or degraded; how much of it is unknown"),
    Rule("few_customer_reports", Severity.P2, "isolated customer reports"),
    Rule("no_customer_impact", Severity.P2, "degraded without user impact yet, as the alert states"),
    Rule("isolated_errors", Severity.P3, "isolated errors that are not an outage"),
    Rule("cosmetic_minor", Severity.P3, "a cosmetic defect, nothing failing"),
    Rule("warning_before_impact", Severity.P3, "a capacity or expiry warning well before impact"),
    Rule("capacity_near_limit", Severity.P2, "a resource about to run out: impact is close"),
    Rule("expiry_soon", Severity.P2, "a certificate or domain expiring within days"),
    Rule("expiry_imminent", Severity.P1, "a certificate or domain expiring within a day"),
    Rule("source_label_only", Severity.P2, "nothing the table weighs was found: the source's own label decides"),
    Rule("nothing_measured", Severity.P3, "no failure, size or state the table weighs: record only"),
    Rule(
        "resembles_p0",
        Severity.P0,
        "its words read like the P0 alerts of labelled public incident reports, though the rows above read less: "
        "P0 until the on-call rules it out",
    ),
]
RULES: dict[str, Rule] = {rule.name: rule for rule in _ROWS}
P0_CAPABLE = frozenset({SurfaceKind.PRODUCT, SurfaceKind.REVENUE_ACCESS})
"""The surfaces whose failure can be P0: the product as a whole, a revenue or access path."""
FEATURES = frozenset({SurfaceKind.PRODUCT, SurfaceKind.REVENUE_ACCESS, SurfaceKind.CORE})
"""The surfaces the failure rows size (secondary, cosmetic, batch and internal have one row each)."""


@dataclass
class Finding:
    """A row of the table that applies to this incident, with the fact that made it apply."""

    rule: str
    fact: Fact | None = None
    uncertain: bool = False
    note: str = ""
    doubt: str = ""
    """Why the level itself is in doubt (a surface only guessed, say), added to the decision's reason."""

    @property
    def level(self) -> Severity:
        """The row's level; the source-label row's is the label's own, so a cap weighs what is decided."""
        return Severity(self.note) if self.rule == "source_label_only" else RULES[self.rule].level


_P = SurfaceKind.PRODUCT
_R = SurfaceKind.REVENUE_ACCESS
_C = SurfaceKind.CORE
FAILURE_TABLE: dict[tuple[SurfaceKind, Size], str] = {
    (_P, Size.TOTAL): "product_down",
    (_P, Size.LARGE): "product_failing",
    (_P, Size.MEDIUM): "product_degraded",
    (_P, Size.SMALL): "small_share",
    (_P, Size.CONFINED): "region_or_cohort",
    (_P, Size.FEW): "few_units",
    (_R, Size.TOTAL): "critical_path_failing",
    (_R, Size.LARGE): "critical_path_degraded",
    (_R, Size.MEDIUM): "critical_path_degraded",
    (_R, Size.SMALL): "small_share",
    (_R, Size.CONFINED): "region_or_cohort",
    (_R, Size.FEW): "few_units",
    (_R, Size.UNKNOWN): "critical_path_errors",
    (_C, Size.TOTAL): "core_feature_failing",
    (_C, Size.LARGE): "core_feature_failing",
    (_C, Size.MEDIUM): "core_feature_some_failing",
    (_C, Size.SMALL): "small_share",
    (_C, Size.CONFINED): "region_or_cohort",
    (_C, Size.FEW): "few_units",
    (_C, Size.UNKNOWN): "errors_size_unknown",
}
"""Surface x size for a surface that is failing or down. Secondary, cosmetic, batch and internal
surfaces have one row each whatever the size (`secondary_feature`, `cosmetic_failing`,
`background_failing`, `internal_only`); a product whose size is unknown is `product_down` when
down and `critical_path_errors` when only erroring."""
