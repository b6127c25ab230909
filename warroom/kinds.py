"""The kinds of work the scheduler runs, of effects the outbox sends and of entries the timeline
keeps: one home for each word. They are `StrEnum`s, so what is stored is the same string as
before (no rows to migrate) and a stored kind compares equal to its member."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["JobKind", "OutboxKind", "TimelineKind"]


class JobKind(StrEnum):
    """Scheduler jobs; each is registered by the flow or runner that handles it."""

    INCIDENT_START = "incident.start"
    INCIDENT_EVENT = "incident.event"
    INCIDENT_REASSESS = "incident.reassess"
    INCIDENT_ENRICH = "incident.enrich"
    ACK_DEADLINE = "incident.ack_deadline"
    UNRESOLVED_DEADLINE = "incident.unresolved"
    COMMS_PREPARE = "comms.prepare"
    COMMS_REMINDER = "comms.reminder"
    DRAFT_START = "draft.start"
    DRAFT_WAKE = "draft.wake"
    POSTMORTEM_DRAFT = "postmortem.draft"
    POSTMORTEM_DEADLINE = "postmortem.deadline"
    TICKETS_SYNC = "tickets.sync"
    DIGEST = "digest.weekly"
    RETENTION_PRUNE = "retention.raw_payloads"
    INVESTIGATION_START = "investigation.start"
    INVESTIGATION_STEP = "investigation.step"


class OutboxKind(StrEnum):
    """Outbox rows; the part before the dot is the family that may be ordered per incident."""

    STATUS_POST = "status_page.post"
    WAR_ROOM_OPEN = "war_room.open"
    WAR_ROOM_POST = "war_room.post"
    WAR_ROOM_CLOSE = "war_room.close"
    COMMS_EMAIL = "comms.email"
    COMMS_DISCORD = "comms.discord"
    COMMS_X = "comms.x"
    COMMS_WAR_ROOM = "comms.war_room"
    PAGE_EMAIL = "page.email"
    SLACK_REPLY = "slack.reply"
    POSTMORTEM_PUBLISH = "postmortem.publish"
    TRACKER_FILE = "tracker.file"
    SUBSCRIBER_EMAIL = "subscribers.email"
    DIGEST_SLACK = "digest.slack"

    @property
    def family(self) -> str:
        return self.value.split(".", 1)[0]


class TimelineKind(StrEnum):
    """Entries on an incident's timeline."""

    SEVERITY = "severity"
    LLM = "llm"
    STATUS_PAGE = "status_page"
    WAR_ROOM = "war_room"
    ENRICHMENT = "enrichment"
    SOURCE_RECOVERED = "source_recovered"
    NOTE = "note"
    ACKNOWLEDGED = "acknowledged"
    ESCALATION = "escalation"
    UPDATE = "update"
    COMMS_DRAFTED = "comms_drafted"
    COMMS_DECISION = "comms_decision"
    COMMS_SENT = "comms_sent"
    COMMS_ERROR = "comms_error"
    STAGE = "stage"
    RESOLVED = "resolved"
    POSTMORTEM = "postmortem"
    POSTMORTEM_OVERDUE = "postmortem_overdue"
    POSTMORTEM_PUBLISHED = "postmortem_published"
    ACTION_ITEM = "action_item"
    FINDING = "finding"
    FINDING_VERDICT = "finding_verdict"
    RECURRENCE = "recurrence"
