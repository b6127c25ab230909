"""Drafting comms for one moment of an incident (initial, update n, all-clear, and after the
postmortem the enterprise accounts' root-cause analyses).

Scheduler job `comms.prepare`: the Support agent drafts every enabled channel, each draft is
stored and its approval thread started (`draft.start`, run by `graphs.runner.CommsRunner`). Run
again when the facts grow, it refreshes the drafts nobody has decided on yet. An RCA is also an
action item due by the account's SLA deadline (`keys.rca_item`), done when the RCA is sent: the
tracker and whatever chases due items (the COO agent) see it like any other.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import Connection

from agents.support.comms import CheckedDraft, prepare_comms
from agents.support.drafts import Draft, one_account_only, rca_due
from agents.support.facts import IncidentFacts
from agents.support.grounding import check_grounding
from agents.support.rewrite import rewrite_draft
from flows.approval_links import approval_token
from flows.context import Context
from flows.effects import email_about, post_to_war_room
from flows.facts import incident_facts
from flows.staleness import WHILE_OPEN, was_replaced, withdraw_superseded
from warroom import keys
from warroom.action_items import store as action_items
from warroom.channels import Channel, max_length
from warroom.drafts import store as drafts
from warroom.drafts.models import CommsKind, DraftState
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident, IncidentStatus
from warroom.kinds import JobKind, TimelineKind
from warroom.scheduler.engine import Scheduler
from warroom.scheduler.store import Job, pending_by_prefix, schedule
from warroom.severity import Severity

__all__ = [
    "CommsFlow",
    "approval_blocks",
    "auto_send_level",
    "enabled_channels",
    "first_round",
    "prepare_round",
    "preview",
    "round_of",
]


def auto_send_level(incident: Incident, channel: str) -> Severity:
    """The level auto-send weighs: the team's own channel hears the level the team is paged at, a
    customer channel the level customers are told of (`Classification.public_severity`), so neither a
    resemblance-only P0 nor a warning before impact reaches a customer without a person. While the on-call is
    asked about the level (`asks_confirmation`), a customer channel weighs the level below it, its floor: a
    one-click 'lower' can correct the status page, never a message already in customers' inboxes."""
    c = incident.classification
    if channel == Channel.SLACK_INTERNAL.value or c is None:
        return incident.severity or Severity.P3
    return max(c.public_severity, c.floor) if c.asks_confirmation else c.public_severity


def preview(subject: str | None, body: str, limit: int = 240) -> str:
    """What the approver is asked to send, in one line: the subject and the body's opening, so a
    decision can start in the room without opening the link."""
    flat = " ".join(f"{subject or ''} — {body}".split()).strip(" —")
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def enabled_channels(context: Context) -> set[Channel]:
    """Channels with somewhere to send to. (The status page is no comms channel: the CTO agent
    words its posts, and they go out directly.)"""
    settings = context.settings
    channels = {Channel.EMAIL, Channel.ENTERPRISE_EMAIL, Channel.SLACK_INTERNAL}
    if settings.discord_webhook_url:
        channels.add(Channel.DISCORD)
    if settings.x_bearer_token:
        channels.add(Channel.X)
    return channels


def approval_blocks(draft_id: int, text: str, body: str, link: str) -> list[dict[str, Any]]:
    """Slack Block Kit: the draft, and Approve / Reject buttons plus Edit (the web page). The Slack
    transport redacts and cuts the texts to Block Kit's limit (`tools.slack`)."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "section", "text": {"type": "plain_text", "text": body}},
        {
            "type": "actions",
            "block_id": f"draft-{draft_id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": "approve_draft",
                    "style": "primary",
                    "value": str(draft_id),
                    "text": {"type": "plain_text", "text": "Approve"},
                },
                {
                    "type": "button",
                    "action_id": "reject_draft",
                    "style": "danger",
                    "value": str(draft_id),
                    "text": {"type": "plain_text", "text": "Reject"},
                },
                {
                    "type": "button",
                    "action_id": "edit_draft",
                    "url": link,
                    "value": str(draft_id),
                    "text": {"type": "plain_text", "text": "Edit"},
                },
            ],
        },
    ]


def promised_next_update(conn: Connection, incident: Incident, label: str, cadence_minutes: float) -> datetime | None:
    """The "next update by" a round's messages promise: the update clock's next tick, or, for
    update n drafted ahead of its own tick, the tick after it. None without a running clock."""
    pending = pending_by_prefix(conn, keys.ticks(incident.id))
    parts = [(key.removeprefix(keys.ticks(incident.id)).split(":"), due) for key, due in pending]
    # the ticks themselves ("3:P0"), not the jobs hung on them ("3:P0:draft-ahead", "3:P0:remind")
    ticks = [(int(part[0]), due) for part, due in parts if len(part) == 2 and part[0].isdigit()]
    if not ticks:
        return None
    number, due = ticks[0]
    if label == f"update-{number}":
        return due + timedelta(minutes=cadence_minutes)
    return due


def first_round(conn: Connection, incident_id: int) -> str:
    """The round of the first message customers are owed: "initial", or "initial-k" the k-th time the
    incident reaches a level customers are told of. A person's lowering below those levels withdrew that
    round's undecided drafts for good, so a raise back owes the affected customers a first message again."""
    told, telling = 0, False
    for level in incidents.severities(conn, incident_id):
        told += level.pages_customers and not telling
        telling = level.pages_customers
    return "initial" if told <= 1 else f"initial-{told}"


def round_of(conn: Connection, draft_id: int) -> str | None:
    """The round a draft belongs to (initial, update-n, all-clear), from its key."""
    key = drafts.key_of(conn, draft_id)
    return key.split(":")[2] if key else None


class CommsFlow:
    def __init__(self, context: Context) -> None:
        self.context = context

    def register(self, scheduler: Scheduler) -> None:
        scheduler.register(JobKind.COMMS_PREPARE, self.handle_prepare)
        scheduler.register(JobKind.COMMS_REMINDER, self.handle_reminder)

    def handle_reminder(self, job: Job) -> None:
        """A minute before a promised update is due: customer drafts of that round still waiting
        for a human are named in the war room, with their approval links."""
        ctx = self.context
        incident_id, label = int(job.payload["incident_id"]), str(job.payload["label"])
        due = datetime.fromisoformat(job.payload["due"])
        now = ctx.clock.now()
        with ctx.engine.begin() as conn:
            incident = incidents.get_incident(conn, incident_id, with_timeline=False)
            if incident is None or incident.status is IncidentStatus.RESOLVED:
                return
            waiting = [
                d
                for d in drafts.list_drafts(
                    conn, incident_id=incident_id, states=[DraftState.PENDING, DraftState.BLOCKED]
                )
                if d.public and round_of(conn, d.id) == label
            ]
            if not waiting:
                return
            base = ctx.settings.public_url.rstrip("/")
            lines = [
                f"{d.channel} draft #{d.id} to {d.audience}: {base}/approve/{approval_token(ctx.secret_key, d.id, now)}"
                for d in waiting
            ]
            post_to_war_room(
                conn,
                key=keys.comms_reminder(incident_id, label),
                incident_id=incident_id,
                text=f"Customers were promised the next update by {due:%H:%M} UTC; still waiting for approval:\n"
                + "\n".join(lines),
                now=now,
            )

    def handle_prepare(self, job: Job) -> None:
        prepare_round(
            self.context, int(job.payload["incident_id"]), CommsKind(job.payload["kind"]), job.payload["label"]
        )


def prepare_round(ctx: Context, incident_id: int, kind: CommsKind, label: str, *, reword: bool = True) -> None:
    """Draft (or re-draft, while undecided) one round of comms: every enabled channel's draft for
    this moment, with the incident's facts as they are now. `reword=False` keeps the templates
    (no model call: a human is waiting on the answer)."""
    now = ctx.clock.now()
    with ctx.engine.connect() as conn:
        incident = incidents.get_incident(conn, incident_id)
        assert incident is not None
        if kind.value in WHILE_OPEN and incident.status is IncidentStatus.RESOLVED:
            return  # queued before the all-clear: "we're investigating" would be untrue now
        if kind is CommsKind.UPDATE and incident.severity is not Severity.P0:
            return  # drafted ahead, then the level was lowered: P1 updates are the page's
        tags = (incident.enrichment or {}).get("tags") or None
        promise = promised_next_update(
            conn, incident, label, ctx.settings.cadence_for(incident.severity or Severity.P3)
        )
        facts = incident_facts(conn, incident, ctx.settings, now=now, tags=tags, next_update=promise)
    quiet = kind is not CommsKind.RCA and not (incident.severity and incident.severity.pages_customers)
    if quiet:
        # No update clock runs below P1: promising "next update by …" would be a promise nobody keeps.
        facts = facts.model_copy(update={"next_update_at": None})
    cohort, checked = prepare_comms(facts, kind)
    if quiet:
        # Below P1 customers hear nothing, except an enterprise account that alone is hit: its
        # contacts are owed a notice at any level, and nobody else is told about it.
        if not one_account_only(facts, cohort):
            return
        checked = [c for c in checked if c.draft.channel is Channel.ENTERPRISE_EMAIL]
    notes: list[str] = []
    if ctx.model is not None and reword:
        checked = [_reworded(ctx, item, facts, notes) for item in checked]
    channels = enabled_channels(ctx)
    created: list[int] = []
    with ctx.engine.begin() as conn:
        # A first message again after a raise back goes only to whom no earlier round reached: its audience, or
        # for email, the people an earlier first message or update was sent to.
        told: dict[str, set[str]] = {}
        if kind is CommsKind.INITIAL:
            for (round_, tail), recipients in drafts.audiences_told(conn, incident_id, WHILE_OPEN).items():
                if round_ != label and round_.startswith(("initial", "update")):
                    told.setdefault(tail, set()).update(recipients)
        for item in checked:
            draft = item.draft
            if draft.channel not in channels or (
                draft.public and not draft.recipients and draft.channel in (Channel.EMAIL, Channel.ENTERPRISE_EMAIL)
            ):
                continue
            key = keys.draft(incident_id, label, draft.channel, draft.account)
            reached = told.get(key.split(":", 3)[3])
            if reached is not None:
                if not draft.recipients or not (rest := [r for r in draft.recipients if r not in reached]):
                    continue
                draft = draft.model_copy(update={"recipients": rest})
            if kind is CommsKind.INITIAL and draft.recipients:
                late = _late_joiners(conn, incident_id, label, draft)
                if late is None:
                    continue
                key, draft = late
            if draft.channel is Channel.EMAIL and len(draft.recipients) < len(item.draft.recipients):
                # an approver must not read "60 affected users" over a message that goes to the 7 not told yet
                part = f"{len(draft.recipients)} of {len(item.draft.recipients)}"
                draft = draft.model_copy(update={"audience": f"{part} affected users, not told yet"})
            written = incident.severity.value if incident.severity else None
            content = dict(
                audience=draft.audience,
                recipients=draft.recipients,
                subject=draft.subject,
                body=draft.body,
                facts_used=to_jsonable_python(draft.facts_used),
                problems=item.grounding.problems,
                state=(DraftState.PENDING if item.sendable else DraftState.BLOCKED).value,
                written_for=incident.severity.value if incident.severity else None,
            )
            draft_id, new = drafts.create_draft(
                conn,
                key=key,
                values=dict(
                    incident_id=incident_id,
                    kind=kind.value,
                    channel=draft.channel.value,
                    public=draft.public,
                    created_at=now,
                    **content,
                ),
            )
            if not new and drafts.refresh(conn, draft_id, content):
                # The waiting approval thread looks again: a draft held back while it was written
                # for another severity may now be current, and auto-send (where on) may release it.
                schedule(
                    conn,
                    key=keys.draft_wake(draft_id, f"refreshed-{keys.digest(draft.body + str(written))[:16]}"),
                    kind=JobKind.DRAFT_WAKE,
                    due_at=now,
                    payload={"draft_id": draft_id, "incident_id": incident_id},
                    lane=keys.draft_lane(draft_id),
                )
            if new:
                created.append(draft_id)
                if kind is CommsKind.RCA:
                    _track_rca(ctx, conn, facts, incident, draft, draft_id, now)
                if not ctx.settings.auto_sends(draft.channel.value, auto_send_level(incident, draft.channel.value)):
                    link = (
                        f"{ctx.settings.public_url.rstrip('/')}/approve/{approval_token(ctx.secret_key, draft_id, now)}"
                    )
                    state = (
                        "awaits approval"
                        if item.sendable
                        else f"is BLOCKED: {item.grounding.problems[0] if item.grounding.problems else 'facts check'}"
                    )
                    text = (
                        f"{draft.channel.value} draft #{draft_id} {state} ({draft.audience} as of "
                        f"{now:%H:%M} UTC; re-drafted with the current numbers until someone decides)\n"
                        f"> {preview(draft.subject, draft.body)}\n"
                        f"Approve or edit: {link}"
                    )
                    if quiet:
                        _ask_on_call(ctx, conn, incident, draft_id, text, now)
                    else:
                        post_to_war_room(
                            conn,
                            key=keys.approval_request(draft_id),
                            incident_id=incident_id,
                            text=text,
                            now=now,
                            blocks=approval_blocks(draft_id, text, draft.body, link),
                        )
                schedule(
                    conn,
                    key=keys.draft_start(draft_id),
                    kind=JobKind.DRAFT_START,
                    due_at=now,
                    payload={"draft_id": draft_id, "incident_id": incident_id},
                    lane=keys.draft_lane(draft_id),
                )
        if kind.value in WHILE_OPEN:
            withdraw_superseded(conn, incident_id, now)
        for note in dict.fromkeys(notes):
            incidents.add_timeline(
                conn, incident_id, now, TimelineKind.LLM, note, dedup_key=keys.llm_note(incident_id, label, note)
            )
        if created:
            incidents.add_timeline(
                conn,
                incident_id,
                now,
                TimelineKind.COMMS_DRAFTED,
                f"{len(created)} {kind.value.replace('_', '-')} draft{'s' if len(created) != 1 else ''} for "
                f"{cohort.description or 'the affected users'}" + (f" ({cohort.size} affected)" if cohort.size else ""),
                data={
                    "draft_ids": created,
                    "cohort": cohort.model_dump(
                        mode="json", exclude={"recipients": True, "accounts": {"__all__": {"contact_emails"}}}
                    ),
                },
                dedup_key=keys.comms_drafted(incident_id, label),
            )


DECIDED = frozenset({DraftState.APPROVED, DraftState.SENT, DraftState.REJECTED})
"""A first message someone decided on: its recipients were told (or a person chose not to tell them)."""


def _late_joiners(conn: Connection, incident_id: int, label: str, draft: Draft) -> tuple[str, Draft] | None:
    """Where this round's first message to these recipients was already decided (sent, approved or rejected),
    the people hit since get one of their own to approve (`<round>+k`, only them), re-drafted while undecided;
    None when there is nobody new. One a newer draft replaced is passed over without counting its recipients as
    told: its key cannot be drafted again, and nobody heard it (one withdrawn for the level or the all-clear
    still ends the round). The key and the draft to write."""
    base, reached, number = label.split("+")[0], set[str](), 0
    key = keys.draft(incident_id, label, draft.channel, draft.account)
    while (earlier := drafts.at_key(conn, key)) is not None and (earlier.state in DECIDED or was_replaced(earlier)):
        if earlier.state in DECIDED:
            reached.update(earlier.recipients)
        number += 1
        key = keys.draft(incident_id, f"{base}+{number}", draft.channel, draft.account)
    if not reached:
        return key, draft
    rest = [r for r in draft.recipients if r not in reached]
    return (key, draft.model_copy(update={"recipients": rest})) if rest else None


def _ask_on_call(ctx: Context, conn: Connection, incident: Incident, draft_id: int, text: str, now: datetime) -> None:
    """Below P1 there is no war room: the account notice's approval request goes to the on-call
    (or the first escalation contact with an address) by email."""
    if not ctx.settings.pageable:
        return  # the draft waits on the incident page and in /api/drafts
    person = ctx.settings.pageable[0]
    email_about(
        conn,
        key=keys.approval_request(draft_id),
        to=person.email,
        subject=f"[{incident.severity}] incident #{incident.id}: an enterprise notice awaits your approval",
        text=text,
        incident_id=incident.id,
        public_url=ctx.settings.public_url,
        now=now,
    )


def _track_rca(
    ctx: Context, conn: Connection, facts: IncidentFacts, incident: Incident, draft: Draft, draft_id: int, now: datetime
) -> None:
    """The RCA as an action item due by the account's SLA deadline, owned by the incident's
    commander (else the on-call), done when the RCA is sent."""
    account = next((a for a in facts.known_accounts if a.matches(draft.account)), None)
    due = rca_due(facts, account) if account else None
    if account is None or due is None:
        return
    action_items.create_item(
        conn,
        key=keys.rca_item(draft_id),
        values=dict(
            incident_id=incident.id,
            title=f"Send the root-cause analysis to {account.name} (draft #{draft_id})",
            owner=incident.commander or ctx.settings.on_call.name,
            due=due,
            priority=(incident.severity or Severity.P1).value,
            source=f"rca:{account.id}",
            created_at=now,
        ),
    )


_NOT_REWORDED = frozenset({Channel.SLACK_INTERNAL, Channel.ENTERPRISE_EMAIL})
"""The team's own summary carries internals (the alert's title, endpoints, cause notes) and the
enterprise notice names the account: neither goes to the model provider for wording."""


def _reworded(ctx: Context, item: CheckedDraft, facts: IncidentFacts, notes: list[str]) -> CheckedDraft:
    """The model may reword a template draft; the rewording must pass the same grounding check,
    or the template stands."""
    draft = item.draft
    if not item.sendable or ctx.model is None or draft.channel in _NOT_REWORDED:
        return item
    body, note = rewrite_draft(
        ctx.model,
        draft.body,
        facts,
        draft.channel.value,
        max_length(draft.channel),
    )
    if note:
        notes.append(note)
        return item
    candidate = draft.model_copy(update={"body": body})
    verdict = check_grounding(candidate, facts)
    if not verdict.ok:
        notes.append(
            f"LLM wording for {draft.channel.value} failed the facts check "
            f"({'; '.join(verdict.problems)[:200]}); the template stands"
        )
        return item
    return CheckedDraft(draft=candidate, grounding=verdict)
