"""Evidence from Sentry's API: the incident's issue, its latest event, how its events split over
its tags, and the other issues seen around it. Reads only; `SentryAPIError` reaches the caller."""

from __future__ import annotations

from datetime import datetime

from agents.cto.investigation.evidence import (
    BreadcrumbFact,
    FrameFact,
    IssueFact,
    ReleaseFact,
    SentryEventFact,
    TagFact,
    TagShareFact,
)
from tools.sentry import DEFAULT_TAG_KEYS, SentryAPI, SentryIssue, SentryRelease

__all__ = ["event_fact", "issue_fact", "new_issue_of", "recent_issues", "tag_facts", "tag_keys"]

MAX_TAGS = 8
_SKIPPED_TAGS = frozenset({"level", "handled", "mechanism", "runtime", "runtime.name", "logger", "environment"})


def issue_fact(api: SentryAPI, issue_id: str) -> IssueFact:
    return _fact(api.issue(issue_id), "sentry:issue")


def _fact(issue: SentryIssue, citation: str) -> IssueFact:
    return IssueFact(
        citation=citation,
        id=issue.id,
        title=issue.title,
        culprit=issue.culprit,
        count=issue.count,
        user_count=issue.user_count,
        first_seen=issue.first_seen,
        last_seen=issue.last_seen,
        first_release=_release(issue.first_release),
        tag_keys=issue.tag_keys,
        project=issue.project,
    )


def _release(release: SentryRelease | None) -> ReleaseFact | None:
    if release is None:
        return None
    return ReleaseFact(version=release.version, released_at=release.date_released or release.date_created)


def event_fact(api: SentryAPI, issue_id: str) -> SentryEventFact:
    event = api.latest_event(issue_id)
    raised = event.exception
    base = "sentry:event:latest"
    return SentryEventFact(
        event_id=event.event_id,
        exception_type=raised.type if raised else None,
        exception_value=raised.value if raised else None,
        frames=[
            FrameFact(
                citation=f"{base}:frame:{frame.index}",
                function=frame.function,
                module=frame.module,
                filename=frame.filename,
                lineno=frame.lineno,
                context_line=frame.context_line,
            )
            for frame in (raised.frames if raised else [])
        ],
        breadcrumbs=[
            BreadcrumbFact(
                citation=f"{base}:breadcrumb:{crumb.index}",
                at=crumb.timestamp,
                category=crumb.category,
                level=crumb.level,
                message=crumb.message,
                data=crumb.data,
            )
            for crumb in event.breadcrumbs
        ],
        release=event.release,
        tags=event.tags,
    )


def tag_keys(issue: IssueFact) -> list[str]:
    """The issue's own tags that may say where it concentrates, else the usual ones."""
    keys = [k for k in issue.tag_keys if k not in _SKIPPED_TAGS] or list(DEFAULT_TAG_KEYS)
    return keys[:MAX_TAGS]


def tag_facts(api: SentryAPI, issue_id: str, keys: list[str]) -> list[TagFact]:
    found = []
    for key, distribution in api.tag_distributions(issue_id, keys).items():
        found.append(
            TagFact(
                citation=f"sentry:tag:{key}",
                key=key,
                total=distribution.total,
                unique_values=distribution.unique_values,
                top=[
                    TagShareFact(citation=f"sentry:tag:{key}:{t.value}", value=t.value, count=t.count, share=t.share)
                    for t in distribution.top
                    if t.value is not None
                ],
            )
        )
    return found


def recent_issues(api: SentryAPI, start: datetime, end: datetime) -> list[IssueFact]:
    """Issues seen between `start` and `end`, the newest first seen first."""
    found = [_fact(i, f"sentry:issues:{i.id}") for i in api.issues(start=start, end=end)]
    return sorted(found, key=lambda i: (i.first_seen is None, -(i.first_seen.timestamp() if i.first_seen else 0)))


def new_issue_of(issues: list[IssueFact], services: set[str], since: datetime) -> IssueFact | None:
    """The incident's likely issue when no alert names one: the earliest issue of the service's
    project that first appeared since `since` (an error that fires all week is not the new one)."""
    new = [i for i in issues if i.project in services and i.first_seen is not None and i.first_seen >= since]
    return min(new, key=lambda i: (i.first_seen, i.id), default=None)
