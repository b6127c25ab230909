"""An in-process Jira Cloud site that judges each request against Atlassian's REST v3 OpenAPI.

Use as `httpx.Client(transport=fake.transport)` with the client pointed at `fake.site`. Every
request is checked against `jira-rest-v3-subset.openapi.json` (path, method, query, body schema);
rich text against the Atlassian Document Format JSON schema (`adf-schema-full.json`); and what
`jira-api-summary.json` states in prose (bounded JQL, `duedate` as YYYY-MM-DD, labels without
spaces, the 255-character summary). A request that strays is answered 400 and listed in
`violations`, which the tests assert is empty.

The site answers like Jira: search is cursor-paged (`nextPageToken` until `isLast`), user search
is a bare array (and hides `emailAddress` of users who chose so), remote links are upserts on
`globalId`, errors are `ErrorCollection`s. Only the JQL the client writes is understood
(`project = "X" AND labels = "Y"`, `id in (1, 2)`); any other clause is a violation.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.fakes.spec import FailurePlan, OpenAPISpec, Recorded, load_spec, schema_errors

__all__ = ["FakeJira"]

_CLAUSE = re.compile(r'^\s*(\w+)\s*(=|in)\s*(".*"|\(.*\)|\S+)\s*$', re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STATUSES = {"To Do": "new", "In Progress": "indeterminate", "Done": "done", "Cancelled": "done"}


def _errors(*messages: str, **fields: str) -> dict[str, Any]:
    return {"errorMessages": list(messages), "errors": fields}


def _status_categories() -> dict[str, dict[str, Any]]:
    return {c["key"]: c for c in load_spec("jira-api-summary.json")["status_categories"]["values"]}


@dataclass
class FakeJira:
    site: str = "https://acme.atlassian.net"
    email: str = "bot@acme.example"
    api_token: str = "jira-test-token"
    projects: tuple[str, ...] = ("OPS",)
    issue_types: tuple[str, ...] = ("Task", "Bug")
    priorities: tuple[str, ...] = ("Highest", "High", "Medium", "Low", "Lowest")
    max_results: int = 5000
    requests: list[Recorded] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    remote_links: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    failures: FailurePlan = field(default_factory=FailurePlan)
    lost_answers: FailurePlan = field(default_factory=FailurePlan)

    def __post_init__(self) -> None:
        self.spec = OpenAPISpec(load_spec("jira-rest-v3-subset.openapi.json"))
        self.adf = load_spec("adf-schema-full.json")
        self.categories = _status_categories()
        self._ids = itertools.count(10001)
        self._numbers = itertools.count(1)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def add_user(self, email: str, name: str, *, email_visible: bool = True, active: bool = True) -> str:
        account_id = f"5b10ac8d82e05b22cc7d{len(self.users):04d}"
        user = {"accountId": account_id, "accountType": "atlassian", "active": active, "displayName": name}
        self.users.append({**user, "emailAddress": email, "_visible": email_visible})
        return account_id

    def transition(self, issue_id: str, status: str, resolution: str | None = None) -> None:
        """Move an issue as a person would (`status` one of To Do, In Progress, Done, Cancelled)."""
        category = self.categories[_STATUSES[status]]
        fields = self.issues[issue_id]["fields"]
        fields["status"] = {"name": status, "statusCategory": category}
        fields["resolution"] = {"name": resolution} if resolution else None

    def fail_next(
        self, times: int = 1, *, status: int = 429, retry_after: int | None = 7, path: str | None = None
    ) -> None:
        self.failures.add(times, only=path, status=status, retry_after=retry_after)

    def lose_next_answer(self, method: str, path: str) -> None:
        """Carry out the next `method path` for real, then drop its answer."""
        self.lost_answers.add(1, only=f"{method} {path}")

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        query = {key: request.url.params.get_list(key) for key in request.url.params}
        path = request.url.path
        self.requests.append(Recorded(request.method, path, dict(request.headers), query, body))
        problems = [] if str(request.url).startswith(self.site + "/") else [f"{request.url}: not the site"]
        problems += self.spec.check(
            request.method, path, query=query, content_type=request.headers.get("content-type"), body=body
        )
        problems += self._prose_problems(request.method, path, body)
        op = self.spec.operation(request.method, path)
        removed = [c for c in (op.spec.get("x-changes") or []) if c.get("type") == "removed"] if op else []
        problems += [f"{request.method} {path}: removed from Jira Cloud on {c['effective']}" for c in removed]
        if problems:
            self.violations += problems
            return httpx.Response(400, json=_errors(*problems))
        expected = "Basic " + base64.b64encode(f"{self.email}:{self.api_token}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return httpx.Response(401, json=_errors("Client must be authenticated to access this resource."))
        failure = self.failures.take(path)
        if failure is not None:
            headers = {"Retry-After": str(failure["retry_after"])} if failure["retry_after"] is not None else {}
            return httpx.Response(failure["status"], headers=headers, json=_errors("Rate limit exceeded."))
        response = self._route(request.method, path, query, body)
        if self.lost_answers.take(f"{request.method} {path}") is not None:
            raise httpx.ReadTimeout("the answer was lost on the way back", request=request)
        return response

    def _prose_problems(self, method: str, path: str, body: Any) -> list[str]:
        """What the API summary and ADF schema say, beyond the OpenAPI schemas."""
        if not isinstance(body, dict):
            return []
        problems: list[str] = []
        if path.endswith("/search/jql") and not str(body.get("jql", "")).strip():
            problems.append("search/jql: the JQL must be bounded (a search restriction)")
        fields = body.get("fields") if path == "/rest/api/3/issue" else None
        if isinstance(fields, dict):
            if "description" in fields:
                problems += schema_errors(self.adf, fields["description"], "fields/description")
            if len(fields.get("summary", "")) > 255:
                problems.append("fields/summary: longer than 255 characters")
            if "duedate" in fields and not _DATE.match(str(fields["duedate"])):
                problems.append(f"fields/duedate {fields['duedate']!r}: not YYYY-MM-DD")
            problems += [f"fields/labels {label!r}: no spaces" for label in fields.get("labels", []) if " " in label]
        if path.endswith("/comment") and method == "POST":
            problems += schema_errors(self.adf, body.get("body"), "body")
        return problems

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> httpx.Response:
        op = self.spec.operation(method, path)
        assert op is not None
        key = op.path_params.get("issueIdOrKey")
        issue = self._issue(key) if key else None
        if key and issue is None:
            return httpx.Response(404, json=_errors("Issue does not exist or you do not have permission to see it."))
        match op.spec["operationId"]:
            case "createIssue":
                return self._create(body["fields"])
            case "searchAndReconsileIssuesUsingJqlPost":
                return self._search(body)
            case "findUsers":
                return self._find_users(query.get("query", [""])[0])
            case "getIssue":
                assert issue is not None
                return httpx.Response(200, json=self._bean(issue, query.get("fields", ["*all"])[0].split(",")))
            case "addComment":
                assert issue is not None
                comment = {"id": str(next(self._ids)), "body": body["body"]}
                issue["fields"]["comment"]["comments"].append(comment)
                return httpx.Response(201, json=comment)
            case "createOrUpdateRemoteIssueLink":
                assert issue is not None
                return self._remote_link(issue, body)
        return httpx.Response(404, json=_errors("not faked"))

    def _issue(self, key: str) -> dict[str, Any] | None:
        return self.issues.get(key) or next((i for i in self.issues.values() if i["key"] == key), None)

    def _create(self, fields: dict[str, Any]) -> httpx.Response:
        project = (fields.get("project") or {}).get("key")
        if project not in self.projects:
            return httpx.Response(400, json=_errors(project="valid project is required"))
        if (fields.get("issuetype") or {}).get("name") not in self.issue_types:
            return httpx.Response(400, json=_errors(issuetype="Specify a valid issue type"))
        if "priority" in fields and fields["priority"].get("name") not in self.priorities:
            return httpx.Response(400, json=_errors(priority="Specify a valid priority name"))
        assignee = None
        if "assignee" in fields:
            account = fields["assignee"].get("accountId")
            assignee = next((u for u in self.users if u["accountId"] == account), None)
            if assignee is None:
                return httpx.Response(400, json=_errors(assignee=f"User '{account}' does not exist."))
        issue_id = str(next(self._ids))
        key = f"{project}-{next(self._numbers)}"
        self.issues[issue_id] = {
            "id": issue_id,
            "key": key,
            "self": f"{self.site}/rest/api/3/issue/{issue_id}",
            "fields": {
                **{k: v for k, v in fields.items() if k != "assignee"},
                "assignee": self._public(assignee) if assignee else None,
                "status": {"name": "To Do", "statusCategory": self.categories["new"]},
                "resolution": None,
                "comment": {"comments": [], "startAt": 0, "maxResults": 5000},
            },
        }
        return httpx.Response(201, json={"id": issue_id, "key": key, "self": self.issues[issue_id]["self"]})

    def _matches(self, issue: dict[str, Any], clauses: list[tuple[str, str, list[str]]]) -> bool:
        fields = issue["fields"]
        for name, _, values in clauses:
            if name == "project" and issue["key"].split("-")[0] not in values:
                return False
            if name == "labels" and not set(values) & set(fields.get("labels", [])):
                return False
            if name == "id" and issue["id"] not in values:
                return False
        return True

    def _parse_jql(self, jql: str) -> list[tuple[str, str, list[str]]] | None:
        clauses = []
        for text in re.split(r"\s+AND\s+", jql, flags=re.IGNORECASE):
            match = _CLAUSE.match(text)
            if not match or match[1].lower() not in {"project", "labels", "id"}:
                self.violations.append(f"JQL {jql!r}: the fake does not understand {text!r}")
                return None
            raw = match[3].strip("()")
            values = (
                [v.strip().strip('"').replace('\\"', '"') for v in raw.split(",")]
                if match[2].lower() == "in"
                else [match[3].strip('"')]
            )
            clauses.append((match[1].lower(), match[2].lower(), values))
        return clauses

    def _search(self, body: dict[str, Any]) -> httpx.Response:
        clauses = self._parse_jql(body["jql"])
        if clauses is None:
            return httpx.Response(400, json=_errors("Error in the JQL Query"))
        for name, _, values in clauses:
            if name == "project" and values[0] not in self.projects:
                return httpx.Response(
                    400, json=_errors(f"The value '{values[0]}' does not exist for the field 'project'.")
                )
        found = [i for i in self.issues.values() if self._matches(i, clauses)]
        start = int(body.get("nextPageToken") or 0)
        size = min(body.get("maxResults", 50), self.max_results)
        page = found[start : start + size]
        answer: dict[str, Any] = {
            "issues": [self._bean(i, body.get("fields") or ["id"]) for i in page],
            "isLast": start + size >= len(found),
        }
        if not answer["isLast"]:
            answer["nextPageToken"] = str(start + size)
        return httpx.Response(200, json=answer)

    def _bean(self, issue: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        everything = "*all" in fields
        chosen = {k: v for k, v in issue["fields"].items() if everything or k in fields}
        return {"id": issue["id"], "key": issue["key"], "self": issue["self"], "fields": chosen}

    def _public(self, user: dict[str, Any]) -> dict[str, Any]:
        shown = {k: v for k, v in user.items() if not k.startswith("_")}
        if not user["_visible"]:
            shown.pop("emailAddress")
        return shown

    def _find_users(self, text: str) -> httpx.Response:
        """A prefix match on display name and email, active users only, as a bare array."""
        needle = text.lower()
        found = [
            self._public(u)
            for u in self.users
            if u["active"]
            and (u["displayName"].lower().startswith(needle) or u["emailAddress"].lower().startswith(needle))
        ]
        return httpx.Response(200, json=found)

    def _remote_link(self, issue: dict[str, Any], body: dict[str, Any]) -> httpx.Response:
        key = (issue["id"], body.get("globalId") or str(next(self._ids)))
        existed = key in self.remote_links
        link = self.remote_links.setdefault(key, {"id": next(self._ids)})
        link.update(body)
        status = 200 if existed else 201
        return httpx.Response(status, json={"id": link["id"], "self": f"{issue['self']}/remotelink/{link['id']}"})
