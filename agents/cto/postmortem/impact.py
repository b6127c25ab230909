"""Impact of an incident in numbers, and each response step measured against its target.

The same comparison feeds three sections ("SLA breaches" under Impact, "What went well",
"What could be better"), so it is computed once here and only phrased differently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from agents.cto.postmortem.models import ImpactReport, PostmortemInput, SlaBreach
from warroom.durations import spell_duration
from warroom.severity import Severity

__all__ = ["Assessment", "assess_impact", "target_phrase"]


def target_phrase(target: timedelta, noun: str = "target") -> str:
    """`5-minute target`, `4-hour target`, `30-second target`."""
    seconds = round(target.total_seconds())
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}-{unit} {noun}"
    return f"{seconds}-second {noun}"


_GRACE = {"update_cadence": timedelta(minutes=1)}
"""A post a few seconds past the cadence (the scheduler's tick, an outbox retry) kept the promise
in every sense a customer notices; it is not a miss to write up, nor an action item."""


@dataclass(frozen=True)
class Assessment:
    impact: ImpactReport
    went_well: list[str]
    could_be_better: list[str]


@dataclass(frozen=True)
class _Check:
    measure: str
    actual: timedelta | None
    target: timedelta | None
    met_text: str
    missing_text: str
    required: bool
    noun: str = "target"


def _since(start: datetime, moments: list[datetime]) -> timedelta | None:
    if not moments:
        return None
    return max(timedelta(0), min(moments) - start)


def _longest_gap(posts: list[datetime], end: datetime) -> timedelta | None:
    """Longest silence on the status page between its first post and the end of the incident."""
    if not posts:
        return None
    moments = sorted(posts)
    moments.append(max(end, moments[-1]))
    return max(b - a for a, b in zip(moments, moments[1:], strict=False))


def _per_severity(table: dict[Severity, float], severity: Severity | None) -> timedelta | None:
    if severity is None or severity not in table:
        return None
    return timedelta(minutes=table[severity])


def assess_impact(inp: PostmortemInput) -> Assessment:
    """Durations from the stored timestamps, compared with `inp.sla`; missing steps are breaches
    only where the playbook requires them (status page and comms for P0/P1)."""
    incident, sla = inp.incident, inp.sla
    severity = incident.severity
    first_alert = min((a.at for a in inp.alerts), default=None)
    alerted = min(m for m in (first_alert, incident.opened_at) if m is not None)
    # One duration everywhere: customers' trouble began with the first error, so the impact runs
    # from there to the resolution (what the status page and the emails said); the response is
    # measured from the first alert, and the gap between the two is detection, reported apart.
    first_error = min(incident.first_seen, alerted)
    started = first_error
    end = incident.resolved_at or inp.now
    customer_facing = severity is not None and severity.pages_customers
    for_sev = f" for {severity.value}" if severity else ""

    checks = [
        _Check(
            "time_to_detect",
            alerted - first_error,
            timedelta(minutes=sla.detect_minutes),
            "detected {actual} after the first error vs the {target}",
            "",
            False,
        ),
        _Check(
            "time_to_acknowledge",
            _since(alerted, [incident.acknowledged_at] if incident.acknowledged_at else []),
            _per_severity(sla.acknowledge_minutes, severity),
            "acknowledged after {actual} vs the {target}" + for_sev,
            "no acknowledgement was recorded (the {target}" + for_sev + ")",
            severity is not None,
        ),
        _Check(
            "time_to_first_status_post",
            _since(alerted, [p.at for p in inp.status_posts]),
            timedelta(minutes=sla.first_status_post_minutes),
            "first status-page post after {actual} vs the {target}",
            "no status-page post was made (the {target})",
            customer_facing,
        ),
        _Check(
            "time_to_first_comms",
            _since(alerted, [c.at for c in inp.comms]),
            timedelta(minutes=sla.first_comms_minutes),
            "first comms after {actual} vs the {target}",
            "no customer comms were sent (the {target})",
            customer_facing,
        ),
        _Check(
            "time_to_resolve",
            end - started,
            _per_severity(sla.resolve_minutes, severity),
            "resolved after {actual} vs the {target}" + for_sev,
            "",
            False,
        ),
        _Check(
            "update_cadence",
            _longest_gap([p.at for p in inp.status_posts], end),
            _per_severity(sla.update_cadence_minutes, severity),
            "status-page updates at most {actual} apart vs the {target}" + for_sev,
            "",
            False,
            noun="cadence",
        ),
    ]
    if incident.resolved_at is None:
        checks = [c for c in checks if c.measure != "time_to_resolve"]

    went_well: list[str] = []
    could_be_better: list[str] = []
    breaches: list[SlaBreach] = []
    for check in checks:
        if check.target is None:
            continue
        target = target_phrase(check.target, check.noun)
        if check.actual is None:
            if check.required:
                text = check.missing_text.format(target=target)
                could_be_better.append(text)
                breaches.append(SlaBreach(measure=check.measure, actual=None, target=check.target, text=text))
            continue
        text = check.met_text.format(actual=spell_duration(check.actual), target=target)
        if check.actual <= check.target:
            went_well.append(text)
        elif check.actual <= check.target + _GRACE.get(check.measure, timedelta(0)):
            pass  # kept in every sense that matters, but not a success to list either
        else:
            could_be_better.append(text)
            breaches.append(SlaBreach(measure=check.measure, actual=check.actual, target=check.target, text=text))

    measured = {check.measure: check.actual for check in checks}
    duration = end - started
    revenue = None
    if inp.revenue_per_minute is not None:
        revenue = round(duration.total_seconds() / 60 * inp.revenue_per_minute, 2)
    impact = ImpactReport(
        first_error_at=first_error,
        started_at=started,
        resolved_at=incident.resolved_at,
        duration=duration,
        time_to_detect=alerted - first_error,
        time_to_acknowledge=measured["time_to_acknowledge"],
        time_to_first_status_post=measured["time_to_first_status_post"],
        time_to_first_comms=measured["time_to_first_comms"],
        users_affected=inp.users_affected if inp.users_affected is not None else incident.users_affected,
        requests_affected=(inp.requests_affected if inp.requests_affected is not None else incident.event_count),
        cohort=inp.cohort,
        cohort_size=inp.cohort_size,
        revenue_estimate=revenue,
        currency=inp.currency,
        sla_breaches=breaches,
    )
    return Assessment(impact=impact, went_well=went_well, could_be_better=could_be_better)
