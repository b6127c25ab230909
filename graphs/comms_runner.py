"""Drafting comms for an incident and running each draft's approval thread.

Scheduler jobs: `comms.prepare` (draft every channel for one moment of the incident: initial,
update n, all-clear; run again when the facts grow, it refreshes drafts nobody has decided on
yet), `draft.start` and `draft.wake` (run or resume a draft's thread).
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command
from pydantic_core import to_jsonable_python

from agents.refine import rewrite_draft
from agents.support import (
    CheckedDraft,
    CommsKind,
    IncidentFacts,
    check_grounding,
    prepare_comms,
)
from graphs.approvals import approval_token
from graphs.comms import build_comms_graph, comms_thread
from graphs.crashpoints import with_crash_points
from graphs.effects import post_to_war_room
from graphs.facts import incident_facts
from graphs.state import Context
from warroom.drafts import store as drafts
from warroom.drafts.models import DraftState
from warroom.incidents import store as incidents
from warroom.scheduler.store import Job, schedule
from warroom.severity import Severity

__all__ = ["CommsRunner", "enabled_channels"]


def enabled_channels(context: Context) -> set[str]:
    """Channels with somewhere to send to. The status page is the CTO agent's, posted directly."""
    settings = context.settings
    channels = {"email", "enterprise_email", "slack_internal"}
    if settings.discord_webhook_url:
        channels.add("discord")
    if settings.x_bearer_token:
        channels.add("x")
    return channels


def approval_blocks(draft_id: int, text: str, body: str, link: str) -> list[dict[str, Any]]:
    """Slack Block Kit: the draft, and Approve / Reject buttons plus Edit (the web page)."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}},
        {"type": "section", "text": {"type": "plain_text", "text": body[:3000]}},
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


class CommsRunner:
    def __init__(self, context: Context, checkpointer: BaseCheckpointSaver[Any]) -> None:
        self.context = context
        self.graph = build_comms_graph(checkpointer)

    def handle_prepare(self, job: Job) -> None:
        ctx = self.context
        incident_id, kind, label = int(job.payload["incident_id"]), CommsKind(job.payload["kind"]), job.payload["label"]
        now = ctx.clock.now()
        with ctx.engine.connect() as conn:
            incident = incidents.get_incident(conn, incident_id)
            assert incident is not None
            tags = (incident.enrichment or {}).get("tags") or None
            facts = incident_facts(conn, incident, ctx.settings, now=now, tags=tags)
        cohort, checked = prepare_comms(facts, kind)
        notes: list[str] = []
        if ctx.model is not None:
            checked = [self._reworded(item, facts, notes) for item in checked]
        channels = enabled_channels(ctx)
        created: list[int] = []
        with ctx.engine.begin() as conn:
            for item in checked:
                draft = item.draft
                if draft.channel.value not in channels or (
                    draft.public and not draft.recipients and draft.channel.value in ("email", "enterprise_email")
                ):
                    continue
                key = f"incident:{incident_id}:{label}:{draft.channel.value}:{draft.account or '-'}"
                content = dict(
                    audience=draft.audience,
                    recipients=draft.recipients,
                    subject=draft.subject,
                    body=draft.body,
                    facts_used=to_jsonable_python(draft.facts_used),
                    problems=item.grounding.problems,
                    state=(DraftState.PENDING if item.sendable else DraftState.BLOCKED).value,
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
                if not new:
                    drafts.refresh(conn, draft_id, content)
                if new:
                    created.append(draft_id)
                    if not ctx.settings.auto_sends(draft.channel.value, incident.severity or Severity.P3):
                        link = f"{ctx.settings.public_url.rstrip('/')}/approve/{approval_token(ctx.secret_key, draft_id, now)}"
                        state = "awaits approval" if item.sendable else "is BLOCKED (failed the facts check)"
                        text = f"{draft.channel.value} draft #{draft_id} to {draft.audience} {state}: {link}"
                        post_to_war_room(
                            conn,
                            key=f"draft:{draft_id}:request",
                            incident_id=incident_id,
                            text=text,
                            now=now,
                            blocks=approval_blocks(draft_id, text, draft.body, link),
                        )
                    schedule(
                        conn,
                        key=f"draft:{draft_id}:start",
                        kind="draft.start",
                        due_at=now,
                        payload={"draft_id": draft_id},
                        lane=f"draft:{draft_id}",
                    )
            for note in dict.fromkeys(notes):
                incidents.add_timeline(
                    conn, incident_id, now, "llm", note, dedup_key=f"incident:{incident_id}:{label}:llm:{note[:80]}"
                )
            if created:
                incidents.add_timeline(
                    conn,
                    incident_id,
                    now,
                    "comms_drafted",
                    f"{len(created)} {kind.value.replace('_', '-')} drafts for "
                    f"{cohort.description or 'the affected users'} ({cohort.size} affected)",
                    data={"draft_ids": created, "cohort": cohort.model_dump(mode="json")},
                    dedup_key=f"incident:{incident_id}:{label}:drafted",
                )

    def _reworded(self, item: CheckedDraft, facts: IncidentFacts, notes: list[str]) -> CheckedDraft:
        """The model may reword a template draft; the rewording must pass the same grounding check,
        or the template stands."""
        draft = item.draft
        if not item.sendable or self.context.model is None:
            return item
        limit = 280 if draft.channel.value == "x" else 2000 if draft.channel.value == "discord" else None
        body, note = rewrite_draft(
            self.context.model, draft.body, facts.model_dump(mode="json"), draft.channel.value, limit
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

    def handle_start(self, job: Job) -> None:
        config = with_crash_points(comms_thread(int(job.payload["draft_id"])), "comms")
        if self.graph.get_state(config).values:
            return
        self.graph.invoke({"draft_id": int(job.payload["draft_id"])}, config, context=self.context, durability="sync")

    def handle_wake(self, job: Job) -> None:
        config = with_crash_points(comms_thread(int(job.payload["draft_id"])), "comms")
        if "wait" not in self.graph.get_state(config).next:
            return
        self.graph.invoke(Command(resume={"decided": True}), config, context=self.context, durability="sync")
