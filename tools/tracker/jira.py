"""Jira Cloud (REST API v3) as a `Tracker`.

- Auth: HTTP Basic with the account's email and an API token (`Authorization: Basic ...`).
- Jira takes no client-chosen id, so creation is made idempotent by a label carrying the action
  item's key (`warroom-<hash>`): it first searches that label (`POST /rest/api/3/search/jql`,
  bounded to the project) and returns the ticket found, and only creates when there is none. A
  create whose answer was lost is found that way on the retry. (Jira says a just-written issue may
  take a moment to show in search; the outbox's retry comes later than that.)
- Descriptions and comments are Atlassian Document Format (`tools/tracker/adf.py`), which v3
  requires; a comment carries the same kind of `warroom-<hash>` line, so the same comment is
  not added twice; remote links are upserts on their `globalId`.
- States come from `fields.status.statusCategory.key` (new, indeterminate, done), with a done
  ticket resolved as "Won't Do"/"Cancelled" (or sitting in a status so named) read as canceled.
- Errors keep Jira's `errorMessages`/`errors`; 429 and 5xx carry `Retry-After` when Jira sends it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import httpx

from tools.retry_after import retry_after_seconds
from tools.tracker.adf import adf_text, markdown_to_adf
from tools.tracker.port import FOLLOW_UP_LABEL, Ticket, TicketRequest, TicketState, TrackerError, ticket_markdown
from warroom.settings import DEFAULT_JIRA_PRIORITIES
from warroom.severity import Severity

__all__ = ["JiraTracker", "key_label"]

SERVICE = "jira"
PAGE_SIZE = 100
SUMMARY_MAX = 255
FIELDS = ["status", "resolution", "assignee", "duedate"]

_CATEGORY = {"new": TicketState.OPEN, "indeterminate": TicketState.IN_PROGRESS, "done": TicketState.DONE}
_CANCELED = {"won't do", "cancelled", "canceled"}


def key_label(key: str) -> str:
    """The label that marks a ticket (or comment) as the one filed for `key`."""
    return "warroom-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _chunks(ids: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _jql_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class JiraTracker:
    """One Jira Cloud project. Account ids by email are looked up once per client."""

    name = "jira"

    def __init__(
        self,
        client: httpx.Client,
        site_url: str,
        email: str,
        api_token: str,
        project: str,
        *,
        issue_type: str = "Task",
        priorities: Mapping[Severity, str] | None = None,
    ) -> None:
        self._client = client
        self._site = site_url.rstrip("/")
        self._auth = httpx.BasicAuth(email, api_token)
        self._project = project
        self._issue_type = issue_type
        self._priorities = {**DEFAULT_JIRA_PRIORITIES, **(priorities or {})}
        self._accounts: dict[str, str | None] = {}

    def create_ticket(self, request: TicketRequest) -> Ticket:
        marker = key_label(request.key)
        jql = f"project = {_jql_string(self._project)} AND labels = {_jql_string(marker)}"
        existing = self._search(jql, limit=1)
        if existing:
            return existing[0]
        fields: dict[str, Any] = {
            "project": {"key": self._project},
            "issuetype": {"name": self._issue_type},
            "summary": request.title if len(request.title) <= SUMMARY_MAX else request.title[: SUMMARY_MAX - 1] + "…",
            "description": markdown_to_adf(ticket_markdown(request)),
            "duedate": request.due.isoformat(),
            "priority": {"name": self._priorities[request.priority]},
            "labels": list(dict.fromkeys([FOLLOW_UP_LABEL, *request.labels, marker])),
        }
        account = self._account_id(request.owner_email) if request.owner_email else None
        if account:
            fields["assignee"] = {"accountId": account}
        created = self._send("POST", "/rest/api/3/issue", json={"fields": fields})
        return Ticket(
            id=str(created["id"]),
            identifier=created["key"],
            url=f"{self._site}/browse/{created['key']}",
            state=TicketState.OPEN,
            assignee=request.owner_email if account else None,
            due=request.due,
        )

    def tickets(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        ids = list(dict.fromkeys(ticket_ids))
        if not all(i.isdigit() for i in ids):
            raise ValueError("Jira ticket ids are numeric issue ids")
        found: dict[str, Ticket] = {}
        for chunk in _chunks(ids, PAGE_SIZE):
            found.update((t.id, t) for t in self._search(f"id in ({', '.join(chunk)})", limit=None))
        return found

    def add_comment(self, ticket_id: str, *, key: str, markdown: str) -> None:
        marker = key_label(f"{ticket_id}:{key}")
        issue = self._send("GET", f"/rest/api/3/issue/{ticket_id}", params={"fields": "comment"})
        comments = ((issue.get("fields") or {}).get("comment") or {}).get("comments") or []
        if any(marker in adf_text(c.get("body") or {}).split() for c in comments):
            return
        body = markdown_to_adf(f"{markdown.rstrip()}\n\n{marker}")
        self._send("POST", f"/rest/api/3/issue/{ticket_id}/comment", json={"body": body})

    def add_link(self, ticket_id: str, *, url: str, title: str) -> None:
        link = {
            "globalId": "warroom=" + hashlib.sha256(url.encode()).hexdigest()[:32],
            "application": {"type": "warroom", "name": "warroom"},
            "relationship": "incident follow-up of",
            "object": {"url": url, "title": title},
        }
        self._send("POST", f"/rest/api/3/issue/{ticket_id}/remotelink", json=link)

    def _account_id(self, email: str) -> str | None:
        """The active user with that email; when Jira hides emails (privacy settings), the only
        active user its search by that email finds."""
        key = email.lower()
        if key not in self._accounts:
            users = self._send("GET", "/rest/api/3/user/search", params={"query": email})
            active = [u for u in users if isinstance(u, dict) and u.get("active", True)]
            exact = [u for u in active if str(u.get("emailAddress", "")).lower() == key]
            chosen = exact or (active if len(active) == 1 and "emailAddress" not in active[0] else [])
            self._accounts[key] = chosen[0]["accountId"] if chosen else None
        return self._accounts[key]

    def _search(self, jql: str, *, limit: int | None) -> list[Ticket]:
        found: list[Ticket] = []
        token: str | None = None
        while True:
            body: dict[str, Any] = {"jql": jql, "fields": FIELDS, "maxResults": limit or PAGE_SIZE}
            if token:
                body["nextPageToken"] = token
            page = self._send("POST", "/rest/api/3/search/jql", json=body)
            found += [self._ticket(issue) for issue in page.get("issues") or []]
            token = page.get("nextPageToken")
            if page.get("isLast", True) or not token or (limit is not None and len(found) >= limit):
                return found if limit is None else found[:limit]

    def _ticket(self, issue: dict[str, Any]) -> Ticket:
        fields = issue.get("fields") or {}
        status = fields.get("status") or {}
        category = (status.get("statusCategory") or {}).get("key")
        state = _CATEGORY.get(category or "", TicketState.OPEN)
        resolution = str((fields.get("resolution") or {}).get("name", "")).lower()
        if resolution in _CANCELED or str(status.get("name", "")).lower() in _CANCELED:
            state = TicketState.CANCELED
        assignee = fields.get("assignee") or {}
        due = fields.get("duedate")
        return Ticket(
            id=str(issue["id"]),
            identifier=issue["key"],
            url=f"{self._site}/browse/{issue['key']}",
            state=state,
            assignee=assignee.get("emailAddress") or assignee.get("displayName"),
            due=date.fromisoformat(due) if due else None,
        )

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._client.request(method, self._site + path, auth=self._auth, **kwargs)
        except httpx.HTTPError as exc:
            raise TrackerError(f"jira {method} {path}: no answer ({type(exc).__name__})", service=SERVICE) from None
        if not response.is_success:
            raise _error(method, path, response)
        try:
            return response.json() if response.content else {}
        except ValueError:
            raise TrackerError(
                f"jira {method} {path}: answered {response.status_code} without JSON", service=SERVICE
            ) from None


def _error(method: str, path: str, response: httpx.Response) -> TrackerError:
    try:
        payload = response.json()
    except ValueError:
        payload = None
    message = response.text[:300]
    if isinstance(payload, dict):
        parts = [str(m) for m in payload.get("errorMessages") or []]
        parts += [f"{name}: {text}" for name, text in (payload.get("errors") or {}).items()]
        message = "; ".join(parts) or message
    status = response.status_code
    retry_after = retry_after_seconds(response.headers.get("Retry-After")) if status == 429 or status >= 500 else None
    return TrackerError(
        f"jira {method} {path} -> {status}: {message}", service=SERVICE, status=status, retry_after=retry_after
    )
