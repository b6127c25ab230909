"""Everything a generated incident leaves besides its alerts, in the shapes the running app
writes them (taken from a P0 worked through the real flows): the incident row, its timeline,
endpoint and user counts, drafts, war-room messages, status-page posts, the investigation's
finding, the postmortem and its action items, and the finished jobs and outbox rows.

How much each incident leaves follows its severity, as in the app: a P3 that closed itself is a
severity line and a resolution; a P0 is a war room, a status page, customer drafts, updates every
15 minutes, a postmortem with action items and some sixty jobs and sends.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench.year_alerts import AlertKey
from warroom import keys
from warroom.alerts.models import bounded_key, endpoint_words
from warroom.kinds import JobKind, OutboxKind, TimelineKind
from warroom.severity import Classification, Confidence, Evidence, Severity

__all__ = ["DRAFTS_PER_INCIDENT", "ITEMS_PER_INCIDENT", "Planned", "Rows", "records", "topic_key"]

Rows = Callable[[str, dict[str, Any]], None]
"""Where rows go: `(table, {column: value})`."""

DRAFTS_PER_INCIDENT = 32
ITEMS_PER_INCIDENT = 8
"""Draft and action-item ids are `incident id * N + n`, so a baseline holding only the last days
of the same year has the same ids as the year."""
PEOPLE = ("Dana Reyes", "Sam Okafor", "Ana Ortiz", "Lee Park", "Priya Nair")
CADENCE = {Severity.P0: 15, Severity.P1: 30}


@dataclass
class Planned:
    """One incident of the year, decided before any row is written."""

    id: int
    key: AlertKey
    severity: Severity
    opened_at: datetime
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None
    auto_resolved: bool
    acknowledged_at: datetime | None
    responder: str
    alerts: int
    users: int
    title: str
    dedup_key: str
    links: list[dict[str, str]]
    runbook_url: str | None
    first_alert_id: int
    reviewed: bool
    rng: random.Random = field(repr=False)

    @property
    def open(self) -> bool:
        return self.resolved_at is None

    @property
    def public(self) -> bool:
        return self.severity.pages_customers

    @property
    def endpoint(self) -> str | None:
        return self.key.topic.path if self.key.source == "sentry" else None

    @property
    def topic_key(self) -> str:
        """The correlation key of what is broken (`warroom.alerts.store.correlation_keys`)."""
        return topic_key(self.key)

    def draft_id(self, n: int) -> int:
        return self.id * DRAFTS_PER_INCIDENT + n

    def item_id(self, n: int) -> int:
        return self.id * ITEMS_PER_INCIDENT + n


def topic_key(key: AlertKey) -> str:
    topic = endpoint_words(key.topic.path)[0] if key.source == "sentry" else key.topic.service
    return bounded_key(f"svc:{topic}")


def _classification(p: Planned) -> Classification:
    topic = p.key.topic
    surface = "revenue access" if topic.critical else "feature"
    volume = "outage volume" if p.alerts >= 100 else "a handful of errors" if p.alerts < 10 else "a steady rate"
    reason = (
        f"a {'revenue or access path' if topic.critical else 'feature'} failing at {volume}: {topic.component.lower()}"
    )
    evidence = [
        Evidence(
            signal="surface", detail=f"{surface}: {topic.component.lower()}", rule="reader:surface", quote=topic.path
        ),
        Evidence(signal="state", detail="failing", rule="reader:state", quote=p.title[:44]),
        Evidence(signal="volume", detail=f"{p.alerts} events in the first minutes", rule="reader:warroom"),
        Evidence(signal="users", detail=f"{p.users} users affected", rule="reader:warroom"),
        Evidence(signal="environment", detail="production", rule="reader:environment", quote="production"),
        Evidence(signal="decision", detail=reason, points_to=p.severity, rule=f"table:{surface}:{volume}"),
    ]
    return Classification(
        severity=p.severity,
        reason=reason,
        evidence=evidence,
        floor=Severity.P3,
        rule=f"{surface} × {volume} × failing",
        confidence=Confidence.CONFIDENT if p.rng.random() < 0.85 else Confidence.UNCERTAIN,
        facts={
            "surface": surface,
            "state": "failing",
            "events": p.alerts,
            "users": p.users,
            "critical": topic.critical,
        },
    )


def incident_row(p: Planned, classification: Classification) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "service": p.key.topic.service,
        "dedup_key": p.dedup_key,
        "source": p.key.source,
        "status": "investigating" if p.open else "resolved",
        "severity": p.severity.value,
        "classification": classification.model_dump(mode="json"),
        "environment": "production",
        "level": "error" if p.key.source == "sentry" else p.key.alertname[2],
        "opened_at": p.opened_at,
        "first_seen": p.first_seen,
        "last_seen": p.last_seen,
        "event_count": p.alerts,
        "alert_count": p.alerts,
        "source_recovered_at": p.resolved_at if p.auto_resolved else None,
        "acknowledged_at": p.acknowledged_at,
        "resolved_at": p.resolved_at,
        "acknowledged_by": p.responder if p.acknowledged_at else None,
        "commander": p.responder if p.acknowledged_at or p.public else None,
        "escalation_level": 0,
        "reported_users": 0,
        "links": p.links,
        "runbook_url": p.runbook_url,
        "enrichment": None,
    }


class _Timeline:
    def __init__(self, p: Planned, rows: Rows) -> None:
        self.p, self.rows = p, rows

    def add(
        self,
        at: datetime,
        kind: TimelineKind,
        text: str,
        *,
        actor: str = "warroom",
        data: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> None:
        self.rows(
            "timeline_events",
            {
                "incident_id": self.p.id,
                "at": at,
                "kind": kind.value,
                "actor": actor,
                "text": text,
                "data": data or {},
                "dedup_key": key,
            },
        )


def _job(rows: Rows, p: Planned, key: str, kind: JobKind, due: datetime, payload: dict[str, Any] | None = None) -> None:
    """Done, or cancelled when it was still ahead: an open incident's pending jobs are left out, as
    its graph checkpoints are (the bench's server must not run a graph it has no thread for)."""
    ahead = p.resolved_at is None and due > p.opened_at + timedelta(minutes=5)
    rows(
        "jobs",
        {
            "key": key,
            "kind": kind.value,
            "lane": keys.incident_lane(p.id),
            "payload": {"incident_id": p.id, **(payload or {})},
            "state": "cancelled" if ahead else "done",
            "due_at": due,
            "lease_until": None,
            "lease_owner": None,
            "incident_id": p.id,
            "attempts": 0 if ahead else 1,
            "done_at": None if ahead else due + timedelta(milliseconds=p.rng.randint(20, 900)),
            "last_error": None,
        },
    )


def _send(
    rows: Rows, p: Planned, key: str, kind: OutboxKind, at: datetime, payload: dict[str, Any], result: Any
) -> None:
    rows(
        "outbox",
        {
            "idempotency_key": key,
            "kind": kind.value,
            "incident_id": p.id,
            "lane": keys.outbox_lane(p.id, kind.family),
            "payload": payload,
            "state": "sent",
            "attempts": 1,
            "created_at": at,
            "next_attempt_at": at,
            "lease_until": None,
            "lease_owner": None,
            "attempted_at": None,
            "sent_at": at + timedelta(milliseconds=p.rng.randint(30, 1500)),
            "last_error": None,
            "result": result,
        },
    )


def _minutes(delta: timedelta) -> int:
    return max(1, round(delta.total_seconds() / 60))


def records(p: Planned, rows: Rows, now: datetime) -> None:
    """Every row of `p` except its alerts."""
    classification = _classification(p)
    rows("incidents", incident_row(p, classification))
    timeline = _Timeline(p, rows)
    timeline.add(
        p.opened_at,
        TimelineKind.SEVERITY,
        f"Severity {p.severity.value}: {classification.reason}",
        actor="rules",
        data=classification.model_dump(mode="json"),
    )
    _job(rows, p, keys.incident_start(p.id), JobKind.INCIDENT_START, p.opened_at)
    for bit in range(2, min(p.alerts.bit_length(), 15) + 1):
        _job(rows, p, keys.reassess(p.id, f"count:{bit}"), JobKind.INCIDENT_REASSESS, p.opened_at)
    if p.endpoint:
        rows("incident_endpoints", {"incident_id": p.id, "endpoint": p.endpoint, "count": p.alerts})
    for n in range(p.users):
        rows(
            "incident_users",
            {
                "incident_id": p.id,
                "user_key": f"user-{p.id}-{n}",
                "email": f"user-{p.id}-{n}@customers.example.com",
                "account": "acme" if n % 20 == 7 else None,
            },
        )
    if p.open:
        for key in (p.dedup_key, p.topic_key):
            rows("incident_keys", {"key": key, "incident_id": p.id})
    if p.severity is not Severity.P3:
        _finding(p, rows, timeline)
    if p.public:
        _public_response(p, rows, timeline, now)
    elif p.acknowledged_at is not None:
        timeline.add(p.acknowledged_at, TimelineKind.ACKNOWLEDGED, f"Acknowledged by {p.responder}", actor=p.responder)
    if p.resolved_at is not None:
        _resolution(p, rows, timeline, now)


def _finding(p: Planned, rows: Rows, timeline: _Timeline) -> None:
    at = p.opened_at + timedelta(seconds=p.rng.randint(2, 40))
    hypothesis = (
        f"The errors come from {p.title[:200]} at {p.key.topic.module} in handle; no trigger found in the evidence yet."
    )
    finding = {
        "hypothesis": hypothesis,
        "confidence": "low",
        "claims": [
            {"text": f"The {p.key.source} alert reports {p.title[:200]}.", "citations": [f"alert:{p.first_alert_id}"]},
            {
                "text": f"{p.alerts} deliveries arrived in the first minutes.",
                "citations": [f"alert:{p.first_alert_id}"],
            },
        ],
        "next_checks": ["Compare the release the errors began with the one before it", "Read the runbook section"],
        "made_by": "rules",
        "model": None,
        "tool_calls": 0,
        "dropped": [],
        "evidence": {f"alert:{p.first_alert_id}": f"{p.key.source} alert at {p.first_seen:%H:%M} UTC: {p.title[:120]}"},
    }
    judged = p.rng.random() < 0.3 and p.resolved_at is not None
    rows(
        "findings",
        {
            "id": p.id,
            "key": f"incident:{p.id}:finding:rules",
            "incident_id": p.id,
            "made_by": "rules",
            "created_at": at,
            "finding": finding,
            "verdict": p.rng.choice(("right", "partly", "wrong")) if judged else None,
            "verdict_by": p.responder if judged else None,
            "verdict_at": p.resolved_at if judged else None,
            "verdict_note": None,
        },
    )
    timeline.add(
        at,
        TimelineKind.FINDING,
        f"AI hypothesis (first look by rules, low confidence): {hypothesis}",
        data={"finding_id": p.id, "made_by": "rules", "citations": [f"alert:{p.first_alert_id}"]},
        key=f"incident:{p.id}:finding:rules:timeline",
    )
    _job(rows, p, keys.investigate(p.id), JobKind.INVESTIGATION_START, p.opened_at)


def _public_response(p: Planned, rows: Rows, timeline: _Timeline, now: datetime) -> None:
    """A P0/P1: status page, war room, customer drafts, updates at the cadence, notes."""
    rng, t0 = p.rng, p.opened_at
    component = p.key.topic.component
    room = f"inc-{t0:%Y-%m-%d}-{component.lower().replace(' ', '-')}-is-failing"
    end = p.resolved_at or now
    rows(
        "page_incidents",
        {
            "id": p.id,
            "incident_id": p.id,
            "title": f"{component}: {'resolved' if p.resolved_at else 'investigating'}",
            "status": "resolved" if p.resolved_at else "investigating",
            "impact": "none" if p.resolved_at else "critical" if p.severity is Severity.P0 else "major",
            "created_at": t0,
            "updated_at": end,
            "resolved_at": p.resolved_at,
            "peak_impact": "critical" if p.severity is Severity.P0 else "major",
        },
    )
    outage = "major_outage" if p.severity is Severity.P0 else "partial_outage"
    rows("page_incident_components", {"page_incident_id": p.id, "name": component, "status": outage})
    rows("external_refs", {"incident_id": p.id, "system": "status_page:builtin", "ref": str(p.id)})
    rows("external_refs", {"incident_id": p.id, "system": "war_room", "ref": room})
    since = f"{p.first_seen:%H:%M} UTC"
    opening = f"We are investigating an issue: {component} is failing for some customers since {since}."
    _post(p, rows, timeline, t0, "investigating", opening, keys.status_opened(p.id))
    timeline.add(
        t0,
        TimelineKind.WAR_ROOM,
        f"War room {room} opened (builtin); {p.severity.value} · investigating · IC {p.responder}",
        data={"room": room, "members": []},
        key=keys.war_room_opened(p.id),
    )
    _send(
        rows,
        p,
        keys.war_room_opened(p.id),
        OutboxKind.WAR_ROOM_OPEN,
        t0,
        {"incident_id": p.id, "title": f"{component} is failing", "pins": p.links},
        {"room": room},
    )
    _room(
        p,
        rows,
        t0,
        f"Incident #{p.id}: {p.title}\nSeverity {p.severity.value}. Incident commander: {p.responder}. "
        "warroom is scribe and timekeeper.",
        f"incident:{p.id}:war_room:open:intro",
    )
    for n, link in enumerate(p.links):
        _room(p, rows, t0, f"{link['label']}: {link['url']}", f"incident:{p.id}:war_room:open:pin:{n}", pinned=True)
    timeline.add(
        t0,
        TimelineKind.ESCALATION,
        f"Paged {p.responder} (on-call) by email: {p.severity.value} {component} is failing",
        key=f"incident:{p.id}:escalate:open",
    )
    _send(
        rows,
        p,
        keys.page(f"incident:{p.id}:open", "email"),
        OutboxKind.PAGE_EMAIL,
        t0,
        {"to": "oncall@shop.example", "subject": f"[{p.severity.value}] {component} is failing"},
        {"message_id": f"<{p.id}@w>"},
    )
    _job(rows, p, keys.ack_deadline(p.id, p.severity, 0), JobKind.ACK_DEADLINE, t0 + timedelta(minutes=1), {"step": 0})
    if p.acknowledged_at is not None:
        timeline.add(
            p.acknowledged_at,
            TimelineKind.ACKNOWLEDGED,
            f"Acknowledged by {p.responder}",
            actor=p.responder,
            key=keys.acknowledged(p.id),
        )
    drafts = _Drafts(p, rows, timeline)
    drafts.round("initial", t0 + timedelta(seconds=rng.randint(5, 60)), end)
    notes = [
        (0.2, f"hypothesis: {p.key.exception[0]} after the {p.key.release} deploy"),
        (0.35, f"tried: restarted the {p.key.topic.service} workers, no change"),
        (0.5, f"cause: {p.key.exception[1][:80]} in {p.key.topic.module}"),
        (0.8, "fixed: rolled back the release"),
    ]
    span = end - t0
    for share, text in notes:
        at = t0 + span * share
        if at < end and rng.random() < 0.85:
            timeline.add(at, TimelineKind.NOTE, text, actor=p.responder)
            _room(p, rows, at, text, None, author=p.responder)
    for share, stage in ((0.5, "identified"), (0.8, "monitoring")):
        at = t0 + span * share
        if at < end:
            timeline.add(
                at, TimelineKind.STAGE, f"Stage: → {stage} ({p.responder})", actor=p.responder, data={"to": stage}
            )
    cadence = timedelta(minutes=CADENCE[p.severity])
    number, at = 1, t0 + cadence
    while at < end and number < 40:
        stage = "investigating" if at < t0 + span * 0.5 else "identified" if at < t0 + span * 0.8 else "monitoring"
        text = f"Update on {component}: status {stage}. Next update by {at + cadence:%H:%M} UTC."
        timeline.add(at, TimelineKind.UPDATE, text, key=f"incident:{p.id}:update:{number}")
        _room(p, rows, at, text, keys.war_room_update(p.id, number))
        _post(
            p,
            rows,
            timeline,
            at,
            stage,
            f"Update: {component} is failing for some customers since {since}. "
            f"Next update by {at + cadence:%H:%M} UTC.",
            keys.status_update(p.id, number),
        )
        _job(
            rows,
            p,
            keys.tick(p.id, number, p.severity),
            JobKind.INCIDENT_EVENT,
            at,
            {"event": {"type": "tick", "tick": number}},
        )
        _job(
            rows,
            p,
            f"{keys.tick(p.id, number, p.severity)}:draft-ahead",
            JobKind.COMMS_PREPARE,
            at - timedelta(minutes=5),
        )
        if p.severity is Severity.P0:
            drafts.round(f"update-{number}", at - timedelta(minutes=5), end)
        number, at = number + 1, at + cadence
    if p.resolved_at is not None:
        drafts.round("all-clear", p.resolved_at, now)
    _job(rows, p, keys.unresolved_deadline(p.id, p.severity), JobKind.UNRESOLVED_DEADLINE, t0 + timedelta(hours=2))


def _post(p: Planned, rows: Rows, timeline: _Timeline, at: datetime, status: str, body: str, key: str) -> None:
    rows("page_updates", {"page_incident_id": p.id, "status": status, "body": body, "at": at, "key": f"{key}:{p.id}"})
    timeline.add(
        at,
        TimelineKind.STATUS_PAGE,
        f"Status page ({status}): {body}",
        data={"pages": {"builtin": str(p.id)}, "status": status, "impact": "critical"},
        key=key,
    )
    _send(
        rows,
        p,
        key,
        OutboxKind.STATUS_POST,
        at,
        {"incident_id": p.id, "status": status, "body": body},
        {"builtin": str(p.id)},
    )


def _room(
    p: Planned, rows: Rows, at: datetime, text: str, key: str | None, *, author: str = "warroom", pinned: bool = False
) -> None:
    rows(
        "war_room_messages",
        {"incident_id": p.id, "at": at, "author": author, "text": text, "pinned": pinned, "external_id": key},
    )
    if key is not None and author == "warroom" and not pinned:
        _send(rows, p, key, OutboxKind.WAR_ROOM_POST, at, {"incident_id": p.id, "text": text}, None)


class _Drafts:
    """Customer email and the internal summary per round, decided as people decide them."""

    def __init__(self, p: Planned, rows: Rows, timeline: _Timeline) -> None:
        self.p, self.rows, self.timeline, self.count = p, rows, timeline, 0
        self.recipients = [f"user-{p.id}-{n}@customers.example.com" for n in range(min(p.users, 60))]

    def round(self, label: str, at: datetime, decided_by: datetime) -> None:
        p, rng = self.p, self.p.rng
        kind = "initial" if label == "initial" else "all_clear" if label == "all-clear" else "update"
        component = p.key.topic.component
        ids = []
        for channel in ("email", "slack_internal"):
            if self.count >= DRAFTS_PER_INCIDENT:
                return
            draft_id = p.draft_id(self.count)
            self.count += 1
            ids.append(draft_id)
            public = channel == "email"
            if not public:
                state, by, decided, sent = "sent", "warroom (auto-send threshold)", at, at
            elif kind == "update" and rng.random() < 0.5:
                state, by, decided, sent = "withdrawn", "warroom", at + timedelta(minutes=10), None
            elif decided_by - at > timedelta(minutes=3) or kind == "all_clear":
                later = at + timedelta(minutes=rng.randint(1, 12))
                state, by, decided, sent = "sent", p.responder, later, later
            else:
                state, by, decided, sent = "pending", None, None, None
            body = (
                f"Hi,\n\nYou're receiving this because you may have run into this problem: since {p.first_seen:%H:%M} UTC, "
                f"{component.lower()} has been failing for some users.\nWe're working on a fix.\n\n"
                f"We'll write again when it's resolved.\n\nWe're sorry for the trouble.\nThe Shop team"
                if public
                else f"*[{p.severity.value}] INC-{p.id}: {p.title[:120]}* ({kind} comms)\nService: {p.key.topic.service}\n"
                f"Impact: {p.alerts} events · {p.users} users"
            )
            self.rows(
                "drafts",
                {
                    "id": draft_id,
                    "key": f"incident:{p.id}:{label}:{channel}:-",
                    "incident_id": p.id,
                    "kind": kind,
                    "channel": channel,
                    "audience": f"{p.users} affected users" if public else "incident channel",
                    "recipients": self.recipients if public else [],
                    "subject": f"We know {component.lower()} isn't working for you"
                    if public
                    else f"[{p.severity.value}] INC-{p.id}",
                    "body": body,
                    "public": public,
                    "facts_used": {
                        "affected_thing": component.lower(),
                        "users_affected": p.users,
                        "status": "investigating",
                    },
                    "problems": [],
                    "state": state,
                    "created_at": at,
                    "decided_by": by,
                    "decided_at": decided,
                    "sent_at": sent,
                    "written_for": p.severity.value,
                    "withdrawn_reason": "a newer draft replaced it with newer facts" if state == "withdrawn" else None,
                },
            )
            self.rows(
                "jobs",
                {
                    "key": keys.draft_start(draft_id),
                    "kind": JobKind.DRAFT_START.value,
                    "lane": keys.draft_lane(draft_id),
                    "payload": {"draft_id": draft_id, "incident_id": p.id},
                    "state": "done",
                    "due_at": at,
                    "lease_until": None,
                    "lease_owner": None,
                    "incident_id": p.id,
                    "attempts": 1,
                    "done_at": at,
                    "last_error": None,
                },
            )
            if state == "sent":
                self.timeline.add(
                    decided or at,
                    TimelineKind.COMMS_DECISION,
                    f"{channel} draft #{draft_id} approved by {by}",
                    actor=by or "warroom",
                    data={"draft_id": draft_id, "decision": "approved", "edited": False},
                    key=f"draft:{draft_id}:decision",
                )
                self.timeline.add(
                    sent or at,
                    TimelineKind.COMMS_SENT,
                    f"{channel} draft #{draft_id} sent to {len(self.recipients) if public else 'the war room'}",
                    data={
                        "draft_id": draft_id,
                        "channel": channel,
                        "recipients": len(self.recipients) if public else None,
                    },
                    key=f"sent:draft:{draft_id}:send:",
                )
                for to in self.recipients if public else ["war-room"]:
                    _send(
                        self.rows,
                        p,
                        keys.draft_send(draft_id, to),
                        OutboxKind.COMMS_EMAIL if public else OutboxKind.COMMS_WAR_ROOM,
                        sent or at,
                        {"to": to, "draft_id": draft_id},
                        {"message_id": f"<{draft_id}.{to}>"},
                    )
        self.timeline.add(
            at,
            TimelineKind.COMMS_DRAFTED,
            f"{len(ids)} {kind.replace('_', '-')} drafts for {p.users} affected users",
            data={"draft_ids": ids},
            key=f"incident:{p.id}:{label}:drafted",
        )


def _resolution(p: Planned, rows: Rows, timeline: _Timeline, now: datetime) -> None:
    assert p.resolved_at is not None
    at = p.resolved_at
    if p.auto_resolved:
        timeline.add(
            at,
            TimelineKind.SOURCE_RECOVERED,
            f"{p.key.source} reports recovery: {p.title[:200]}",
            actor=p.key.source,
            key=keys.recovered_noted(f"{p.dedup_key}:recovered:{p.id}"),
        )
        timeline.add(
            at,
            TimelineKind.RESOLVED,
            f"Auto-resolved: {p.key.source} reports recovery and a {p.severity.value} closes itself",
            key=f"incident:{p.id}:resolved",
        )
    else:
        timeline.add(
            at, TimelineKind.RESOLVED, f"Resolved by {p.responder}", actor=p.responder, key=f"incident:{p.id}:resolved"
        )
    _job(rows, p, keys.resolve(p.id), JobKind.INCIDENT_EVENT, at, {"event": {"type": "resolve"}})
    if p.public:
        component = p.key.topic.component
        body = (
            f"Resolved: {component} is working normally again. It was affected from {p.first_seen:%H:%M} "
            f"to {at:%H:%M} UTC ({_minutes(at - p.first_seen)} minutes)."
        )
        _post(p, rows, timeline, at, "resolved", body, keys.status_resolved(p.id))
        _room(
            p,
            rows,
            at,
            f"Resolved after {_minutes(at - p.opened_at)} minutes. The room is archived.",
            keys.war_room_closed(p.id),
        )
    if p.public or (p.severity is Severity.P2 and p.rng.random() < 0.2):
        _postmortem(p, rows, timeline, now)


def _postmortem(p: Planned, rows: Rows, timeline: _Timeline, now: datetime) -> None:
    assert p.resolved_at is not None
    rng, at = p.rng, p.resolved_at
    minutes = _minutes(at - p.first_seen)
    component = p.key.topic.component
    title = f"{component} failed for {minutes} minutes"
    cause = f"{p.key.exception[1][:80]} in {p.key.topic.module}"
    markdown = _markdown(p, title, cause, minutes)
    data = {
        "incident_id": p.id,
        "title": title,
        "severity": p.severity.value,
        "service": p.key.topic.service,
        "summary": markdown.split("## Summary\n\n", 1)[1].split("\n", 1)[0],
        "impact": {"users_affected": p.users, "requests_affected": p.alerts, "duration": f"PT{minutes}M"},
        "root_cause": cause,
    }
    rows(
        "postmortem_versions",
        {
            "incident_id": p.id,
            "version": 1,
            "author": "warroom",
            "created_at": at,
            "markdown": markdown,
            "diff": "",
            "data": data,
            "blame_flags": [],
        },
    )
    items = rng.randint(2, 4)
    timeline.add(
        at,
        TimelineKind.POSTMORTEM,
        f"Postmortem draft v1 ready with {items} action items; review due by "
        f"{at + timedelta(days=1):%Y-%m-%d %H:%M} UTC",
        key=f"incident:{p.id}:postmortem:v1",
    )
    _job(rows, p, keys.postmortem_draft(p.id), JobKind.POSTMORTEM_DRAFT, at)
    _job(rows, p, keys.postmortem_deadline(p.id), JobKind.POSTMORTEM_DEADLINE, at + timedelta(days=1))
    reviewed_at = at + timedelta(hours=rng.uniform(3, 90))
    if p.reviewed and reviewed_at < now:
        edited = markdown.replace(
            "## What went well", f"## What went well\n\n- {p.responder} rolled back within minutes."
        )
        rows(
            "postmortem_versions",
            {
                "incident_id": p.id,
                "version": 2,
                "author": p.responder,
                "created_at": reviewed_at,
                "markdown": edited,
                "diff": f"+- {p.responder} rolled back within minutes.",
                "data": None,
                "blame_flags": [],
            },
        )
        if reviewed_at - at > timedelta(days=1):
            timeline.add(
                at + timedelta(days=1),
                TimelineKind.POSTMORTEM_OVERDUE,
                "Postmortem still in review after 24 hours",
                key=f"incident:{p.id}:postmortem:overdue",
            )
    elif at + timedelta(days=1) < now:
        timeline.add(
            at + timedelta(days=1),
            TimelineKind.POSTMORTEM_OVERDUE,
            "Postmortem still in review after 24 hours",
            key=f"incident:{p.id}:postmortem:overdue",
        )
    titles = [
        f"Fix the root cause and add a guard so it cannot recur: {cause}",
        f"Alert on {component.lower()} errors before customers notice",
        f"Add a runbook section for {p.key.exception[0]} in {p.key.topic.service}",
        "Get the first customer comms out within the 5-minute target",
    ]
    for n in range(items):
        item_id = p.item_id(n)
        due = at + timedelta(days=7 * (n + 1))
        if due < now - timedelta(days=30):
            status = rng.choices(("done", "canceled", "open", "in_progress"), (85, 5, 6, 4))[0]
        else:
            status = rng.choices(("open", "in_progress", "done"), (60, 30, 10))[0]
        completed = min(at + timedelta(days=rng.uniform(1, 7 * (n + 1) + 5)), now) if status == "done" else None
        rows(
            "action_items",
            {
                "id": item_id,
                "key": f"incident:{p.id}:action:{n + 1}",
                "incident_id": p.id,
                "title": titles[n],
                "owner": rng.choice(PEOPLE),
                "due": due,
                "priority": p.severity.value if n == 0 else "P2",
                "source": "root cause" if n == 0 else f"missed target: {n}",
                "status": status,
                "tracker_ref": f"AI-{item_id} http://127.0.0.1:8000/incidents/{p.id}#action-item-{item_id}",
                "created_at": at,
                "completed_at": completed,
            },
        )
        timeline.add(
            at,
            TimelineKind.ACTION_ITEM,
            f"Action item filed in builtin as AI-{item_id}: {titles[n]}",
            data={"action_item_id": item_id},
            key=f"file:incident:{p.id}:action:{n + 1}",
        )
        _send(
            rows,
            p,
            keys.ticket_filed(f"incident:{p.id}:action:{n + 1}"),
            OutboxKind.TRACKER_FILE,
            at,
            {"action_item_key": f"incident:{p.id}:action:{n + 1}"},
            {"ticket_id": str(item_id), "identifier": f"AI-{item_id}"},
        )
        if completed is not None:
            timeline.add(
                completed,
                TimelineKind.ACTION_ITEM,
                f"AI-{item_id} ({titles[n][:60]}) is done in builtin",
                data={"action_item_id": item_id, "state": "done"},
            )


def _markdown(p: Planned, title: str, cause: str, minutes: int) -> str:
    at = p.resolved_at or p.opened_at
    component = p.key.topic.component
    rows = "\n".join(
        f"| T{n + 1} | {(p.opened_at + timedelta(minutes=n * minutes / 12)):%H:%M} UTC | incident | warroom | {text} |"
        for n, text in enumerate(
            [
                "alert opened the incident",
                f"severity {p.severity.value}",
                "status page: investigating",
                "war room opened",
                "acknowledged",
                "hypothesis noted",
                "first customer email sent",
                "cause identified",
                "fix deployed",
                "monitoring",
                "resolved",
                "postmortem drafted",
            ]
        )
    )
    return f"""# Postmortem: {title}

Incident #{p.id} · severity {p.severity.value} · service {p.key.topic.service} · {at:%d %B %Y}

_Blameless draft: it describes systems and decisions, not people. Names appear only as owners of action items._

## Summary

{title} ({p.severity.value}), from {p.first_seen:%H:%M} to {at:%H:%M} UTC on {at:%d %B %Y}. {p.users} users and {p.alerts} requests were affected. Cause: {cause}.

## Impact

| measure | value |
|---|---|
| Duration (first error → resolution) | {minutes} minutes |
| Users affected | {p.users} |
| Requests affected | {p.alerts} |

## Timeline

| # | time | source | who | what |
|---|---|---|---|---|
{rows}

## Root cause

{cause}. {component} depends on it for every request, so every request failed until the rollback.

## Five whys

1. Why did {component.lower()} fail? {p.title[:200]}.
2. Why was that raised? {cause}.
3. Why did the release carry it? The change was not covered by a test of this path.
4. Why was it not caught in staging? Staging does not exercise {p.key.topic.path} with real carts.
5. Open question: what would have caught it before customers did?

## What went well

- The alert opened the incident within a minute of the first error.

## What could be better

- The first customer message took longer than the 5-minute target.

## Action items

See the action items below; each has an owner and a due date.
"""
