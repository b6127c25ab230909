"""The facts a decision read, as evidence lines a human checks quickly against the alert.

One line per answer to the table's questions (surface, size, scope, state), per impact
statement, for the environment, the source's label and the volume; each quotes the words it came
from. The last line is the conclusion: the rule that fired, its level and whether the rules were
sure.
"""

from __future__ import annotations

from agents.cto.decision.reading import Reading
from agents.cto.signals import Signals
from agents.cto.signals.facts import Availability, Fact, FailingShare, StatementKind
from warroom.severity import Evidence, Severity

__all__ = ["conclusion", "describe", "typed_facts"]

_STATEMENTS = {
    StatementKind.NO_IMPACT: "the alert states no customer impact",
    StatementKind.STILL_WORKS: "the alert states the rest still works",
    StatementKind.OTHERS_FINE: "the alert states the failure is confined",
    StatementKind.ALL_AFFECTED: "the alert states everyone is affected",
    StatementKind.OFF_PATH: "the alert states no user traffic goes through it",
    StatementKind.AT_RISK_ONLY: "the alert states nothing fails yet",
    StatementKind.INPUT_SPECIFIC: "a validation error: only requests with that input fail",
    StatementKind.WORKAROUND: "the alert states a workaround: the job can still be done another way",
    StatementKind.SELF_CLEARING: "the source states this alert's earlier firings cleared on their own",
}


def describe(signals: Signals, reading: Reading) -> list[Evidence]:
    surface = signals.surface
    if reading.surface is not surface.kind:
        detail = f"product: {signals.service or surface.name} is shared infrastructure every request goes through"
    else:
        guessed = "" if surface.strong else " (guessed from the service name)"
        detail = f"{surface.kind.value.replace('_', ' ')}: {surface.name}{guessed}"
    lines = [Evidence(signal="surface", detail=detail, rule="reader:surface", quote=surface.quote or None)]
    if reading.share is not None and reading.share_fact is not None:
        lines.append(
            Evidence(
                signal="failing_share",
                detail=_share(reading.share, reading.share_fact),
                rule="reader:share",
                quote=reading.share_fact.quote or None,
            )
        )
    if reading.capacity_share is not None and reading.capacity_fact is not None:
        lines.append(
            Evidence(
                signal="capacity_share",
                detail=f"{reading.capacity_share:.0%} of serving units affected",
                rule="reader:share",
                quote=reading.capacity_fact.quote,
            )
        )
    if reading.scope is not None and reading.scope_fact is not None:
        lines.append(
            Evidence(signal="scope", detail=reading.scope.value, rule="reader:scope", quote=reading.scope_fact.quote)
        )
    if reading.state is not None and reading.state_fact is not None:
        lines.append(
            Evidence(
                signal="state", detail=reading.state.value, rule="reader:state", quote=reading.state_fact.quote or None
            )
        )
    for kind, fact in reading.statements.items():
        lines.append(
            Evidence(
                signal=f"statement:{kind.value}", detail=_STATEMENTS[kind], rule="reader:statement", quote=fact.quote
            )
        )
    if reading.environment_fact is not None:
        env = reading.environment_fact
        lines.append(
            Evidence(
                signal="environment",
                detail=f"{env.quote} ({'production' if reading.production else 'not production'})",
                rule="reader:environment",
                quote=env.quote,
            )
        )
    if signals.label is not None:
        lines.append(
            Evidence(
                signal="source_label",
                detail=f"the source rates it {signals.label.label!r}",
                points_to=signals.label.points_to,
                rule=f"{signals.source or 'source'} label",
                quote=signals.label.quote,
            )
        )
    rated = [p for p in signals.similar_past if p.severity is not None]
    if rated:
        past = ", ".join(f"#{p.id} {p.severity}" for p in rated[:5])
        lines.append(
            Evidence(
                signal="similar_past",
                detail=f"similar past incidents ended as {past}; shown for comparison, not weighed",
                rule="history",
            )
        )
    volume = signals.volume
    rate = f", {volume.per_minute:.1f}/min" if volume.per_minute is not None else ", no window (one delivery)"
    lines.append(
        Evidence(
            signal="volume",
            detail=f"{volume.events} events from {volume.users} users{rate}",
            rule="reader:volume",
            quote=volume.quote or None,
        )
    )
    return lines


def typed_facts(signals: Signals, reading: Reading) -> dict[str, object]:
    """The reading as kinds, numbers and flags only: safe to show a model as trusted facts, since no
    alert text is in it (the words the facts came from are quoted in the evidence instead)."""
    facts: dict[str, object] = {
        "surface": reading.surface.value,
        "surface_named_by_alert": signals.surface.strong,
        "production": reading.production,
        "events": signals.volume.events,
        "users": signals.volume.users,
        "failing_share": None if reading.share is None else round(reading.share, 4),
        "capacity_share": None if reading.capacity_share is None else round(reading.capacity_share, 4),
        "scope": reading.scope.value if reading.scope else None,
        "state": reading.state.value if reading.state else None,
        "errors_per_minute": None if signals.volume.per_minute is None else round(signals.volume.per_minute, 2),
        "availability_percent": min((a.percent for a in signals.availability), default=None),
        "latency_factor": max((round(lat.factor, 2) for lat in signals.latency), default=None),
        "throughput_remaining": min((t.remaining for t in signals.throughput), default=None),
        "saturation_percent": max((s.percent for s in signals.saturation if s.percent is not None), default=None),
        "expiry_seconds_left": min(
            (e.seconds_left for e in signals.expiry if e.seconds_left is not None), default=None
        ),
        "customer_reports": max((r.count for r in signals.reports), default=None),
        "statements": sorted({kind.value for kind in reading.statements}),
        "exposure": sorted({e.kind for e in signals.exposure}),
        "security_topic": signals.security_topic.families if signals.security_topic else None,
        "source_label_points_to": signals.label.points_to.value if signals.label else None,
        # warroom's own record, not the alert's word: without it a model reads "nothing says it cleared before"
        "similar_past_incidents": len(signals.similar_past) or None,
        "similar_past_resolved_by_themselves_quickly": len(signals.quickly_self_resolved)
        if signals.similar_past
        else None,
    }
    return {key: value for key, value in facts.items() if value not in (None, [])}


def _share(share: float, fact: Fact) -> str:
    if isinstance(fact, Availability):
        return f"availability {fact.percent:g}%: {share:.1%} failing"
    if isinstance(fact, FailingShare):
        bound = {"at_least": "at least ", "at_most": "at most "}.get(fact.bound, "")
        return f"{bound}{share:.1%} of {fact.unit} failing ({fact.measure})"
    return f"{share:.1%} failing"


def conclusion(rule: str, level: Severity, reason: str, fact: Fact | None, note: str, uncertain: bool) -> Evidence:
    sure = "uncertain: the on-call should confirm" if uncertain else "confident"
    extra = f"; {note}" if note and rule != "source_label_only" else ""
    return Evidence(
        signal="decision",
        detail=f"{rule}: {reason}{extra} ({sure})",
        points_to=level,
        rule=f"table:{rule}",
        quote=(fact.quote or None) if fact else None,
    )
