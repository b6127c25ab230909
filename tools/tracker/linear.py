"""Linear (GraphQL API, https://api.linear.app/graphql) as a `Tracker`, over httpx without an SDK.

- Every document this client can send is a module-level constant listed in `DOCUMENTS`; the
  tests validate each one against Linear's published schema and run it on a fake that executes it.
- Auth: a personal API key goes bare in `Authorization: <key>` (OAuth tokens would take `Bearer`).
- Idempotent creation: `IssueCreateInput.id` is derived from the action item's key (a UUID in the
  v4 form the schema asks for), so a create retried after its answer was lost is refused as a
  duplicate, and the issue already made under that id is read back instead of a second one.
  Comments get an id derived from their key the same way; `attachmentCreate` is documented as
  an upsert on (url, issue), so a link sent twice stays one link.
- Errors: Linear reports failures as GraphQL `errors` whose `extensions.type` names what happened
  (the names `@linear/sdk` parses: "ratelimited", "authentication error", "forbidden",
  "invalid input", "internal error", ...), at times under HTTP 200. `TrackerError.status` is the
  HTTP status when it is an error, else the one the type stands for; "ratelimited" is 429 even
  when the HTTP status says otherwise, so the outbox waits `Retry-After` instead of giving up.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import httpx

from tools.retry_after import retry_after_seconds
from tools.tracker.port import FOLLOW_UP_LABEL, Ticket, TicketRequest, TicketState, TrackerError, ticket_markdown
from warroom.severity import Severity

__all__ = ["API_URL", "DOCUMENTS", "LinearTracker", "linear_id", "linear_priority"]

API_URL = "https://api.linear.app/graphql"
PAGE_SIZE = 50
SERVICE = "linear"

#: Linear's own numbers: 0 none, 1 Urgent, 2 High, 3 Medium, 4 Low.
_PRIORITY = {Severity.P0: 1, Severity.P1: 2, Severity.P2: 3, Severity.P3: 4}
#: `WorkflowState.type`, as the schema lists it; a type Linear adds later reads as open.
_STATE = {
    "triage": TicketState.OPEN,
    "backlog": TicketState.OPEN,
    "unstarted": TicketState.OPEN,
    "started": TicketState.IN_PROGRESS,
    "completed": TicketState.DONE,
    "canceled": TicketState.CANCELED,
    "duplicate": TicketState.CANCELED,
}
_STATUS_OF_TYPE = {
    "ratelimited": 429,
    "authentication error": 401,
    "forbidden": 403,
    "internal error": 500,
    "lock timeout": 503,
    "network error": 502,
}
_NAMESPACE = uuid.UUID("6f1c9a52-3c1e-4c59-9d7e-2b8d1f0e7a41")

TICKET_FIELDS = """
fragment TicketFields on Issue {
  id
  identifier
  url
  dueDate
  state { type }
  assignee { email }
}
"""

ISSUE_CREATE = (
    """
mutation TicketCreate($input: IssueCreateInput!) {
  issueCreate(input: $input) {
    success
    issue { ...TicketFields }
  }
}
"""
    + TICKET_FIELDS
)

TICKETS_BY_ID = (
    """
query TicketsById($ids: [ID!]!, $first: Int!, $after: String) {
  issues(filter: {id: {in: $ids}}, first: $first, after: $after) {
    nodes { ...TicketFields }
    pageInfo { hasNextPage endCursor }
  }
}
"""
    + TICKET_FIELDS
)

USER_BY_EMAIL = """
query UserByEmail($email: String!) {
  users(filter: {email: {eqIgnoreCase: $email}}, first: 1) {
    nodes { id email }
  }
}
"""

LABELS_BY_NAME = """
query LabelsByName($name: String!) {
  issueLabels(filter: {name: {eqIgnoreCase: $name}}, first: 50) {
    nodes { id name team { id } }
  }
}
"""

LABEL_CREATE = """
mutation LabelCreate($input: IssueLabelCreateInput!) {
  issueLabelCreate(input: $input) {
    success
    issueLabel { id }
  }
}
"""

COMMENT_CREATE = """
mutation CommentCreate($input: CommentCreateInput!) {
  commentCreate(input: $input) {
    success
    comment { id }
  }
}
"""

COMMENT_BY_ID = """
query CommentById($id: ID!) {
  comments(filter: {id: {eq: $id}}, first: 1) {
    nodes { id }
  }
}
"""

ATTACHMENT_CREATE = """
mutation LinkBack($input: AttachmentCreateInput!) {
  attachmentCreate(input: $input) {
    success
    attachment { id }
  }
}
"""

DOCUMENTS = (
    ISSUE_CREATE,
    TICKETS_BY_ID,
    USER_BY_EMAIL,
    LABELS_BY_NAME,
    LABEL_CREATE,
    COMMENT_CREATE,
    COMMENT_BY_ID,
    ATTACHMENT_CREATE,
)

_OPERATION = re.compile(r"^\s*(?:query|mutation)\s+(\w+)", re.MULTILINE)


def linear_id(key: str) -> str:
    """A stable UUID for `key`: a name-based UUID put in the v4 form Linear's ids take."""
    return str(uuid.UUID(bytes=uuid.uuid5(_NAMESPACE, key).bytes, version=4))


def linear_priority(priority: Severity) -> int:
    return _PRIORITY[priority]


def _chunks(ids: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


class LinearTracker:
    """One Linear team. Users by email and labels by name are looked up once per client."""

    name = "linear"

    def __init__(self, client: httpx.Client, api_key: str, team_id: str, *, api_url: str = API_URL) -> None:
        self._client = client
        self._url = api_url
        self._headers = {"Authorization": api_key}
        self._team_id = team_id
        self._users: dict[str, str | None] = {}
        self._labels: dict[str, str] = {}

    def create_ticket(self, request: TicketRequest) -> Ticket:
        issue_id = linear_id(request.key)
        fields: dict[str, Any] = {
            "id": issue_id,
            "teamId": self._team_id,
            "title": request.title,
            "description": ticket_markdown(request),
            "dueDate": request.due.isoformat(),
            "priority": linear_priority(request.priority),
            "labelIds": [self._label_id(name) for name in dict.fromkeys([FOLLOW_UP_LABEL, *request.labels])],
        }
        assignee = self._user_id(request.owner_email) if request.owner_email else None
        if assignee:
            fields["assigneeId"] = assignee
        try:
            created = self._execute(ISSUE_CREATE, {"input": fields})["issueCreate"]
        except TrackerError as refused:
            if not _refused_input(refused):
                raise
            existing = self.tickets([issue_id]).get(issue_id)
            if existing is None:
                raise
            return existing
        if not created["success"] or created["issue"] is None:
            raise TrackerError("linear issueCreate answered success=false", service=SERVICE, status=400)
        return _ticket(created["issue"])

    def tickets(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        found: dict[str, Ticket] = {}
        for chunk in _chunks(list(dict.fromkeys(ticket_ids)), PAGE_SIZE):
            after: str | None = None
            while True:
                page = self._execute(TICKETS_BY_ID, {"ids": chunk, "first": PAGE_SIZE, "after": after})["issues"]
                found.update((node["id"], _ticket(node)) for node in page["nodes"])
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
        return found

    def add_comment(self, ticket_id: str, *, key: str, markdown: str) -> None:
        comment_id = linear_id(f"{ticket_id}:{key}")
        try:
            self._execute(COMMENT_CREATE, {"input": {"id": comment_id, "issueId": ticket_id, "body": markdown}})
        except TrackerError as refused:
            if not _refused_input(refused):
                raise
            if not self._execute(COMMENT_BY_ID, {"id": comment_id})["comments"]["nodes"]:
                raise

    def add_link(self, ticket_id: str, *, url: str, title: str) -> None:
        self._execute(ATTACHMENT_CREATE, {"input": {"issueId": ticket_id, "url": url, "title": title}})

    def _user_id(self, email: str) -> str | None:
        key = email.lower()
        if key not in self._users:
            nodes = self._execute(USER_BY_EMAIL, {"email": email})["users"]["nodes"]
            self._users[key] = nodes[0]["id"] if nodes else None
        return self._users[key]

    def _label_id(self, name: str) -> str:
        """The team's label of that name (or a workspace one), created when there is none; a
        label another worker created meanwhile is found on the second look."""
        if name not in self._labels:
            found = self._find_label(name)
            if found is None:
                try:
                    created = self._execute(LABEL_CREATE, {"input": {"name": name, "teamId": self._team_id}})
                    found = created["issueLabelCreate"]["issueLabel"]["id"]
                except TrackerError as refused:
                    found = self._find_label(name) if _refused_input(refused) else None
                    if found is None:
                        raise
            self._labels[name] = found
        return self._labels[name]

    def _find_label(self, name: str) -> str | None:
        nodes = self._execute(LABELS_BY_NAME, {"name": name})["issueLabels"]["nodes"]
        usable = [n for n in nodes if n["team"] is None or n["team"]["id"] == self._team_id]
        usable.sort(key=lambda n: n["team"] is None)  # the team's own label before a workspace one
        return usable[0]["id"] if usable else None

    def _execute(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        operation = _OPERATION.search(document)
        name = operation[1] if operation else "request"
        body = {"query": document, "variables": variables, "operationName": name}
        try:
            response = self._client.post(self._url, json=body, headers=self._headers)
        except httpx.HTTPError as exc:
            raise TrackerError(f"linear {name}: no answer ({type(exc).__name__})", service=SERVICE) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        errors = payload.get("errors") if isinstance(payload, dict) else None
        if errors or not response.is_success:
            raise _error(name, response, errors if isinstance(errors, list) else [])
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            raise TrackerError(f"linear {name}: answered {response.status_code} without data", service=SERVICE)
        return data


def _refused_input(error: TrackerError) -> bool:
    """Linear answered and turned down what we sent (a duplicate id, say), as opposed to not
    letting us in, asking us to wait, or failing itself."""
    return error.status is not None and 400 <= error.status < 500 and error.status not in {401, 403, 429}


def _error(operation: str, response: httpx.Response, errors: list[Any]) -> TrackerError:
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    extensions = first.get("extensions") if isinstance(first.get("extensions"), dict) else {}
    kind = str(extensions.get("type") or "").lower()
    code = str(extensions.get("code") or "").upper()
    if kind == "ratelimited" or code == "RATELIMITED" or response.status_code == 429:
        status = 429
    elif kind in {"authentication error", "forbidden"}:
        status = _STATUS_OF_TYPE[kind]
    elif not response.is_success:
        status = response.status_code
    else:
        status = _STATUS_OF_TYPE.get(kind, 400)
    message = str(extensions.get("userPresentableMessage") or first.get("message") or response.text[:300])
    retry_after = retry_after_seconds(response.headers.get("Retry-After")) if status == 429 or status >= 500 else None
    return TrackerError(
        f"linear {operation} -> {status}: {message}", service=SERVICE, status=status, retry_after=retry_after
    )


def _ticket(node: dict[str, Any]) -> Ticket:
    assignee = node.get("assignee") or {}
    due = node.get("dueDate")
    return Ticket(
        id=node["id"],
        identifier=node["identifier"],
        url=node["url"],
        state=_STATE.get(node["state"]["type"], TicketState.OPEN),
        assignee=assignee.get("email"),
        due=date.fromisoformat(due) if due else None,
    )
