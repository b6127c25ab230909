"""The first look without a model: what a seasoned responder reads off the evidence in a minute.

The top in-app frame and the exception; the release the issue first appeared in and how long
after it the errors began; where the events concentrate (a release, a region, a host); the other
errors that began just before; the metrics an alert names, and when they left their usual level;
the past incident this resembles, with its cause and its still-open action items; the runbook
section that speaks to it; who owns the failing code. Every claim cites the evidence it reads, and
the hypothesis says which of them points at a trigger, or that none does yet. Deterministic: the
same evidence gives the same finding.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from agents.cto.investigation.evidence import (
    BreadcrumbFact,
    Evidence,
    FrameFact,
    IssueFact,
    OwnerFact,
    PastIncidentFact,
    RunbookSection,
    SeriesFact,
    TagFact,
    fmt_number,
    fmt_span,
    short,
)
from agents.cto.investigation.reading import next_checks, reading, release_gap
from agents.cto.investigation.text import terms
from agents.cto.owners import matches
from warroom.findings.models import Claim, Finding, MadeBy

__all__ = ["RECENT_RELEASE", "first_look"]

#: A release this close before the first error is the first suspect.
RECENT_RELEASE = timedelta(hours=2)
#: Beyond this, the release the issue first appeared in says little about today's trigger.
OLD_RELEASE = timedelta(hours=6)
CONCENTRATED = 0.8
#: Tags that describe every error (or none), not who or what it hit.
_PLAIN_TAGS = frozenset({"environment", "level", "handled", "mechanism", "runtime", "runtime.name", "logger"})
#: A past incident sharing this much of the incident's words is worth naming; one whose action
#: items are still open (a recurrence in the making) already at `RECURS`.
RESEMBLES = 0.25
RECURS = 0.08
_LOUD = frozenset({"warning", "error", "fatal", "critical"})
_SOURCES = {
    "sentry": "Sentry",
    "alertmanager": "Alertmanager",
    "grafana": "Grafana",
    "datadog": "Datadog",
    "pagerduty": "PagerDuty",
    "api": "API",
}
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def first_look(evidence: Evidence) -> Finding:
    """The rules' cited finding over `evidence`; low confidence unless a recent release with the
    events concentrated on it points at one trigger."""
    start = evidence.incident.first_seen
    claims: list[Claim] = []
    error = _error(evidence)
    if error:
        claims.append(error)
    claims += _breadcrumbs(evidence)
    release = _release(evidence.issue)
    release_claim, recent = release if release else (None, False)
    if release_claim:
        claims.append(release_claim)
    tags = _concentrations(evidence.tags)
    claims += [claim for claim, _ in tags]
    others = _earlier_issues(evidence, start)
    claims += others
    series = _moved(evidence.series, start)
    claims += [_series_claim(s, start) for s in series]
    past = _resembling(evidence.past)
    if past is not None:
        claims += _past_claims(past)
    section = _runbook(evidence)
    if section is not None:
        claims.append(section)
    owner = _owner(evidence)
    if owner is not None:
        claims.append(owner)
    if not claims and evidence.alerts:
        claims.append(_alert_claim(evidence))
    hypothesis, confidence = reading(evidence, recent, [t for _, t in tags], others, series, past)
    return Finding(
        hypothesis=hypothesis,
        confidence=confidence,
        claims=claims,
        next_checks=next_checks(evidence, hypothesis.startswith("Release "), past),
        made_by=MadeBy.RULES,
        evidence=evidence.summaries(),
    )


def _error(evidence: Evidence) -> Claim | None:
    event = evidence.event
    if event is not None and event.exception:
        cites = [f"{event.citation}:exception"]
        where = ""
        if event.frames:
            top = event.frames[0]
            cites.append(top.citation)
            where = f" in {top.where}" + (f", at `{short(top.context_line, 120)}`" if top.context_line else "")
        return Claim(text=f"The errors are {short(event.exception, 300)}, raised{where}.", citations=cites)
    issue = evidence.issue
    if issue is not None and issue.culprit:
        return Claim(
            text=f"Sentry groups the errors as {short(issue.title, 140)} at {issue.culprit}.",
            citations=[issue.field("culprit")],
        )
    alert = evidence.raising_alert(own=True) or evidence.raising_alert(own=False)
    if alert is not None:
        at = f" at {alert.culprit}" if alert.culprit else ""
        on = f" on release {alert.release}" if alert.release else ""
        source = _SOURCES.get(alert.source, alert.source)
        whose = (
            ""
            if alert.incident_id == evidence.incident.id
            else f" of incident #{alert.incident_id}, which began beside this one,"
        )
        return Claim(
            text=f"The {source} alert{whose} reports {short(alert.exception, 160)}{at}{on}.",
            citations=[alert.citation],
        )
    return None


def _breadcrumbs(evidence: Evidence) -> list[Claim]:
    """The breadcrumbs that say most about the error: warnings and errors first, then those
    sharing words with the exception and the frames where it was raised."""
    event = evidence.event
    if event is None or not event.breadcrumbs:
        return []
    about = terms(event.exception, *(f"{f.function} {f.filename}" for f in event.frames[:3]))

    def score(crumb: BreadcrumbFact) -> float:
        loud = 2.0 if (crumb.level or "").lower() in _LOUD else 0.0
        return loud + len(about & terms(crumb.message, crumb.category)) / 2

    ranked = sorted((c for c in event.breadcrumbs if c.message and score(c) >= 1.0), key=lambda c: -score(c))[:2]
    return [
        Claim(
            text=f"Before the error, a {crumb.level or 'logged'} {crumb.category or ''} breadcrumb"
            + (f" at {crumb.at:%H:%M:%S} UTC" if crumb.at else "")
            + f" reads: {short(crumb.message, 200)}",
            citations=[crumb.citation],
        )
        for crumb in sorted(ranked, key=lambda c: event.breadcrumbs.index(c))
    ]


def _alert_claim(evidence: Evidence) -> Claim:
    """With nothing else to read, what the first alert itself says."""
    alert = evidence.alerts[0]
    said = f": {short(alert.message, 200)}" if alert.message else ""
    return Claim(
        text=f"The {_SOURCES.get(alert.source, alert.source)} alert at {alert.at:%H:%M} UTC reports {short(alert.title, 160)}{said}",
        citations=[alert.citation],
    )


def _release(issue: IssueFact | None) -> tuple[Claim, bool] | None:
    if issue is None or issue.first_release is None or issue.first_seen is None:
        return None
    release = issue.first_release
    cites = [issue.field("first_release"), issue.field("first_seen")]
    gap = release_gap(issue)
    if gap is None or release.released_at is None:
        return Claim(text=f"The issue first appeared in release {release.version}.", citations=cites), False
    if gap < timedelta(0):
        return None
    if gap > OLD_RELEASE:
        text = (
            f"The issue first appeared in release {release.version}, released {fmt_span(gap)} before the errors "
            "began, so that release is an unlikely trigger on its own."
        )
        return Claim(text=text, citations=cites), False
    text = (
        f"The issue first appeared in release {release.version}, released at {release.released_at:%H:%M} UTC; "
        f"the errors began {fmt_span(gap)} after it."
    )
    return Claim(text=text, citations=cites), gap <= RECENT_RELEASE


def _concentrations(tags: list[TagFact]) -> list[tuple[Claim, TagFact]]:
    found = []
    for tag in tags:
        top = tag.top[0] if tag.top else None
        if tag.key in _PLAIN_TAGS or top is None or top.value is None or tag.total < 5 or top.share < CONCENTRATED:
            continue
        found.append(
            (Claim(text=f"{top.share:.0%} of the events have {tag.key} {top.value}.", citations=[top.citation]), tag)
        )
    found.sort(key=lambda pair: -pair[1].top[0].share)
    return found[:3]


def _earlier_issues(evidence: Evidence, start: datetime) -> list[Claim]:
    own = evidence.issue.id if evidence.issue else None
    claims = []
    for issue in evidence.other_issues:
        if issue.id == own or issue.first_seen is None:
            continue
        lead = start - issue.first_seen
        if timedelta(minutes=-10) <= lead <= timedelta(hours=3):
            when = f"{fmt_span(lead)} before the incident's first error" if lead > timedelta(0) else "with it"
            place = f" at {issue.culprit}" if issue.culprit else ""
            claims.append(
                Claim(
                    text=f"Another Sentry issue began {when}: {short(issue.title, 140)}{place} ({issue.count} events).",
                    citations=[issue.citation],
                )
            )
    return claims[:2]


def _moved(series: list[SeriesFact], start: datetime) -> list[SeriesFact]:
    """Series that left their baseline from half an hour before the first error to ten minutes
    after it, the largest relative move first."""
    window = (start - timedelta(minutes=30), start + timedelta(minutes=10))
    moved = [s for s in series if s.changed_at is not None and window[0] <= s.changed_at <= window[1]]

    def size(s: SeriesFact) -> float:
        base, peak = s.baseline or 0.0, s.peak or 0.0
        return abs(peak - base) / max(abs(base), 1e-9)

    return sorted(moved, key=lambda s: (-size(s), s.citation))[:3]


def _series_claim(series: SeriesFact, start: datetime) -> Claim:
    assert series.changed_at is not None
    unit = " per minute" if series.per_minute else ""
    way = "rose" if (series.peak or 0) > (series.baseline or 0) else "fell"
    lead = start - series.changed_at
    when = (
        f"{fmt_span(lead)} before the first error"
        if lead >= timedelta(minutes=1)
        else f"{fmt_span(-lead)} after the first error"
        if lead <= -timedelta(minutes=1)
        else "as the errors began"
    )
    name = series.citation.removeprefix("prom:")
    text = (
        f"{name} {way} from {fmt_number(series.baseline)} to {fmt_number(series.peak)}{unit} at "
        f"{series.changed_at:%H:%M} UTC, {when}."
    )
    return Claim(text=text, citations=[series.citation])


def _resembling(past: list[PastIncidentFact]) -> PastIncidentFact | None:
    alike = [p for p in past if p.similarity >= RESEMBLES or (p.open_actions and p.similarity >= RECURS)]
    return min(alike, key=lambda p: (not p.open_actions, -p.similarity, p.id), default=None)


def _past_claims(past: PastIncidentFact) -> list[Claim]:
    cause = f": its postmortem found that {short(past.cause, 300)}" if past.cause else ""
    claims = [
        Claim(
            text=f"This resembles past incident {past.id} ({short(past.title, 100)}){cause}", citations=[past.citation]
        )
    ]
    open_actions = past.open_actions[:2]
    if open_actions:
        items = "; ".join(
            f"'{short(a.title, 100)}'" + (f" (due {a.due:%Y-%m-%d})" if a.due else "") for a in open_actions
        )
        claims.append(
            Claim(
                text=f"Action items from {past.id} are still open: {items}.",
                citations=[a.citation for a in open_actions],
            )
        )
    return claims


def _evidence_terms(evidence: Evidence) -> set[str]:
    found = terms(*(f"{a.title} {a.message} {a.exception or ''} {a.culprit or ''}" for a in evidence.alerts))
    if evidence.event is not None:
        found |= terms(evidence.event.exception, *(f"{f.function} {f.filename}" for f in evidence.event.frames[:3]))
    if evidence.issue is not None:
        found |= terms(evidence.issue.title, evidence.issue.culprit)
    found |= terms(*(str(t.top[0].value) for t in evidence.tags if t.top and t.key not in _PLAIN_TAGS))
    found |= terms(*(s.name for s in evidence.series if s.changed_at is not None))
    if evidence.incident.service:
        found.discard(evidence.incident.service.lower())
    return found


def _runbook(evidence: Evidence) -> Claim | None:
    """The section sharing the most (and the rarest) words with the evidence, and its sentence
    that shares the most."""
    sections = evidence.runbook
    if not sections:
        return None
    wanted = _evidence_terms(evidence)
    words = {s.citation: terms(s.heading, s.text) for s in sections}

    def weight(word: str) -> float:
        return 1.0 / sum(word in w for w in words.values())

    def score(section: RunbookSection) -> float:
        shared = wanted & words[section.citation]
        return sum(weight(w) for w in shared) + 0.5 * len(wanted & terms(section.heading))

    best = max(sections, key=lambda s: (score(s), -sections.index(s)))
    if score(best) == 0:
        return None
    sentences = [s for s in _SENTENCE.split(" ".join(best.text.split())) if s]
    sentence = max(sentences, key=lambda s: len(wanted & terms(s)), default="")
    said = f": {short(sentence, 220)}" if sentence else ""
    return Claim(text=f"Runbook section '{best.heading}' applies{said}", citations=[best.citation])


def _owner(evidence: Evidence) -> Claim | None:
    frame: FrameFact | None = evidence.event.frames[0] if evidence.event and evidence.event.frames else None
    if frame is None or not evidence.owners:
        return None
    path = frame.filename or frame.module or ""
    rule: OwnerFact | None = None
    for candidate in evidence.owners:
        if path and matches(candidate.pattern, path):
            rule = candidate
    if rule is None:
        return None
    return Claim(
        text=f"{path} is owned by {' '.join(rule.owners)} ({rule.pattern} in CODEOWNERS).", citations=[rule.citation]
    )
