"""Sentry REST API, read-only, to enrich an incident with who and what an issue hits.

The webhook tells us an issue exists; this asks Sentry how big it is (events, users, first and
last seen, the release it first appeared in), how it splits by tag (browser, release,
environment, url, region, user), which is what the cohort detection and the status-page wording
need, and what its latest event says (exception, in-app frames, breadcrumbs), which is where an
investigation starts. Lists are paginated with a `Link` header carrying a `cursor`; a 429 becomes
`SentryAPIError` with `retry_after` from `Retry-After` or, failing that, from
`X-Sentry-Rate-Limit-Reset`. Nothing here writes to Sentry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel, Field

from tools.retry_after import retry_after_seconds, seconds_until
from tools.sentry_event import SentryEvent, parse_event
from warroom.clock import Clock, SystemClock

__all__ = [
    "DEFAULT_TAG_KEYS",
    "SentryAPI",
    "SentryAPIError",
    "SentryEnrichment",
    "SentryIssue",
    "SentryRelease",
    "TagDistribution",
    "TagShare",
    "TagValue",
]

DEFAULT_TAG_KEYS = ("browser", "release", "environment", "url", "region", "user")
_MAX_PAGES = 10


class SentryAPIError(Exception):
    """Sentry refused or failed a request; `retry_after` is set when it is rate limiting us."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class SentryRelease(BaseModel):
    version: str
    short_version: str | None = None
    date_created: datetime | None = None
    date_released: datetime | None = None


class SentryIssue(BaseModel):
    id: str
    short_id: str | None = None
    title: str
    culprit: str | None = None
    level: str | None = None
    status: str | None = None
    count: int
    user_count: int
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    permalink: str
    first_release: SentryRelease | None = Field(default=None, description="the release it first appeared in")
    last_release: SentryRelease | None = None
    tag_keys: list[str] = Field(default_factory=list, description="the tags its events carry")
    project: str | None = Field(default=None, description="the slug of the project it belongs to")


class TagValue(BaseModel):
    value: str | None
    count: int


class TagShare(BaseModel):
    value: str | None
    count: int
    share: float = Field(description="of the events carrying the tag, between 0 and 1")


class TagDistribution(BaseModel):
    """How an issue's events split over one tag's values (Sentry returns the top 9)."""

    key: str
    total: int = Field(description="events carrying the tag")
    unique_values: int | None = None
    top: list[TagShare] = Field(default_factory=list, description="largest first")

    @property
    def dominant(self) -> TagShare | None:
        """The most common value, e.g. the release 94% of the events came from."""
        return self.top[0] if self.top else None


class SentryEnrichment(BaseModel):
    """An issue's size and its split by tag; `tags[key]` is sorted by count, largest first."""

    count: int
    user_count: int
    first_seen: datetime | None
    last_seen: datetime | None
    tags: dict[str, list[TagValue]] = Field(default_factory=dict)
    permalink: str


class SentryAPI:
    """One organisation's issues. The client's base URL is the region host (e.g. https://us.sentry.io)."""

    def __init__(self, client: httpx.Client, token: str, org: str, clock: Clock | None = None) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {token}"}
        self._org = org
        self._clock = clock or SystemClock()

    def issue(self, issue_id: str) -> SentryIssue:
        return _issue(self._get(self._issue_path(issue_id)).json())

    def issues(
        self, *, start: datetime, end: datetime, query: str = "is:unresolved", limit: int = 25
    ) -> list[SentryIssue]:
        """The organisation's issues seen between `start` and `end`, most recently seen first (one
        page of at most `limit`): what else was failing around an incident."""
        params = {
            "query": query,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "sort": "date",
            "limit": limit,
        }
        rows = self._get(f"/api/0/organizations/{self._org}/issues/", params=params).json()
        return [_issue(row) for row in rows if isinstance(row, dict)]

    def latest_event(self, issue_id: str, *, breadcrumbs: int = 10, environment: str | None = None) -> SentryEvent:
        """The issue's most recent event, with its last `breadcrumbs` breadcrumbs."""
        params = {"environment": environment} if environment else None
        data = self._get(f"{self._issue_path(issue_id)}events/latest/", params=params).json()
        return parse_event(data, breadcrumbs=breadcrumbs)

    def tag_distribution(self, issue_id: str, key: str) -> TagDistribution:
        """One tag's top values on the issue with each one's share of the events carrying it."""
        data = self._get(f"{self._issue_path(issue_id)}tags/{key}/").json()
        total = int(data.get("totalValues") or 0)
        counts = [
            (row.get("value"), int(row.get("count") or 0))
            for row in data.get("topValues") or []
            if isinstance(row, dict)
        ]
        return TagDistribution(
            key=key,
            total=total,
            unique_values=data.get("uniqueValues"),
            top=[
                TagShare(value=value, count=count, share=count / total if total else 0.0)
                for value, count in sorted(counts, key=lambda pair: pair[1], reverse=True)
            ],
        )

    def tag_distributions(self, issue_id: str, keys: Iterable[str] = DEFAULT_TAG_KEYS) -> dict[str, TagDistribution]:
        """`tag_distribution` for each key the issue has; a key it never had is left out."""
        found: dict[str, TagDistribution] = {}
        for key in keys:
            try:
                found[key] = self.tag_distribution(issue_id, key)
            except SentryAPIError as exc:
                if exc.status != 404:
                    raise
        return found

    def tag_values(self, issue_id: str, key: str) -> list[TagValue]:
        """Every value of one tag on the issue, following pagination (at most 10 pages)."""
        path = f"{self._issue_path(issue_id)}tags/{key}/values/"
        values: list[TagValue] = []
        cursor: str | None = None
        for _ in range(_MAX_PAGES):
            response = self._get(path, params={"cursor": cursor} if cursor else None)
            values += [TagValue(value=row.get("value"), count=row.get("count") or 0) for row in response.json()]
            cursor = _next_cursor(response)
            if cursor is None:
                break
        return sorted(values, key=lambda tag: tag.count, reverse=True)

    def enrich(self, issue_id: str, keys: Iterable[str] = DEFAULT_TAG_KEYS) -> SentryEnrichment:
        """The issue plus its tag splits; a tag the issue never had is left out, not an error."""
        issue = self.issue(issue_id)
        tags: dict[str, list[TagValue]] = {}
        for key in keys:
            try:
                values = self.tag_values(issue_id, key)
            except SentryAPIError as exc:
                if exc.status == 404:
                    continue
                raise
            if values:
                tags[key] = values
        return SentryEnrichment(
            count=issue.count,
            user_count=issue.user_count,
            first_seen=issue.first_seen,
            last_seen=issue.last_seen,
            tags=tags,
            permalink=issue.permalink,
        )

    def _issue_path(self, issue_id: str) -> str:
        return f"/api/0/organizations/{self._org}/issues/{issue_id}/"

    def _get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        try:
            response = self._client.get(path, params=params, headers=self._headers)
        except httpx.HTTPError as exc:
            raise SentryAPIError(f"sentry GET {path}: {exc}") from exc
        if response.is_success:
            return response
        retry_after = self._retry_after(response) if response.status_code == 429 else None
        try:
            detail = response.json().get("detail", response.text[:300])
        except (ValueError, AttributeError):
            detail = response.text[:300]
        raise SentryAPIError(
            f"sentry GET {path} -> {response.status_code}: {detail}",
            status=response.status_code,
            retry_after=retry_after,
        )

    def _retry_after(self, response: httpx.Response) -> float | None:
        seconds = retry_after_seconds(response.headers.get("Retry-After"))
        if seconds is None:
            seconds = seconds_until(response.headers.get("X-Sentry-Rate-Limit-Reset"), self._clock.now())
        return seconds


def _issue(data: dict[str, Any]) -> SentryIssue:
    return SentryIssue(
        id=str(data["id"]),
        short_id=data.get("shortId"),
        title=data["title"],
        culprit=data.get("culprit"),
        level=data.get("level"),
        status=data.get("status"),
        count=int(data.get("count") or 0),
        user_count=int(data.get("userCount") or 0),
        first_seen=data.get("firstSeen"),
        last_seen=data.get("lastSeen"),
        permalink=data["permalink"],
        first_release=_release(data.get("firstRelease")),
        last_release=_release(data.get("lastRelease")),
        tag_keys=[str(t["key"]) for t in data.get("tags") or [] if isinstance(t, dict) and t.get("key")],
        project=data["project"].get("slug") if isinstance(data.get("project"), dict) else None,
    )


def _release(data: Any) -> SentryRelease | None:
    if not isinstance(data, dict) or not data.get("version"):
        return None
    return SentryRelease(
        version=str(data["version"]),
        short_version=data.get("shortVersion"),
        date_created=data.get("dateCreated"),
        date_released=data.get("dateReleased"),
    )


def _next_cursor(response: httpx.Response) -> str | None:
    """Sentry's `Link` always has a `next`; only `results="true"` means there is more."""
    link = response.links.get("next")
    if not link or link.get("results") != "true":
        return None
    return link.get("cursor")
