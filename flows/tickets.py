"""The COO's follow-through: the states of filed tickets read back from the tracker, on a
schedule (`ticket_sync_minutes`, while any filed item is still open) and on demand, each change
on its incident's timeline; and the weekly digest, mailed to the on-call on Monday morning.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection

from agents.coo.digest import TIMELINE_KINDS, Digest, month_window, week_window, weekly_digest
from agents.coo.owners import owner_email
from agents.coo.trends import Trend, weekly_trend
from flows.context import Context
from tools.tracker.port import Tracker
from warroom import keys
from warroom.action_items import store as action_items
from warroom.action_items.store import TicketState
from warroom.action_items.tally import ItemTally, filed_and_closed, tally
from warroom.drafts import store as drafts
from warroom.drafts.models import DraftRecord
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident
from warroom.incidents.store import IncidentRef
from warroom.kinds import JobKind, OutboxKind, TimelineKind
from warroom.outbox.store import enqueue, sent_result
from warroom.postmortems import store as postmortems
from warroom.postmortems.store import VersionMark
from warroom.scheduler.engine import Scheduler
from warroom.scheduler.store import Job, schedule

__all__ = [
    "SyncResult",
    "TicketFlow",
    "build_digest",
    "build_trend",
    "chase",
    "file_item",
    "last_week",
    "schedule_digest",
    "schedule_sync",
    "sync_tickets",
]

OPEN = (TicketState.OPEN, TicketState.IN_PROGRESS)


class SyncResult(BaseModel):
    checked: int
    changed: int


def schedule_sync(conn: Connection, interval_minutes: float, now: datetime) -> None:
    """The next sync, one per interval however many items ask for it."""
    interval = interval_minutes * 60
    slot = int(now.timestamp() // interval) + 1
    schedule(
        conn,
        key=keys.tickets_sync(slot),
        kind=JobKind.TICKETS_SYNC,
        due_at=datetime.fromtimestamp(slot * interval, tz=now.tzinfo),
        payload={},
    )


def sync_tickets(ctx: Context, tracker: Tracker) -> SyncResult:
    """One batched read of every open filed item's ticket; a change of state is written with a
    timeline entry. Items the tracker no longer returns are left as they are."""
    with ctx.engine.connect() as conn:
        tracked = {}
        for item in action_items.list_items(conn):
            if item.status not in OPEN or not item.tracker_ref:
                continue
            result = sent_result(conn, keys.ticket_filed(item.key))
            if result and result.get("ticket_id"):
                tracked[str(result["ticket_id"])] = item
    if not tracked:
        return SyncResult(checked=0, changed=0)
    tickets = tracker.tickets(list(tracked))
    now = ctx.clock.now()
    changed = 0
    with ctx.engine.begin() as conn:
        for ticket_id, ticket in tickets.items():
            item = tracked.get(ticket_id)
            if item is None or ticket.state == item.status:
                continue
            if action_items.set_state(conn, item.id, ticket.state, now):
                changed += 1
                incidents.add_timeline(
                    conn,
                    item.incident_id,
                    now,
                    TimelineKind.ACTION_ITEM,
                    f"{ticket.identifier} ({item.title}) is {ticket.state.value.replace('_', ' ')} in {tracker.name}",
                    data={"action_item_id": item.id, "state": ticket.state.value},
                )
        if any(t.state in OPEN for t in tickets.values()):
            schedule_sync(conn, ctx.settings.ticket_sync_minutes, now)
    return SyncResult(checked=len(tickets), changed=changed)


def chase(ctx: Context) -> int:
    """Reminders, each at most once: the owner the day before an item is due; for an overdue item
    of a P0/P1 incident, the owner and the first escalation contact (the founder, in a small
    team), once per day it stays overdue. Owners warroom has no email for are named in the
    incident's timeline instead. Returns how many reminders were queued."""
    now = ctx.clock.now()
    queued = 0
    with ctx.engine.begin() as conn:
        for item in action_items.list_items(conn):
            if item.status not in OPEN:
                continue
            left = item.due - now
            if timedelta(0) < left <= timedelta(days=1):
                key, subject = f"chase:{item.key}:due", f"Due tomorrow: {item.title}"
                to = [owner_email(item.owner, ctx.settings)]
            elif left <= timedelta(0) and item.priority in ("P0", "P1"):
                key = f"chase:{item.key}:overdue:{now.date().isoformat()}"
                subject = f"OVERDUE since {item.due:%Y-%m-%d}: {item.title}"
                founder = ctx.settings.escalation[0].email if ctx.settings.escalation else None
                to = [owner_email(item.owner, ctx.settings), founder]
            else:
                continue
            body = (
                f"{item.title}\n\nOwner: {item.owner} · due {item.due:%Y-%m-%d} · from incident #{item.incident_id} "
                f"({ctx.settings.public_url.rstrip('/')}/incidents/{item.incident_id})"
                + (f"\nTicket: {item.tracker_ref}" if item.tracker_ref else "")
            )
            for address in dict.fromkeys(a for a in to if a):
                queued += enqueue(
                    conn,
                    key=f"{key}:{address}",
                    kind=OutboxKind.PAGE_EMAIL,
                    now=now,
                    incident_id=item.incident_id,
                    payload={"to": address, "subject": subject, "body": body},
                )
            incidents.add_timeline(
                conn,
                item.incident_id,
                now,
                TimelineKind.ACTION_ITEM,
                f"{subject} (reminded: {', '.join(a for a in to if a) or 'nobody has an email on file; chase by hand'})",
                data={"action_item_id": item.id},
                dedup_key=key,
            )
    return queued


LOOKBACK = timedelta(days=90)
"""Incidents read for a digest: the window's, and the 90 days before it (postmortems still in
review; the past incidents the window's may recur, `agents.coo.recurrence.WINDOW`)."""


def last_week(now: datetime) -> str:
    """The ISO week that ended most recently (on a Monday, the week just ended)."""
    year, week, _ = (now - timedelta(days=7)).isocalendar()
    return f"{year}-W{week:02d}"


def file_item(conn: Connection, *, key: str, values: dict[str, Any], now: datetime) -> bool:
    """Record an action item and queue its ticket (the tracker, through the outbox, once per key).
    False when an item with this key exists already (nothing is queued again)."""
    if action_items.create_item(conn, key=key, values=values) is None:
        return False
    enqueue(
        conn,
        key=keys.ticket_filed(key),
        kind=OutboxKind.TRACKER_FILE,
        incident_id=values["incident_id"],
        now=now,
        payload={"action_item_key": key},
    )
    return True


def build_digest(ctx: Context, *, week: str | None = None, days: int | None = None, month: str | None = None) -> Digest:
    """The digest of an ISO week (`2026-W48`; default the week just ended), of a calendar month
    (`2026-11`: the monthly report), or of the last `days` days up to now. ValueError for a
    malformed week or month."""
    now = ctx.clock.now()
    if month is not None:
        since, until = month_window(month)
        label = month
    elif days is not None:
        # up to and including this instant: an incident opened just now is in "the last 7 days"
        since, until, label = now - timedelta(days=days), now + timedelta(microseconds=1), f"last {days} days"
    else:
        label = week or last_week(now)
        since, until = week_window(label)
    return _digest(ctx, _read_record(ctx, since, until), since, until, label)


class _Record(BaseModel):
    """What a digest reads: the window's incidents and the 90 days before it."""

    incidents: list[Incident]
    past: list[IncidentRef]
    items: ItemTally
    drafts: list[DraftRecord]
    postmortems: dict[int, list[VersionMark]]


def _read_record(ctx: Context, since: datetime, until: datetime) -> _Record:
    """A handful of range queries, whatever the number of incidents: the windows' incidents with
    the timeline entries the digest counts; of the 90 days before, the few whose postmortem is
    overdue and unreviewed (the digest names them) the same way and the rest as the recurrence
    match reads them; the windows' drafts, who saved each postmortem version and when, every
    action item."""
    with ctx.engine.connect() as conn:
        reviewing = incidents.opened_between(
            conn,
            since - LOOKBACK,
            since,
            timeline_kinds=TIMELINE_KINDS,
            having=TimelineKind.POSTMORTEM_OVERDUE,
            unreviewed=True,
        )
        window = incidents.opened_between(conn, since, until, timeline_kinds=TIMELINE_KINDS)
        return _Record(
            incidents=[*reviewing, *window],
            past=incidents.refs_opened_between(conn, since - LOOKBACK, since),
            items=tally(conn, now=ctx.clock.now(), since=since, until=until),
            drafts=drafts.drafts_of(conn, incidents.opened_ids(since, until)),
            postmortems=postmortems.marks(conn, incidents.opened_ids(since, until))
            | postmortems.marks(conn, [i.id for i in reviewing]),
        )


def _digest(ctx: Context, record: _Record, since: datetime, until: datetime, label: str) -> Digest:
    return weekly_digest(
        record.incidents,
        record.items,
        now=ctx.clock.now(),
        since=since,
        until=until,
        label=label,
        ack_sla_minutes=ctx.settings.ack_sla_minutes,
        drafts=record.drafts,
        postmortems=record.postmortems,
        past=record.past,
    )


def build_trend(ctx: Context, *, weeks: int = 12, week: str | None = None) -> Trend:
    """The `weeks` ISO weeks ending with `week` (default the week just ended): each week's
    incidents, levels and median time to resolve as its digest counts them, and the action items
    open and closed at its end; two queries for all the weeks."""
    last = week or last_week(ctx.clock.now())
    start, _ = week_window(last)
    labels = []
    for back in range(weeks - 1, -1, -1):
        year, number, _ = (start - timedelta(weeks=back)).isocalendar()
        labels.append(f"{year}-W{number:02d}")
    windows = [(label, *week_window(label)) for label in labels]
    with ctx.engine.connect() as conn:
        opened = incidents.refs_opened_between(conn, windows[0][1], windows[-1][2])
        counts = filed_and_closed(conn, [until for _, _, until in windows])
    return weekly_trend(opened, windows, counts)


def schedule_digest(conn: Connection, now: datetime) -> None:
    """The next Monday 09:00 UTC digest (once per week, whoever asks; each one schedules the next)."""
    monday = (now + timedelta(days=7 - now.weekday())).date()
    schedule(
        conn,
        key=keys.weekly_digest(monday.isoformat()),
        kind=JobKind.DIGEST,
        due_at=datetime.combine(monday, time(9), tzinfo=now.tzinfo),
        payload={"monday": monday.isoformat()},
    )


class TicketFlow:
    def __init__(self, context: Context, tracker: Tracker) -> None:
        self.context = context
        self.tracker = tracker

    def register(self, scheduler: Scheduler) -> None:
        scheduler.register(JobKind.TICKETS_SYNC, self.handle_sync)
        scheduler.register(JobKind.DIGEST, self.handle_digest)

    def handle_sync(self, job: Job) -> None:
        sync_tickets(self.context, self.tracker)
        chase(self.context)

    def handle_digest(self, job: Job) -> None:
        """Mailed to the on-call (and the escalation list's first, the founder in a small team)."""
        ctx = self.context
        digest = build_digest(ctx)
        people = [p for p in (ctx.settings.on_call, *ctx.settings.escalation[:1]) if p.email]
        with ctx.engine.begin() as conn:
            schedule_digest(conn, ctx.clock.now())  # next Monday's, whether or not an incident resolves meanwhile
            for person in people:
                enqueue(
                    conn,
                    key=f"{job.key}:{person.email}",
                    kind=OutboxKind.PAGE_EMAIL,
                    now=ctx.clock.now(),
                    payload={"to": person.email, "subject": digest.subject, "body": digest.text},
                )
            if ctx.settings.digest_slack_channel and ctx.settings.slack_bot_token is not None:
                enqueue(
                    conn,
                    key=f"{job.key}:slack",
                    kind=OutboxKind.DIGEST_SLACK,
                    now=ctx.clock.now(),
                    payload={"channel": ctx.settings.digest_slack_channel, "text": f"```\n{digest.text}\n```"},
                )
