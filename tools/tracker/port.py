"""What every tracker (built-in, Linear, Jira) can be asked to do for an action item.

Promises every implementation keeps:
- `create_ticket` is idempotent by `TicketRequest.key` (the action item's own key): asking twice,
  even after a crash between the tracker's answer and our commit, returns the same ticket.
- `tickets` reads many tickets back in as few calls as the tracker allows; an id the tracker no
  longer knows is left out of the answer rather than failing the batch.
- `add_comment` is idempotent by its `key`; `add_link` by the URL on that ticket.
- Every refusal or failure raises `TrackerError` with the service's status and message. Retrying
  is the outbox's job (warroom/outbox/worker.py); `retryable` states its rule for this error.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Protocol

from pydantic import BaseModel, Field

from warroom.action_items.store import TicketState
from warroom.outbox.worker import RETRYABLE_4XX
from warroom.severity import Severity

__all__ = ["FOLLOW_UP_LABEL", "Ticket", "TicketRequest", "TicketState", "Tracker", "TrackerError", "ticket_markdown"]

#: The label every tracker puts on the tickets warroom files, so a team can find them.
FOLLOW_UP_LABEL = "incident-follow-up"

Label = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^\S+$")]


class TicketRequest(BaseModel):
    """One action item to be filed. `description` is Markdown (paragraphs, `-` lists, `#`
    headings, `[text](url)` links); `owner` is the person named on the item, `owner_email` how the
    tracker finds them (no email: the ticket is filed unassigned, the owner named in its body)."""

    key: str = Field(min_length=1, max_length=255)
    incident_id: int
    title: str = Field(min_length=1)
    description: str = ""
    owner: str
    owner_email: str | None = None
    due: date
    priority: Severity
    labels: list[Label] = Field(default_factory=list)
    incident_url: str
    postmortem_url: str | None = None


class Ticket(BaseModel):
    """A ticket as its tracker holds it: `id` is what the other calls take, `identifier` what
    people read (`ENG-123`, `OPS-24`, `AI-7`)."""

    id: str
    identifier: str
    url: str
    state: TicketState
    assignee: str | None = None
    due: date | None = None


class TrackerError(Exception):
    """A tracker refused or failed a request. `status` is the HTTP status the service answered
    (or the one its error type stands for); `retry_after` the seconds it asked us to wait."""

    def __init__(
        self, message: str, *, service: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.service = service
        self.status = status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """The outbox's rule: no answer, 5xx and 408/409/420/425/429 are worth retrying."""
        return self.status is None or self.status >= 500 or self.status in RETRYABLE_4XX


class Tracker(Protocol):
    name: str

    def create_ticket(self, request: TicketRequest) -> Ticket:
        """File the action item, or return the ticket already filed for its key."""
        ...

    def tickets(self, ticket_ids: Sequence[str]) -> dict[str, Ticket]:
        """The current state of each ticket, by id."""
        ...

    def add_comment(self, ticket_id: str, *, key: str, markdown: str) -> None:
        """Comment on the ticket once per `key` (a reminder, an escalation, a sync note)."""
        ...

    def add_link(self, ticket_id: str, *, url: str, title: str) -> None:
        """Link the ticket back to a page of ours (the incident, the postmortem)."""
        ...


def ticket_markdown(request: TicketRequest) -> str:
    """The ticket's body: the item's description, then who owns it and where it came from."""
    links = [f"- Owner: {request.owner}", f"- Incident: [incident #{request.incident_id}]({request.incident_url})"]
    if request.postmortem_url:
        links.append(f"- Postmortem: [postmortem of incident #{request.incident_id}]({request.postmortem_url})")
    parts = [request.description.strip(), "## Follow-up of an incident", "\n".join(links)]
    return "\n\n".join(part for part in parts if part)
