"""When the alert's own words rule a level out: 'no customer impact', 'the rest still works', a
confined region or cohort. The capped level and the conflict, stated as evidence."""

from __future__ import annotations

import re

from agents.cto.decision.reading import Reading
from agents.cto.decision.rules import FEATURES, P0_CAPABLE, REVENUE_P0_SHARE, RULES, SMALL_SHARE, Finding
from agents.cto.signals.facts import Availability, Fact, FailingShare, ScopeKind, StatementKind, SurfaceKind, Throughput
from warroom.severity import Evidence, Severity

__all__ = ["capped", "close_call"]


def capped(chosen: Finding, findings: list[Finding], reading: Reading) -> tuple[Finding, list[Evidence]]:
    """Explicit statements and a confined scope rule out the levels above them; the conflict is shown.
    'The rest still works' rules out a whole-product outage, not a revenue or access path failing; a stated
    workaround makes a feature that is not the product or a critical path the table's 'secondary feature down
    with a workaround'. A possible exposure is about whose data, not about what still serves: only 'no customer
    impact' weighs against it."""
    caps: list[tuple[Severity, str, Fact | None]] = []
    statements = reading.statements
    if chosen.rule == "possible_exposure":
        statements = {k: v for k, v in statements.items() if k is StatementKind.NO_IMPACT}
    if StatementKind.NO_IMPACT in statements and not _of_another_measure(chosen, statements[StatementKind.NO_IMPACT]):
        # a few units, or a small share of requests, with nobody affected: the table's isolated errors
        isolated = reading.scope is ScopeKind.FEW or (reading.share is not None and reading.share < SMALL_SHARE)
        caps.append(
            (Severity.P3, "isolated_errors", statements[StatementKind.NO_IMPACT])
            if isolated
            else (Severity.P2, "no_customer_impact", statements[StatementKind.NO_IMPACT])
        )
    still = statements.get(StatementKind.STILL_WORKS)
    if (
        still is not None
        and reading.surface is SurfaceKind.REVENUE_ACCESS
        and _names(still.quote, reading.surface_name)
    ):
        # 'discounts disabled at checkout; checkout orders completing at normal rate': the path itself works, what
        # fails is a feature on it
        caps.append((Severity.P1, "core_feature_down", still))
    elif still is not None and reading.surface is not SurfaceKind.REVENUE_ACCESS:
        product_works = _says_product_works(still.quote)
        caps.append(
            (
                Severity.P2 if product_works else Severity.P1,
                "cosmetic_failing" if product_works else "core_feature_down",
                still,
            )
        )
    workaround = statements.get(StatementKind.WORKAROUND)
    if workaround is not None and reading.surface is SurfaceKind.CORE and StatementKind.ALL_AFFECTED not in statements:
        caps.append((Severity.P2, "secondary_feature", workaround))
    confined = reading.scope in (ScopeKind.REGION, ScopeKind.COHORT) and chosen.rule != "possible_exposure"
    if confined and reading.surface in FEATURES:
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


_LATENCY_RULES = frozenset({"latency_over_3x_slo", "latency_under_3x_slo"})
_ERROR_WORDS = re.compile(r"\berror|\bsuccess|\bfailure", re.IGNORECASE)
_IMPACT_WORDS = re.compile(
    r"\bimpact|\baffected\b|\b(?:user|customer)s?[- ]facing\b|\b(?:users?|customers?)\b", re.IGNORECASE
)
_LATENCY_WORDS = re.compile(r"\blatency|\bresponse times?\b|\bp\d\d\b", re.IGNORECASE)


def _of_another_measure(chosen: Finding, said: Fact) -> bool:
    """'Error rate unchanged' says nothing of a latency three times its SLO, 'latency normal' nothing of a share
    of requests failing, and neither rules out orders/min down 85% (work that never arrives fails nothing and is
    never slow) or an availability of 60% (the table's own P0 measure; where the two disagree, the higher level
    stands, as for any conflict no impact statement settles): a statement that one measure is normal rules out
    only what that measure shows."""
    if _IMPACT_WORDS.search(said.quote):
        return False  # 'no customer impact, no user-facing errors' is about impact, whatever measure it names
    errors, latency = _ERROR_WORDS.search(said.quote), _LATENCY_WORDS.search(said.quote)
    if isinstance(chosen.fact, Throughput | Availability):
        return bool(errors or latency)
    if chosen.rule in _LATENCY_RULES:
        return bool(errors) and not latency
    return bool(latency) and not errors and isinstance(chosen.fact, FailingShare)


def _names(quote: str, word: str) -> bool:
    """The still-works statement is about the whole path itself ('checkout orders completing at normal rate'), not a
    variant of it ('checkout with PayPal completing normally', 'password logins succeeding normally')."""
    whole = (
        rf"(?:^|[;,.:]\s*|\b(?:but|while|and)\s+)(?:all |overall )?{re.escape(word)}s?(?: orders?| requests?| transactions?)? "
        r"(?:are |is )?(?:still )?(?:completing|succeeding|going through)\b"
    )
    return bool(word) and re.search(whole, quote, re.IGNORECASE) is not None


def _says_product_works(quote: str) -> bool:
    lowered = quote.lower()
    return any(
        word in lowered
        for word in ("pages still", "page still", "site still", "app still", "still load", "still render", "pages load")
    )


def close_call(chosen: Finding, reading: Reading) -> bool:
    """A statement overrode a measure that pointed to P0 on a revenue or access path: the human should look."""
    return reading.surface in P0_CAPABLE and reading.share is not None and reading.share >= REVENUE_P0_SHARE
