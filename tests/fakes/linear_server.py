"""An in-process Linear that EXECUTES every GraphQL request against Linear's published schema.

Use as `httpx.Client(transport=fake.transport)` with the client pointed at `fake.url`.
graphql-core parses, validates and runs each request on `tests/specs/linear-schema.graphql` with
resolvers over in-memory teams, users, labels, issues, comments and attachments: a document or
variable that does not fit the schema is answered 400 and listed in `violations` (the tests
assert it stays empty), as is a value the schema's own descriptions rule out (an id that is not
a v4 UUID, a priority outside 0-4, a due date that is not YYYY-MM-DD).

Refusals (unknown team, duplicate id, ...) come back as GraphQL errors under HTTP 200 in the
shape `@linear/sdk` parses (`extensions.type`, `extensions.userPresentableMessage`); their
wording is ours, Linear does not publish it. Only the filters the client uses are modelled; any
other filter is a violation, so the fake never answers a question it did not understand.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import httpx
from graphql import GraphQLError, GraphQLSchema, build_schema, execute_sync, parse, validate

from tests.fakes.spec import FailurePlan, Recorded, spec_path

__all__ = ["FakeLinear", "linear_schema"]

URL = "https://api.linear.app/graphql"
_UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STATE_NAMES = {
    "triage": "Triage",
    "backlog": "Backlog",
    "unstarted": "Todo",
    "started": "In Progress",
    "completed": "Done",
    "canceled": "Canceled",
    "duplicate": "Duplicate",
}
_FAILURES = {
    429: ("ratelimited", "RATELIMITED", "Rate limit exceeded, please try again later"),
    401: ("authentication error", "AUTHENTICATION_ERROR", "Authentication required, not authenticated"),
    403: ("forbidden", "FORBIDDEN", "You don't have permission to perform this action"),
    500: ("internal error", "INTERNAL_SERVER_ERROR", "Internal server error"),
}


@cache
def linear_schema() -> GraphQLSchema:
    """Linear's schema, built once per test run (about a second: the SDL is 1.2 MB)."""
    return build_schema(spec_path("linear-schema.graphql").read_text(encoding="utf-8"))


def _refusal(message: str, kind: str = "invalid input") -> GraphQLError:
    return GraphQLError(
        message,
        extensions={"type": kind, "code": "INPUT_ERROR", "userError": True, "userPresentableMessage": message},
    )


def _failure_body(status: int, error_type: str | None = None) -> dict[str, Any]:
    """`error_type` stands in for the status's own (Linear may say "ratelimited" under a 400)."""
    by_type = {kind: (kind, code, message) for kind, code, message in _FAILURES.values()}
    kind, code, message = by_type[error_type] if error_type else _FAILURES.get(status, _FAILURES[500])
    return {
        "errors": [{"message": message, "extensions": {"type": kind, "code": code, "userPresentableMessage": message}}]
    }


@dataclass
class FakeLinear:
    api_key: str = "lin_api_test_key"
    team_id: str = "5a3e4d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c"
    team_key: str = "ENG"
    url: str = URL
    max_page_size: int = 250
    requests: list[Recorded] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)
    attachments: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    failures: FailurePlan = field(default_factory=FailurePlan)
    lost_answers: FailurePlan = field(default_factory=FailurePlan)
    happenings: dict[str, list[Callable[[], None]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.team = {"id": self.team_id, "key": self.team_key, "name": "Engineering"}
        self.teams = {self.team_id: self.team}
        self._numbers = itertools.count(1)
        self._root = {
            "issues": self._issues,
            "users": self._users,
            "issueLabels": self._issue_labels,
            "comments": self._comments,
            "issueCreate": self._issue_create,
            "issueLabelCreate": self._label_create,
            "commentCreate": self._comment_create,
            "attachmentCreate": self._attachment_create,
        }

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def add_user(self, email: str, name: str) -> str:
        user_id = str(uuid.uuid4())
        self.users[user_id] = {"id": user_id, "email": email, "name": name, "displayName": name.split()[0].lower()}
        return user_id

    def add_label(self, name: str, *, team: bool = True) -> str:
        label_id = str(uuid.uuid4())
        self.labels[label_id] = {"id": label_id, "name": name, "team": self.team if team else None}
        return label_id

    def set_state(self, issue_id: str, state_type: str) -> None:
        """Move an issue as a person would in Linear's UI (`state_type` as `WorkflowState.type`)."""
        self.issues[issue_id]["state"] = {"type": state_type, "name": _STATE_NAMES[state_type]}

    def fail_next(
        self,
        times: int = 1,
        *,
        status: int = 429,
        retry_after: int | None = 7,
        operation: str | None = None,
        error_type: str | None = None,
    ) -> None:
        """Answer the next `times` requests (of `operation`, if named) with `status`."""
        self.failures.add(times, only=operation, status=status, retry_after=retry_after, error_type=error_type)

    def before_next(self, operation: str, happening: Callable[[], None]) -> None:
        """Let something happen on Linear's side (another client's write) just before `operation`."""
        self.happenings.setdefault(operation, []).append(happening)

    def lose_next_answer(self, operation: str) -> None:
        """Run the next `operation` for real, then drop its answer (a timeout, as the client sees it)."""
        self.lost_answers.add(1, only=operation)

    def handle(self, request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.content)
        except ValueError:
            body = None
        self.requests.append(Recorded(request.method, request.url.path, dict(request.headers), {}, body))
        problems = self._http_problems(request, body)
        if problems:
            self.violations += problems
            return httpx.Response(400, json={"errors": [{"message": "; ".join(problems)}]})
        if request.headers.get("authorization") != self.api_key:
            return httpx.Response(401, json=_failure_body(401))
        operation = body.get("operationName")
        failure = self.failures.take(operation)
        if failure is not None:
            headers = {"Retry-After": str(failure["retry_after"])} if failure["retry_after"] is not None else {}
            body = _failure_body(failure["status"], failure["error_type"])
            return httpx.Response(failure["status"], headers=headers, json=body)
        for happening in self.happenings.pop(operation, []):
            happening()
        try:
            document = parse(body["query"])
        except GraphQLError as exc:
            return self._unfit(operation, [exc])
        invalid = validate(linear_schema(), document)
        if invalid:
            return self._unfit(operation, invalid)
        result = execute_sync(
            linear_schema(),
            document,
            root_value=self._root,
            variable_values=body.get("variables"),
            operation_name=operation,
        )
        # Errors without a path are the request's own (variables that do not fit their types).
        if result.errors and any(error.path is None for error in result.errors):
            return self._unfit(operation, result.errors)
        if self.lost_answers.take(operation) is not None:
            raise httpx.ReadTimeout("the answer was lost on the way back", request=request)
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        return httpx.Response(200, json=answer)

    def _unfit(self, operation: str, errors: list[GraphQLError]) -> httpx.Response:
        self.violations += [f"{operation}: {error.message}" for error in errors]
        return httpx.Response(400, json={"errors": [error.formatted for error in errors]})

    def _http_problems(self, request: httpx.Request, body: Any) -> list[str]:
        problems = []
        if request.method != "POST" or str(request.url.copy_with(query=None)) != self.url:
            problems.append(f"{request.method} {request.url}: Linear's API is POST {self.url}")
        if not request.headers.get("content-type", "").startswith("application/json"):
            problems.append("the body must be application/json")
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            problems.append("the body must be a JSON object with a `query` string")
        elif not isinstance(body.get("operationName"), str):
            problems.append("every request should name its operation (`operationName`)")
        return problems

    # Queries

    def _page(self, items: list[dict[str, Any]], first: int | None, after: str | None) -> dict[str, Any]:
        start = int(after) if after else 0
        size = min(first or 50, self.max_page_size)
        nodes = items[start : start + size]
        end = start + len(nodes)
        return {
            "nodes": nodes,
            "pageInfo": {
                "hasNextPage": end < len(items),
                "hasPreviousPage": start > 0,
                "startCursor": str(start) if nodes else None,
                "endCursor": str(end) if nodes else None,
            },
        }

    def _only(self, where: str, filter_: dict[str, Any] | None, allowed: dict[str, set[str]]) -> dict[str, Any]:
        """The filter's comparisons, after checking the fake models each of them."""
        for name, comparator in (filter_ or {}).items():
            unknown = set(comparator or {}) - allowed.get(name, set())
            if name not in allowed or unknown:
                self.violations.append(f"{where}: the fake does not model filter {name}: {comparator}")
                raise GraphQLError(f"unsupported filter {name}")
        return filter_ or {}

    def _issues(
        self,
        _info: Any,
        filter: dict[str, Any] | None = None,
        first: int | None = None,
        after: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        ids = self._only("issues", filter, {"id": {"in", "eq"}}).get("id", {})
        wanted = set(ids.get("in") or []) | ({ids["eq"]} if ids.get("eq") else set())
        matching = [issue for issue in self.issues.values() if not ids or issue["id"] in wanted]
        return self._page(matching, first, after)

    def _users(
        self,
        _info: Any,
        filter: dict[str, Any] | None = None,
        first: int | None = None,
        after: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        email = self._only("users", filter, {"email": {"eq", "eqIgnoreCase"}}).get("email", {})
        wanted = email.get("eq") or email.get("eqIgnoreCase")
        exact = "eq" in email
        matching = [
            u
            for u in self.users.values()
            if wanted is None or (u["email"] == wanted if exact else u["email"].lower() == wanted.lower())
        ]
        return self._page(matching, first, after)

    def _issue_labels(
        self,
        _info: Any,
        filter: dict[str, Any] | None = None,
        first: int | None = None,
        after: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        name = self._only("issueLabels", filter, {"name": {"eq", "eqIgnoreCase"}}).get("name", {})
        wanted = name.get("eq") or name.get("eqIgnoreCase")
        matching = [
            label
            for label in self.labels.values()
            if wanted is None or (label["name"] == wanted if "eq" in name else label["name"].lower() == wanted.lower())
        ]
        return self._page(matching, first, after)

    def _comments(
        self,
        _info: Any,
        filter: dict[str, Any] | None = None,
        first: int | None = None,
        after: str | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        ids = self._only("comments", filter, {"id": {"eq"}}).get("id", {})
        matching = [c for c in self.comments.values() if not ids or c["id"] == ids["eq"]]
        return self._page(matching, first, after)

    # Mutations

    def _check_id(self, where: str, value: str | None) -> None:
        if value is not None and not _UUID_V4.match(value):
            self.violations.append(f"{where}.id {value!r}: the schema asks for an identifier in UUID v4 format")
            raise _refusal("id must be a UUID v4")

    def _issue_create(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        self._check_id("IssueCreateInput", input.get("id"))
        if input.get("priority") is not None and input["priority"] not in range(5):
            self.violations.append(f"IssueCreateInput.priority {input['priority']}: 0-4 per the schema")
        if input.get("dueDate") is not None and not _DATE.match(input["dueDate"]):
            self.violations.append(f"IssueCreateInput.dueDate {input['dueDate']!r}: a TimelessDate is YYYY-MM-DD")
        team = self.teams.get(input["teamId"])
        if team is None:
            raise _refusal(f"Entity not found: Team - could not find referenced Team {input['teamId']}")
        if input.get("id") in self.issues:
            raise _refusal("Entity already exists: an issue with this id exists")
        assignee = self.users.get(input.get("assigneeId") or "")
        if input.get("assigneeId") and assignee is None:
            raise _refusal("Entity not found: User - could not find referenced assignee")
        for label_id in input.get("labelIds") or []:
            label = self.labels.get(label_id)
            if label is None or (label["team"] is not None and label["team"]["id"] != team["id"]):
                raise _refusal(f"Entity not found: IssueLabel {label_id} for this team")
        issue_id = input.get("id") or str(uuid.uuid4())
        identifier = f"{team['key']}-{next(self._numbers)}"
        slug = re.sub(r"[^a-z0-9]+", "-", input.get("title", "").lower()).strip("-")[:60]
        self.issues[issue_id] = {
            "id": issue_id,
            "identifier": identifier,
            "url": f"https://linear.app/acme/issue/{identifier}/{slug}",
            "title": input.get("title"),
            "description": input.get("description"),
            "dueDate": input.get("dueDate"),
            "priority": input.get("priority") or 0,
            "labelIds": list(input.get("labelIds") or []),
            "assignee": assignee,
            "team": team,
            "state": {"type": "unstarted", "name": _STATE_NAMES["unstarted"]},
        }
        return {"success": True, "issue": self.issues[issue_id], "lastSyncId": 1.0}

    def _label_create(self, _info: Any, input: dict[str, Any], **_: Any) -> dict[str, Any]:
        self._check_id("IssueLabelCreateInput", input.get("id"))
        team = self.teams.get(input.get("teamId") or "") if input.get("teamId") else None
        if input.get("teamId") and team is None:
            raise _refusal("Entity not found: Team")
        for label in self.labels.values():
            same_scope = label["team"] is None or team is None or label["team"]["id"] == team["id"]
            if same_scope and label["name"].lower() == input["name"].lower():
                raise _refusal("Duplicate label name")
        label_id = input.get("id") or str(uuid.uuid4())
        self.labels[label_id] = {"id": label_id, "name": input["name"], "team": team}
        return {"success": True, "issueLabel": self.labels[label_id], "lastSyncId": 1.0}

    def _find_issue(self, issue_id: str) -> dict[str, Any]:
        """By UUID or by identifier (`ENG-12`), as the schema says these inputs accept."""
        found = self.issues.get(issue_id) or next(
            (i for i in self.issues.values() if i["identifier"] == issue_id), None
        )
        if found is None:
            raise _refusal(f"Entity not found: Issue {issue_id}")
        return found

    def _comment_create(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        self._check_id("CommentCreateInput", input.get("id"))
        issue = self._find_issue(input.get("issueId") or "")
        if input.get("id") in self.comments:
            raise _refusal("Entity already exists: a comment with this id exists")
        comment_id = input.get("id") or str(uuid.uuid4())
        self.comments[comment_id] = {"id": comment_id, "issueId": issue["id"], "body": input.get("body") or ""}
        return {"success": True, "comment": self.comments[comment_id], "lastSyncId": 1.0}

    def _attachment_create(self, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        """An upsert on (url, issue), as the schema documents for `attachmentCreate`."""
        self._check_id("AttachmentCreateInput", input.get("id"))
        issue = self._find_issue(input["issueId"])
        key = (issue["id"], input["url"])
        attachment = self.attachments.get(key) or {"id": input.get("id") or str(uuid.uuid4())}
        attachment.update(issueId=issue["id"], url=input["url"], title=input["title"], subtitle=input.get("subtitle"))
        self.attachments[key] = attachment
        return {"success": True, "attachment": attachment, "lastSyncId": 1.0}
