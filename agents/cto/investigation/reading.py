"""Which reading the first look's evidence supports best, and what to check next.

In order: a release just before the errors (unless the code is only reporting a dependency that
fails, and the release is not minutes old); a dependency failing; a recurrence of a past incident
whose action items are still open; another error that began just before; a metric that moved
before the others the alerts name; else the errors themselves, or only what the alerts say. The
confidence is low unless a recent release carries the events; a person decides.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from agents.cto.investigation.evidence import (
    Evidence,
    IssueFact,
    PastIncidentFact,
    SeriesFact,
    TagFact,
    fmt_span,
    short,
)
from warroom.findings.models import Claim, Confidence

__all__ = ["DEPENDENCY", "JUST_RELEASED", "next_checks", "reading", "release_gap"]

#: What an exception says when the code is fine and something it depends on is not.
DEPENDENCY = re.compile(
    r"time[sd]? ?out|timeout|unavailable|\b50[234]\b|connection (?:refused|reset|broken|aborted)|"
    r"econnrefused|econnreset|etimedout|could not connect|unreachable|ssl|certificate|name resolution|"
    r"nxdomain|servfail|rate limit|too many requests|\b429\b|quota",
    re.IGNORECASE,
)
#: A release this close before the first error outweighs a failing dependency.
JUST_RELEASED = timedelta(minutes=15)


def reading(
    evidence: Evidence,
    recent: bool,
    tags: list[TagFact],
    others: list[Claim],
    series: list[SeriesFact],
    past: PastIncidentFact | None,
) -> tuple[str, Confidence]:
    """The one reading the evidence supports best, in this order: a release just before the
    errors; a dependency the code calls failing; a recurrence of a past incident whose action
    items are still open; another error that began just before; a metric that moved before the
    others; else the errors themselves, or only what the alerts say."""
    issue = evidence.issue
    exception, where = _raised(evidence)
    raised = f": {short(exception, 120)}{where}" if exception else ""
    focus = next((f", concentrated on {t.key} {t.top[0].value}" for t in tags if t.key != "release"), "")
    gap = release_gap(issue)
    dependency = bool(exception and DEPENDENCY.search(exception))
    if recent and gap is not None and issue is not None and issue.first_release is not None:
        if not dependency or gap <= JUST_RELEASED:
            version = issue.first_release.version
            on_release = any(t.key == "release" and str(t.top[0].value) == version for t in tags)
            text = f"Release {version}, out {fmt_span(gap)} before the errors began, is the likely trigger{raised}."
            return text, Confidence.MEDIUM if on_release else Confidence.LOW
    if dependency:
        return (
            f"A dependency is failing rather than our code{focus}: the code gets {short(exception, 120)}{where}.",
            Confidence.LOW,
        )
    if past is not None and past.open_actions:
        cause = f" ({short(past.cause, 200)})" if past.cause else ""
        return f"This looks like a repeat of {past.id}{cause}, whose action items are still open.", Confidence.LOW
    if others:
        return f"{others[0].text.removesuffix('.')}; it may be the trigger.", Confidence.LOW
    leader = _leader(series)
    if leader is not None and leader.changed_at is not None:
        name = leader.citation.removeprefix("prom:")
        return (
            f"{name} moved before the other series the alerts name, at {leader.changed_at:%H:%M} UTC; start there.",
            Confidence.LOW,
        )
    if raised:
        return (
            f"The errors come from{raised.removeprefix(':')}{focus}; no trigger found in the evidence yet.",
            Confidence.LOW,
        )
    if past is not None:
        cause = f" ({short(past.cause, 200)})" if past.cause else ""
        return f"This resembles {past.id}{cause}; no trigger found in the evidence yet.", Confidence.LOW
    beside = evidence.raising_alert(own=False)
    if beside is not None:
        at = f" at {beside.culprit}" if beside.culprit else ""
        return (
            f"No error is named in this incident's own alerts; incident #{beside.incident_id}, which began beside "
            f"it, reports {short(beside.exception, 120)}{at}: look there first if the two are related.",
            Confidence.LOW,
        )
    title = evidence.alerts[0].title if evidence.alerts else evidence.incident.title
    return f"No cause found in the evidence yet; the alerts say: {short(title, 160)}.", Confidence.LOW


def _raised(evidence: Evidence) -> tuple[str | None, str]:
    """The exception and where it was raised, from the latest event, else from a Sentry alert of
    this incident's own (another incident's error is not this one's: `reading` names it apart)."""
    event = evidence.event
    if event is not None and event.exception:
        return event.exception, (f" in {event.frames[0].where}" if event.frames else "")
    alert = evidence.raising_alert(own=True)
    if alert is not None:
        return alert.exception, (f" at {alert.culprit}" if alert.culprit else "")
    return None, ""


def release_gap(issue: IssueFact | None) -> timedelta | None:
    if (
        issue is None
        or issue.first_release is None
        or issue.first_release.released_at is None
        or issue.first_seen is None
    ):
        return None
    return issue.first_seen - issue.first_release.released_at


def _leader(series: list[SeriesFact]) -> SeriesFact | None:
    """The series that moved first, when it is a different metric from the rest and moved at
    least two minutes ahead of them: the symptom an alert watches moves with the errors."""
    moved = sorted((s for s in series if s.changed_at is not None), key=lambda s: s.changed_at or datetime.min)
    if len({s.name for s in moved}) < 2:
        return None
    first = moved[0]
    rest = [s for s in moved if s.name != first.name]
    assert first.changed_at is not None and rest[0].changed_at is not None
    return first if rest[0].changed_at - first.changed_at >= timedelta(minutes=2) else None


def next_checks(evidence: Evidence, blames_release: bool, past: PastIncidentFact | None) -> list[str]:
    checks = []
    issue = evidence.issue
    if blames_release and issue is not None and issue.first_release is not None:
        checks.append(
            f"Diff release {issue.first_release.version} against the one before it, and roll back if it fits."
        )
    if evidence.event is not None and evidence.event.frames:
        checks.append(f"Read the code at {evidence.event.frames[0].where} and the breadcrumbs before it.")
    if past is not None and past.open_actions:
        checks.append(f"Check whether the open action items of {past.id} would have prevented this.")
    if evidence.notes:
        checks.append("Weigh the responders' notes against this evidence; they are not checked by the rules.")
    checks += [f"Not read: {problem}." for problem in evidence.problems]
    return checks
