"""Carry a customer-facing incident (P0/P1) through the rest of its life, as a responder would.

After the severity is read, the on-call acknowledges, writes notes ("tried: …", later "cause: …"
and "action: …"), approves the email draft, lets one update tick pass and resolves the incident;
the scheduler runs after every step as the worker would. Then every public message the crew wrote
(comms drafts in every state, the status page's updates) and the postmortem with its action items
are read back through the API into a `Response`, which the comms and postmortem suites score.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field

from warroom.kinds import TimelineKind

__all__ = ["DEFAULT_NOTES", "PublicMessage", "Response", "ResponseSpec", "respond"]

DEFAULT_NOTES = [
    "tried: rolled back the most recent deploy; no change\nhypothesis: the database connection pool is exhausted",
    "cause: a configuration change lowered the database connection pool limit below peak traffic\n"
    "fixed: restored the previous connection pool limit\n"
    "action: validate connection pool limits against peak traffic before a config change ships",
]
DRAFT_STATES = ["pending_approval", "blocked", "approved", "sent", "rejected", "withdrawn"]


class ResponseSpec(BaseModel):
    """`[response]` in case.toml: what the humans write and who they are (defaults are a plain outage)."""

    model_config = ConfigDict(extra="forbid")

    notes: list[str] = Field(
        default_factory=lambda: list(DEFAULT_NOTES),
        min_length=2,
        description="the first before the update tick, the rest after it",
    )
    author: str = Field(default="Dana Reyes", description="the on-call who acknowledges, writes notes and approves")
    resolver: str = Field(default="Sam Okafor", description="who marks it resolved")


class PublicMessage(BaseModel):
    """One message meant for customers: a comms draft (any state) or a status-page update."""

    channel: str
    kind: str = Field(description="initial | update | all_clear")
    state: str
    at: datetime = Field(description="when it was drafted or posted")
    text: str
    problems: list[str] = Field(default_factory=list, description="what the product's own grounding check found")


class Response(BaseModel):
    """What the crew did for one P0/P1 case, read back through the API after resolution."""

    incident: dict[str, Any]
    messages: list[PublicMessage]
    internal_drafts: int = 0
    postmortem: dict[str, Any] | None = None
    postmortem_error: str | None = None
    action_items: list[dict[str, Any]] = Field(default_factory=list)
    people: list[str]
    notes: list[str]
    cadence_minutes: float
    cadences: dict[str, float] = Field(default_factory=dict, description="update cadence per customer-facing severity")
    service_users: int | None = None
    sla_rca_days: list[int] = Field(default_factory=list, description="the configured accounts' RCA deadlines")
    literals: list[str] = Field(default_factory=list, description="configured names public text may quote verbatim")
    read_at: datetime


def _kind_of(update: dict[str, Any], first_at: str) -> str:
    if update["status"] == "resolved":
        return "all_clear"
    return "initial" if update["at"] == first_at else "update"


def _status_messages(page: dict[str, Any], incident: dict[str, Any]) -> list[PublicMessage]:
    """This incident's updates on the built-in page (found through the refs on its timeline)."""
    refs = {
        str(ref)
        for e in incident["timeline"]
        if e["kind"] == TimelineKind.STATUS_PAGE
        for ref in (e.get("data") or {}).get("pages", {}).values()
    }
    messages: list[PublicMessage] = []
    for page_incident in [*page["active_incidents"], *page["recent_incidents"]]:
        if str(page_incident["id"]) not in refs:
            continue
        updates = sorted(page_incident["updates"], key=lambda u: u["at"])
        messages += [
            PublicMessage(
                channel="status_page", kind=_kind_of(u, updates[0]["at"]), state="posted", at=u["at"], text=u["body"]
            )
            for u in updates
        ]
    return messages


async def respond(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    incident_id: int,
    spec: ResponseSpec,
    *,
    advance: Callable[[timedelta], None],
    run: Callable[[], None],
    now: Callable[[], datetime],
    next_due: Callable[[], datetime | None],
    cadence_minutes: float,
    cadences: dict[str, float],
    on_call: str,
    service_users: int | None,
    sla_rca_days: list[int],
    literals: list[str],
) -> Response:
    """Acknowledge, note, approve the email, pass one update tick, note the cause, resolve, read back."""
    base = f"/api/incidents/{incident_id}"

    async def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await client.request(method, path, headers=auth, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        run()
        return response

    def wait(minutes: float) -> None:
        """Let time pass as a worker sees it: every job runs at its due time, not at the end of the wait."""
        until = now() + timedelta(minutes=minutes)
        while (due := next_due()) is not None and due <= until:
            advance(max(due - now(), timedelta(0)))
            run()
        advance(until - now())
        run()

    wait(1)
    await call("POST", f"{base}/acknowledge", json={"actor": spec.author})
    wait(2)
    await call("POST", f"{base}/notes", json={"author": spec.author, "text": spec.notes[0]})
    drafts = (await call("GET", "/api/approvals", params={"incident_id": incident_id})).json()
    for draft in [d for d in drafts if d["channel"] == "email" and d["state"] == "pending_approval"]:
        await call("POST", f"/api/approvals/{draft['id']}/approve", json={"actor": spec.author})
    wait(cadence_minutes)
    for text in spec.notes[1:]:
        await call("POST", f"{base}/notes", json={"author": spec.author, "text": text})
    wait(5)
    await call("POST", f"{base}/resolve", json={"actor": spec.resolver})

    incident = (await call("GET", base)).json()
    drafts = (await call("GET", "/api/approvals", params={"incident_id": incident_id, "state": DRAFT_STATES})).json()
    page = (await call("GET", "/status.json")).json()
    messages = [
        PublicMessage(
            channel=d["channel"],
            kind=d["kind"],
            state=d["state"],
            at=d["created_at"],
            text=f"{d['subject'] or ''}\n{d['body']}",
            problems=d["problems"],
        )
        for d in drafts
        if d["public"]
    ]
    messages += _status_messages(page, incident)
    pm = await client.get(f"{base}/postmortem", headers=auth)
    items = (await call("GET", "/api/action-items", params={"incident_id": incident_id})).json()
    return Response(
        incident=incident,
        messages=messages,
        internal_drafts=sum(not d["public"] for d in drafts),
        postmortem=pm.json() if pm.status_code == 200 else None,
        postmortem_error=None if pm.status_code == 200 else f"{pm.status_code} {pm.text[:300]}",
        action_items=items,
        people=list(dict.fromkeys([spec.author, spec.resolver, on_call])),
        notes=spec.notes,
        cadence_minutes=cadence_minutes,
        cadences=cadences,
        service_users=service_users,
        sla_rca_days=sla_rca_days,
        literals=literals,
        read_at=now(),
    )
