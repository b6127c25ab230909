"""Every key that makes a repeated step a no-op or keeps work in order, in one place.

Job keys (the scheduler), idempotency keys (the outbox), timeline dedup keys, draft and
action-item keys, war-room message ids, and lanes. Two promises hold for all of them:

- Built from ids and stored facts only, never from the clock: a node replayed after a crash,
  or an `interrupt` resume, computes exactly the key it computed the first time.
- Outside text (an email address, an account name, a model's note, a Slack id, a caller's key)
  enters a key only as `digest()`, a sha256 hex digest behind a readable prefix, so every key
  fits its column (timeline dedup, drafts, action items, war-room ids: 255; jobs and outbox:
  512; lanes: 128). Names an alert's normaliser already bounded (its source) stay readable.

`ticks` and `escalations` are prefixes, for `warroom.scheduler.store.cancel`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from warroom.severity import Severity

__all__ = [
    "SLACK_CHANNEL_REF",
    "NOTION_REF",
    "WAR_ROOM_REF",
    "ack_deadline",
    "acknowledged",
    "action_item",
    "ticket_filed",
    "tickets_sync",
    "weekly_digest",
    "raw_payload_prune",
    "action_item_comment",
    "action_item_done",
    "all_clear_comms",
    "approval_request",
    "comms_drafted",
    "comms_lane",
    "comms_reminder",
    "digest",
    "draft",
    "draft_cancelled",
    "draft_decision",
    "draft_held",
    "draft_lane",
    "draft_send",
    "draft_sends",
    "draft_start",
    "draft_unsendable",
    "draft_wake",
    "draft_withdrawn",
    "enrich",
    "enrich_lane",
    "enriched",
    "escalation_step",
    "escalations",
    "finding",
    "finding_noted",
    "finding_posted",
    "incident_lane",
    "incident_resolved",
    "incident_start",
    "investigate",
    "investigation_lane",
    "investigation_note",
    "investigation_step",
    "initial_comms",
    "account_notice",
    "stage_changed",
    "stage_comms",
    "initial_comms_enriched",
    "initial_comms_settled",
    "llm_note",
    "outbox_lane",
    "page",
    "postmortem_deadline",
    "postmortem_draft",
    "postmortem_drafted",
    "postmortem_lane",
    "postmortem_overdue",
    "postmortem_publish",
    "postmortem_published",
    "rca_comms",
    "rca_item",
    "reassess",
    "recurrence",
    "recovered",
    "recovered_noted",
    "resolve",
    "room_intro",
    "room_pin",
    "sent",
    "severity_change",
    "slack_message",
    "slack_reply",
    "status_held",
    "status_opened",
    "status_page_ref",
    "status_raised",
    "status_resolved",
    "status_unheld",
    "status_update",
    "tick",
    "ticks",
    "unresolved_deadline",
    "update_comms",
    "update_noted",
    "war_room_closed",
    "war_room_opened",
    "war_room_raised",
    "war_room_recurrence",
    "war_room_severity_question",
    "war_room_update",
]


def digest(text: str) -> str:
    """Outside text as a fixed-length part of a key (64 hex characters)."""
    return hashlib.sha256(text.encode()).hexdigest()


def _incident(incident_id: int, *parts: object) -> str:
    return ":".join(["incident", str(incident_id), *map(str, parts)])


def _draft(draft_id: int, *parts: object) -> str:
    return ":".join(["draft", str(draft_id), *map(str, parts)])


# --- lanes: work in one lane runs one at a time, in order ------------------------------------


def incident_lane(incident_id: int) -> str:
    """The incident's graph: one event at a time."""
    return _incident(incident_id)


def comms_lane(incident_id: int) -> str:
    return _incident(incident_id, "comms")


def enrich_lane(incident_id: int) -> str:
    return _incident(incident_id, "enrich")


def postmortem_lane(incident_id: int) -> str:
    return _incident(incident_id, "postmortem")


def investigation_lane(incident_id: int) -> str:
    """The incident's investigation: one model turn at a time."""
    return _incident(incident_id, "investigation")


def draft_lane(draft_id: int) -> str:
    return _draft(draft_id)


def outbox_lane(incident_id: int, family: str) -> str:
    """One incident's status page, or its war room: posts go out in the order enqueued."""
    return _incident(incident_id, family)


# --- scheduler jobs ----------------------------------------------------------------------------


def incident_start(incident_id: int) -> str:
    return _incident(incident_id, "start")


def reassess(incident_id: int, reason: str) -> str:
    """`reason` says what changed: `joined:<source>`, `count:<bits>`, `enriched`."""
    return _incident(incident_id, "reassess", reason)


def recovered(incident_id: int, delivery_key: str) -> str:
    """The source's recovery signal, once per delivery."""
    return _incident(incident_id, "recovered", digest(delivery_key))


def enrich(incident_id: int) -> str:
    return _incident(incident_id, "enrich")


def ticks(incident_id: int) -> str:
    return _incident(incident_id, "tick") + ":"


def tick(incident_id: int, number: int, severity: Severity, again: int = 0) -> str:
    """Update `number` at `severity`: a raise cancels the pending tick and schedules the same
    number at the new level, which is a new key. `again`: restarted by the page's `again`th correction, a new
    key too (the same number at the same level may have been scheduled and cancelled before); still one
    segment after the number, so the tick's own jobs (`<tick>:draft-ahead`) stay told apart."""
    return ticks(incident_id) + f"{number}:{severity}" + (f"-r{again}" if again else "")


def escalations(incident_id: int) -> str:
    return _incident(incident_id, "escalate") + ":"


def ack_deadline(incident_id: int, severity: Severity, step: int) -> str:
    return escalations(incident_id) + f"ack:{severity}:{step}"


def on_call_page(incident_id: int, severity: str) -> str:
    """The page sent when the incident opens (or is raised) at `severity`."""
    return escalations(incident_id) + f"open:{severity}"


def unresolved_deadline(incident_id: int, severity: Severity) -> str:
    return escalations(incident_id) + f"unresolved:{severity}"


def initial_comms(incident_id: int, severity: Severity, scale: int, label: str = "initial") -> str:
    """The first round of drafts (`label`: initial, or initial-k once raised back to a level customers are
    told of), again each time the severity or the storm's size (`scale`, the event count's bit length) changes."""
    return _incident(incident_id, "comms", label, severity, scale)


def account_notice(incident_id: int, scale: int, label: str = "account") -> str:
    """A P2's notice to the one enterprise account it hits (`label`: account, or account-k once a raise replaced
    it), again as the storm grows."""
    return _incident(incident_id, "comms", label, scale)


def initial_comms_settled(incident_id: int, event_count: int, label: str = "initial") -> str:
    """The first drafts once more after the storm quiets, at the count they were asked at."""
    return _incident(incident_id, "comms", label, "settle", event_count)


def initial_comms_enriched(incident_id: int) -> str:
    return _incident(incident_id, "comms", "initial", "enriched")


def comms_reminder(incident_id: int, label: str) -> str:
    return _incident(incident_id, "comms", label, "reminder")


def stage_comms(incident_id: int, label: str, stage: str) -> str:
    """A round's undecided drafts re-drafted once when the incident reaches `stage`."""
    return _incident(incident_id, "comms", label, "stage", stage)


def stage_changed(incident_id: int, stage: str) -> str:
    return _incident(incident_id, "stage", stage)


def update_comms(incident_id: int, number: int) -> str:
    return _incident(incident_id, "comms", "update", number)


def all_clear_comms(incident_id: int) -> str:
    return _incident(incident_id, "comms", "all_clear")


def rca_comms(incident_id: int) -> str:
    """The enterprise accounts' root-cause analyses, once the postmortem is drafted."""
    return _incident(incident_id, "comms", "rca")


def investigate(incident_id: int) -> str:
    """The investigation, started once, by the first triage at P0–P2."""
    return _incident(incident_id, "investigate")


def investigation_step(incident_id: int, turn: int) -> str:
    """The model's next turn; `turn` is how many messages the conversation holds before it."""
    return _incident(incident_id, "investigate", "step", turn)


def postmortem_draft(incident_id: int) -> str:
    return _incident(incident_id, "postmortem")


def postmortem_deadline(incident_id: int) -> str:
    return _incident(incident_id, "postmortem", "deadline")


def draft_start(draft_id: int) -> str:
    return _draft(draft_id, "start")


def draft_wake(draft_id: int, decision: str) -> str:
    return _draft(draft_id, "wake", decision)


def resolve(incident_id: int) -> str:
    """One resolution, however many doors ask for it."""
    return _incident(incident_id, "resolve")


def severity_change(incident_id: int, after: int, severity: Severity) -> str:
    """A human's level, set after `after` severity entries on the timeline: the same click
    twice is one change, a new level or a later change is another."""
    return _incident(incident_id, "severity", after, severity)


# --- outbox rows -------------------------------------------------------------------------------


def status_held(incident_id: int) -> str:
    """The public page kept quiet: only one enterprise account is affected."""
    return _incident(incident_id, "status", "held")


def status_unheld(incident_id: int) -> str:
    return _incident(incident_id, "status", "unheld")


def status_opened(incident_id: int) -> str:
    return _incident(incident_id, "status", "open")


def status_raised(incident_id: int, severity: Severity) -> str:
    return _incident(incident_id, "status", severity)


def status_restated(incident_id: int, count: int) -> str:
    """The page's `count`th correction to a level decided after it spoke (raised or, by a person, lowered)."""
    return _incident(incident_id, "status", "restated", count)


def status_update(incident_id: int, number: int) -> str:
    return _incident(incident_id, "status", "tick", number)


def status_resolved(incident_id: int) -> str:
    return _incident(incident_id, "status", "resolved")


def war_room_opened(incident_id: int) -> str:
    return _incident(incident_id, "war_room", "open")


def note_echo(incident_id: int, at: datetime, author: str, text: str) -> str:
    """A note's echo in the war room: one per note (same author, moment and words)."""
    digest = hashlib.sha256(f"{author}\n{text}".encode()).hexdigest()[:16]
    return _incident(incident_id, "war_room", "note", at.isoformat(), digest)


def war_room_restated(incident_id: int, count: int) -> str:
    return _incident(incident_id, "war_room", "restated", count)


def war_room_raised(incident_id: int, severity: Severity) -> str:
    return _incident(incident_id, "war_room", "severity", severity)


def war_room_severity_question(incident_id: int, severity: Severity) -> str:
    """The rules' question about an uncertain level, asked once per level."""
    return _incident(incident_id, "war_room", "severity_question", severity)


def war_room_question_settled(incident_id: int, severity: Severity) -> str:
    """The room's word that the question about that level is answered or overtaken, once per level asked."""
    return _incident(incident_id, "war_room", "severity_question_settled", severity)


def war_room_recurrence(incident_id: int) -> str:
    """The recurrence guard's message: once per incident, whenever the room opens."""
    return _incident(incident_id, "war_room", "recurrence")


def war_room_update(incident_id: int, number: int) -> str:
    return _incident(incident_id, "war_room", "update", number)


def war_room_closed(incident_id: int) -> str:
    return _incident(incident_id, "war_room", "close")


def postmortem_publish(incident_id: int, version: int) -> str:
    """Publishing the postmortem once its `version` is saved (the page then shows the latest)."""
    return _incident(incident_id, "postmortem", "publish", f"v{version}")


def finding_posted(finding_key: str) -> str:
    """A finding's message in the war room."""
    return f"{finding_key}:war_room"


def approval_request(draft_id: int) -> str:
    return _draft(draft_id, "request")


def escalation_step(job_key: str, person: int) -> str:
    """The n-th person a job pages (everyone at once, when an incident stays unresolved)."""
    return f"{job_key}:{person}"


def page(step: str, channel: str) -> str:
    """One escalation step's page on one channel (`room`, `email`); `step` is the job's key."""
    return f"{step}:{channel}"


def draft_sends(draft_id: int) -> str:
    """Every recipient's row of one draft (a prefix)."""
    return _draft(draft_id, "send") + ":"


def draft_send(draft_id: int, to: str) -> str:
    """One approved draft to one recipient (an address, or the channel itself)."""
    return draft_sends(draft_id) + digest(to)


def slack_reply(*origin: str) -> str:
    """A private reply to what one Slack click or message (`origin`: its ids) asked for."""
    return "slack:reply:" + digest(":".join(origin))


# --- timeline entries: each recorded once ------------------------------------------------------


def acknowledged(incident_id: int) -> str:
    return _incident(incident_id, "acknowledged")


def incident_resolved(incident_id: int) -> str:
    return _incident(incident_id, "resolved")


def enriched(incident_id: int) -> str:
    return _incident(incident_id, "enriched")


def recurrence(incident_id: int) -> str:
    """The recurrence guard's timeline line: once per incident, when it is first triaged."""
    return _incident(incident_id, "recurrence")


def update_noted(incident_id: int, number: int) -> str:
    return _incident(incident_id, "update", number)


def recovered_noted(delivery_key: str) -> str:
    return f"recovered:{digest(delivery_key)}"


def comms_drafted(incident_id: int, label: str) -> str:
    return _incident(incident_id, label, "drafted")


def llm_note(incident_id: int, label: str, note: str) -> str:
    return _incident(incident_id, label, "llm", digest(note))


def draft_decision(draft_id: int) -> str:
    return _draft(draft_id, "decision")


def draft_held(draft_id: int) -> str:
    return _draft(draft_id, "held")


def draft_cancelled(draft_id: int) -> str:
    return _draft(draft_id, "cancelled")


def draft_withdrawn(draft_id: int) -> str:
    """The one timeline entry that says a draft was withdrawn (or its last sends cancelled)."""
    return _draft(draft_id, "withdrawn")


def draft_unsendable(draft_id: int) -> str:
    return _draft(draft_id, "nosender")


def sent(outbox_key: str) -> str:
    """A message's "sent" entry, once per outbox row (whose keys this module keeps short)."""
    return f"sent:{outbox_key}"


def postmortem_drafted(incident_id: int) -> str:
    return _incident(incident_id, "postmortem", "v1")


def postmortem_overdue(incident_id: int) -> str:
    return _incident(incident_id, "postmortem", "overdue")


def postmortem_published(incident_id: int) -> str:
    return _incident(incident_id, "postmortem", "published")


def finding_noted(finding_key: str) -> str:
    return f"{finding_key}:timeline"


def investigation_note(incident_id: int, outcome: str) -> str:
    """Why the model's investigation added nothing (`outcome`: gave_up, rejected), once."""
    return _incident(incident_id, "investigation", outcome)


def action_item_done(item_id: int) -> str:
    return f"action_item:{item_id}:done"


def action_item_comment(item_id: int, key: str) -> str:
    return f"action-item:{item_id}:comment:{digest(key)}"


# --- external references: an incident's id in another system --------------------------------

SLACK_CHANNEL_REF = "slack:channel"
"""The incident's Slack channel (how a Slack message finds its incident)."""

WAR_ROOM_REF = "war_room"
"""The incident's room in whichever war room is configured."""

NOTION_REF = "notion"
"""The incident's postmortem page in Notion."""


def status_page_ref(page: str) -> str:
    """The incident's id on one status page (`builtin`, `statuspage`, `instatus`)."""
    return f"status_page:{page}"


# --- rows keyed by what they are for -----------------------------------------------------------


def draft(incident_id: int, label: str, channel: str, account: str | None) -> str:
    """One channel's draft for one moment (`label`: initial, update-n, all-clear) and audience."""
    return _incident(incident_id, label, channel, digest(account) if account else "-")


def tickets_sync(slot: int) -> str:
    """The ticket-state sync of one interval (`slot`: its number since the epoch)."""
    return f"tickets:sync:{slot}"


def weekly_digest(monday: str) -> str:
    return f"digest:{monday}"


def raw_payload_prune(due: datetime) -> str:
    """The retention run due at `due` (a whole hour, or a continuation a moment after a full run)."""
    return f"retention:raw:{due.isoformat()}"


def ticket_filed(action_item_key: str) -> str:
    """Filing one action item in the tracker (the outbox row), and its timeline entry."""
    return f"file:{action_item_key}"


def action_item(incident_id: int, number: int) -> str:
    return _incident(incident_id, "action", number)


def rca_item(draft_id: int) -> str:
    """The action item that tracks an RCA draft until it is sent."""
    return _draft(draft_id, "rca")


def finding(incident_id: int, made_by: str) -> str:
    """One finding per author (`rules`, `model`) per incident."""
    return _incident(incident_id, "finding", made_by)


def room_intro(open_key: str) -> str:
    return f"{open_key}:intro"


def room_pin(open_key: str, number: int) -> str:
    return f"{open_key}:pin:{number}"


def slack_message(channel: str, ts: str) -> str:
    """A Slack message mirrored into the built-in room, once."""
    return "slack:" + digest(f"{channel}:{ts}")
