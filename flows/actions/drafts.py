"""Deciding a draft: approve, edit-then-approve, or reject, exactly once, whoever asks; and the
signed one-click link that lets someone decide from their mail.

An edited body must pass the same grounding check as a template; a blocked draft can only be
edited or rejected. The decision wakes the draft's approval thread (`draft.wake`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from agents.support.drafts import Draft
from agents.support.grounding import check_grounding
from flows.approval_links import approval_token, read_approval_token
from flows.comms import prepare_round, round_of
from flows.context import Context
from flows.facts import incident_facts
from flows.staleness import WHILE_OPEN, stale_reason, withdraw
from warroom import keys
from warroom.actors import Actor
from warroom.channels import Channel
from warroom.drafts import store as drafts
from warroom.drafts.models import CommsKind, DraftRecord, DraftState
from warroom.errors import Conflict, Invalid, NotFound
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident
from warroom.kinds import JobKind, TimelineKind
from warroom.scheduler.store import schedule

__all__ = [
    "DraftStanding",
    "Decision",
    "approval_token",
    "decide_draft",
    "draft_standing",
    "get_draft",
    "read_approval_token",
]


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


def get_draft(ctx: Context, draft_id: int, *, incident_id: int | None = None) -> DraftRecord:
    """The draft, which must belong to `incident_id` when one is given."""
    with ctx.engine.connect() as conn:
        draft = drafts.get_draft(conn, draft_id)
    if draft is None or (incident_id is not None and draft.incident_id != incident_id):
        raise NotFound(f"draft {draft_id} not found" + (f" on incident {incident_id}" if incident_id else ""))
    return draft


class DraftStanding(BaseModel):
    """A draft beside its incident as it is now: what an approver must see before deciding."""

    draft: DraftRecord
    incident: Incident
    stale: str | None = None
    """Why approving it now would say something no longer true (it cannot be approved)."""


def draft_standing(ctx: Context, draft_id: int) -> DraftStanding:
    draft = get_draft(ctx, draft_id)
    with ctx.engine.connect() as conn:
        incident = incidents.get_incident(conn, draft.incident_id, with_timeline=False)
        assert incident is not None
        stale = stale_reason(conn, draft, incident) if draft.state in (DraftState.PENDING, DraftState.BLOCKED) else None
    return DraftStanding(draft=draft, incident=incident, stale=stale.reason if stale else draft.withdrawn_reason)


def decide_draft(
    ctx: Context,
    draft_id: int,
    decision: Decision,
    actor: Actor,
    *,
    body: str | None = None,
    reason: str = "",
) -> DraftRecord:
    """Approve (the edited `body` when it differs) or reject; `Conflict` when it was decided
    already, or when the incident moved on since it was written (then it is withdrawn, so
    nobody can send what is no longer true)."""
    draft = get_draft(ctx, draft_id)
    if draft.state is DraftState.WITHDRAWN:
        raise Conflict(f"draft {draft_id} was withdrawn and can no longer be sent: {draft.withdrawn_reason}")
    if draft.state not in (DraftState.PENDING, DraftState.BLOCKED):
        raise Conflict(
            f"draft {draft_id} was already {draft.state.value}"
            + (f" by {draft.decided_by}" if draft.decided_by else ""),
        )
    edited = body is not None and body.strip() != draft.body.strip()
    refreshed = ""
    if decision is Decision.APPROVE:
        with ctx.engine.begin() as conn:
            stale = stale_reason(conn, draft)
            if stale and stale.final:
                withdraw(conn, draft, stale.reason, ctx.clock.now())
        if stale:
            raise Conflict(f"draft {draft_id} can no longer be approved: {stale.reason}")
        if not edited and draft.state is DraftState.PENDING and draft.kind in WHILE_OPEN:
            draft, refreshed = _with_current_numbers(ctx, draft)
    problems: list[str] | None = None
    if decision is Decision.APPROVE:
        if edited:
            problems = _grounding_problems(ctx, draft, body or "")
            if problems:
                raise Invalid("the edited text states something the incident's facts do not support", problems)
        elif draft.state is DraftState.BLOCKED:
            raise Invalid("this draft failed the grounding check; edit it before approving", draft.problems)
    now = ctx.clock.now()
    target = DraftState.APPROVED if decision is Decision.APPROVE else DraftState.REJECTED
    with ctx.engine.begin() as conn:
        if not drafts.decide(
            conn, draft_id, to=target, actor=actor.label, now=now, body=body if edited else None, problems=problems
        ):
            raise Conflict(f"draft {draft_id} was decided by someone else a moment ago")
        verb = {DraftState.APPROVED: "edited and approved" if edited else "approved", DraftState.REJECTED: "rejected"}[
            target
        ] + refreshed
        incidents.add_timeline(
            conn,
            draft.incident_id,
            now,
            TimelineKind.COMMS_DECISION,
            f"{draft.channel} draft #{draft_id} {verb} by {actor.label}" + (f": {reason}" if reason else ""),
            actor=actor.label,
            data={"draft_id": draft_id, "decision": target.value, "edited": edited},
            dedup_key=keys.draft_decision(draft_id),
        )
        schedule(
            conn,
            key=keys.draft_wake(draft_id, target.value),
            kind=JobKind.DRAFT_WAKE,
            due_at=now,
            payload={"draft_id": draft_id, "incident_id": draft.incident_id},
            lane=keys.draft_lane(draft_id),
        )
        updated = drafts.get_draft(conn, draft_id)
    assert updated is not None
    return updated


def _with_current_numbers(ctx: Context, draft: DraftRecord) -> tuple[DraftRecord, str]:
    """Re-draft the draft's round with the facts as they are at the click, so the message goes out
    with the incident's counts and recipients now, not those of when it was written; the words
    the human read stay the template's. Returns the draft and what changed, for the timeline."""
    with ctx.engine.connect() as conn:
        label = round_of(conn, draft.id)
    if label is None:
        return draft, ""
    prepare_round(ctx, draft.incident_id, CommsKind(draft.kind), label, reword=False)
    current = get_draft(ctx, draft.id)
    if current.body == draft.body and current.recipients == draft.recipients:
        return current, ""
    return current, (
        f" (re-drafted at the click with the current numbers: {len(draft.recipients)} → "
        f"{len(current.recipients)} recipients)"
    )


def _grounding_problems(ctx: Context, record: DraftRecord, body: str) -> list[str]:
    """Checked against the facts as of drafting (its "next update by" time included), with the
    incident's current counts and notes."""
    with ctx.engine.connect() as conn:
        incident = incidents.get_incident(conn, record.incident_id)
        assert incident is not None
        promised = record.facts_used.get("next_update_at")
        facts = incident_facts(
            conn,
            incident,
            ctx.settings,
            now=record.created_at,
            next_update=datetime.fromisoformat(promised) if isinstance(promised, str) else None,
        )
    # An enterprise draft's audience is "<account name> (<tier>)…": its own account is not "another customer".
    account = next((a.name for a in facts.known_accounts if record.audience.startswith(f"{a.name} (")), None)
    draft = Draft(
        incident_id=record.incident_id,
        kind=CommsKind(record.kind),
        channel=Channel(record.channel),
        audience=record.audience,
        recipients=record.recipients,
        subject=record.subject or "",
        body=body,
        public=record.public,
        account=account if record.channel == Channel.ENTERPRISE_EMAIL else None,
        facts_used=record.facts_used,
    )
    return check_grounding(draft, facts).problems
