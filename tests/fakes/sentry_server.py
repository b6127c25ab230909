"""An in-process Sentry REST API (issues, their tags and events) judged by Sentry's OpenAPI.

Use as `httpx.Client(base_url="https://us.sentry.io", transport=fake.transport)`. Requests are
checked against the published spec; the fake's own answers are checked against the spec's
response schemas too, so tests never lean on a shape Sentry would not send. Lists paginate with
Sentry's `Link` header (`rel="next"; results="true"; cursor="0:<offset>:0"`). Events start from
the spec's own example event; `sentry_frame`, `sentry_exception` and `sentry_breadcrumb` build
the parts a test changes, in the shape the SDKs send (frames outermost call first, chained
exceptions oldest first). A tag's details answer its top 9 values, as Sentry's tagstore does.
`serve` loads bodies recorded from the real API (the investigation suite's `sentry/` files) and
answers them verbatim: the issue, its latest event, the organisation's issue list, tag values.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.fakes.spec import FailurePlan, OpenAPISpec, Operation, Recorded, load_spec
from warroom.clock import Clock, FakeClock

__all__ = ["FakeSentry", "sentry_breadcrumb", "sentry_exception", "sentry_frame"]

_ISSUES = "/api/0/organizations/{organization_id_or_slug}/issues/"
_ISSUE = "/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/"
_EVENT = "/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/events/{event_id}/"
_TAG = "/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/tags/{key}/"
_TAG_VALUES = "/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/tags/{key}/values/"
_TOP_VALUES = 9
#: `cursor` is Sentry's generic pagination parameter (sentry-reference.json, rest_api.pagination);
#: the extract lists it on most list endpoints but not on tag values, which paginate all the same.
_PAGINATION = frozenset({"cursor"})


class FakeSentry:
    def __init__(
        self,
        org: str = "acme",
        token: str = "sntrys_test",
        *,
        page_size: int = 100,
        clock: Clock | None = None,
    ) -> None:
        self.org = org
        self.token = token
        self.page_size = page_size
        self.clock = clock or FakeClock()
        self.spec = OpenAPISpec(load_spec("sentry-api-issues-events-subset.openapi.json"))
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.issues: dict[str, dict[str, Any]] = {}
        self.tags: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.issue_list: list[dict[str, Any]] | None = None
        """The organisation's issue list, as `serve` loads it; empty until then."""
        self.failures = FailurePlan()

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def add_issue(self, issue_id: str, **fields: Any) -> dict[str, Any]:
        """An issue shaped like the spec's own example, with `fields` (API names) replaced."""
        op = self.spec.operation("GET", f"/api/0/organizations/{self.org}/issues/{issue_id}/")
        assert op is not None
        example = op.spec["responses"]["200"]["content"]["application/json"]["examples"]["ReturnAnIssue"]["value"]
        issue = {**copy.deepcopy(example), "id": issue_id, **fields}
        self.issues[issue_id] = issue
        return issue

    def add_event(
        self,
        issue_id: str,
        *,
        exceptions: list[dict[str, Any]] | None = None,
        breadcrumbs: list[dict[str, Any]] | None = None,
        release: str | None = None,
        tags: dict[str, str] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A newer event of the issue, shaped like the spec's example: `exceptions` and
        `breadcrumbs` replace its entries' values, `tags` its tags, `release` the release's
        version (and tag), `fields` (API names) anything else."""
        op = self.spec.operation("GET", f"/api/0/organizations/{self.org}/issues/{issue_id}/events/latest/")
        assert op is not None
        example = op.spec["responses"]["200"]["content"]["application/json"]["examples"]["ReturnAnIssueEvent"]["value"]
        event = {**copy.deepcopy(example), "groupID": issue_id, **fields}
        for entry in event["entries"]:
            if entry["type"] == "exception" and exceptions is not None:
                entry["data"]["values"] = exceptions
            if entry["type"] == "breadcrumbs" and breadcrumbs is not None:
                entry["data"]["values"] = breadcrumbs
        if tags is not None:
            event["tags"] = [{"key": key, "value": value} for key, value in tags.items()]
        if release is not None:
            event["release"] = {**event["release"], "version": release, "shortVersion": release}
            event["tags"] = [t for t in event["tags"] if t["key"] != "release"] + [{"key": "release", "value": release}]
        self.events.setdefault(issue_id, []).append(event)
        return event

    def add_tag_values(self, issue_id: str, key: str, counts: dict[str, int]) -> None:
        self.tags[(issue_id, key)] = [
            {
                "key": key,
                "name": value,
                "value": value,
                "count": count,
                "firstSeen": "2026-11-03T02:00:00Z",
                "lastSeen": "2026-11-03T02:03:00Z",
            }
            for value, count in counts.items()
        ]

    def serve(
        self,
        issue: dict[str, Any],
        latest_event: dict[str, Any],
        issues: list[dict[str, Any]],
        tags: dict[str, list[dict[str, Any]]],
    ) -> None:
        """Answer exactly these bodies: the issue's details, its latest event, the organisation's
        issue list and, per tag key, the issue's tag values (details derived from them)."""
        issue_id = str(issue["id"])
        self.issues[issue_id] = copy.deepcopy(issue)
        self.events[issue_id] = [copy.deepcopy(latest_event)]
        self.issue_list = copy.deepcopy(issues)
        for key, rows in tags.items():
            self.tags[(issue_id, key)] = copy.deepcopy(rows)

    def fail_next(self, times: int = 1, *, retry_after: int | None = None, reset_in: int = 20) -> None:
        """Rate-limit the next `times` requests: 429 with Sentry's rate-limit headers."""
        self.failures.add(times, retry_after=retry_after, reset_in=reset_in)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        query = {key: request.url.params.get_list(key) for key in request.url.params}
        self.requests.append(Recorded(request.method, path, dict(request.headers), query, request.content or None))
        problems = self.spec.check(
            request.method, path, query=query, body=request.content or None, extra_query=_PAGINATION
        )
        if problems:
            self.violations += problems
            return httpx.Response(400, json={"detail": "; ".join(problems)})
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return httpx.Response(401, json={"detail": "Invalid token"})
        failure = self.failures.take(path)
        if failure is not None:
            return self._rate_limited(failure)
        op = self.spec.operation(request.method, path)
        assert op is not None
        params = op.path_params
        if op.template == _ISSUES and params["organization_id_or_slug"] == self.org:
            return self._answer(op, self.issue_list or [])
        if params["organization_id_or_slug"] != self.org or params.get("issue_id") not in self.issues:
            return httpx.Response(404, json={"detail": "The requested resource does not exist"})
        if op.template == _ISSUE:
            return self._answer(op, self.issues[params["issue_id"]])
        if op.template == _EVENT:
            events = self.events.get(params["issue_id"])
            if not events:
                return httpx.Response(404, json={"detail": "Event not found"})
            return self._answer(op, events[0] if params["event_id"] == "oldest" else events[-1])
        if op.template in {_TAG, _TAG_VALUES}:
            rows = self.tags.get((params["issue_id"], params["key"]))
            if rows is None:
                return httpx.Response(404, json={"detail": "Tag key not found"})
            if op.template == _TAG:
                return self._answer(op, _tag_details(params["key"], rows))
            return self._page(request, op, rows, query.get("cursor", [None])[0])
        return httpx.Response(404, json={"detail": "not faked"})

    def _answer(self, op: Operation, payload: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        self.violations += [f"fake {p}" for p in self.spec.response_errors(op, 200, payload)]
        return httpx.Response(200, json=payload, headers=headers)

    def _page(
        self, request: httpx.Request, op: Operation, rows: list[dict[str, Any]], cursor: str | None
    ) -> httpx.Response:
        offset = int(cursor.split(":")[1]) if cursor else 0
        end = offset + self.page_size
        base = str(request.url.copy_with(query=None))
        previous = f"0:{max(offset - self.page_size, 0)}:1"
        links = [
            f'<{base}?&cursor={previous}>; rel="previous"; results="{str(offset > 0).lower()}"; cursor="{previous}"',
            f'<{base}?&cursor=0:{end}:0>; rel="next"; results="{str(end < len(rows)).lower()}"; cursor="0:{end}:0"',
        ]
        return self._answer(op, rows[offset:end], {"Link": ", ".join(links)})

    def _rate_limited(self, failure: dict[str, Any]) -> httpx.Response:
        reset = int(self.clock.now().timestamp()) + failure["reset_in"]
        headers = {
            "X-Sentry-Rate-Limit-Limit": "40",
            "X-Sentry-Rate-Limit-Remaining": "0",
            "X-Sentry-Rate-Limit-Reset": str(reset),
            "X-Sentry-Rate-Limit-ConcurrentLimit": "25",
            "X-Sentry-Rate-Limit-ConcurrentRemaining": "24",
        }
        if failure["retry_after"] is not None:
            headers["Retry-After"] = str(failure["retry_after"])
        return httpx.Response(
            429, headers=headers, json={"detail": "You are attempting to use this endpoint too frequently."}
        )


def _tag_details(key: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    top = sorted(rows, key=lambda row: row["count"], reverse=True)[:_TOP_VALUES]
    return {
        "key": key,
        "name": key.replace("_", " ").title(),
        "uniqueValues": len(rows),
        "totalValues": sum(row["count"] for row in rows),
        "topValues": top,
    }


def sentry_frame(
    function: str,
    module: str,
    lineno: int,
    *,
    in_app: bool = True,
    filename: str | None = None,
    context_line: str | None = None,
) -> dict[str, Any]:
    """One stack frame as Sentry's API returns it (`context` holds (line number, source) pairs)."""
    filename = filename or module.replace(".", "/") + ".py"
    return {
        "function": function,
        "errors": None,
        "colNo": None,
        "vars": None,
        "package": None,
        "absPath": f"/app/{filename}",
        "inApp": in_app,
        "lineNo": lineno,
        "module": module,
        "filename": filename,
        "platform": None,
        "instructionAddr": None,
        "context": [[lineno, context_line]] if context_line is not None else [],
        "symbolAddr": None,
        "trust": None,
        "symbol": None,
    }


def sentry_exception(
    type_: str, value: str, frames: list[dict[str, Any]], *, module: str | None = None, handled: bool = False
) -> dict[str, Any]:
    """One exception value; `frames` outermost call first, as Sentry orders them."""
    return {
        "type": type_,
        "value": value,
        "module": module,
        "mechanism": {"type": "generic", "handled": handled},
        "threadId": None,
        "rawStacktrace": None,
        "stacktrace": {"frames": frames, "framesOmitted": None, "registers": None, "hasSystemFrames": True},
    }


def sentry_breadcrumb(
    message: str | None,
    timestamp: str,
    *,
    category: str = "default",
    type_: str = "default",
    level: str = "info",
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "category": category,
        "level": level,
        "event_id": None,
        "timestamp": timestamp,
        "data": data,
        "message": message,
        "type": type_,
    }
