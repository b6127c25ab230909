"""Drafts: create idempotently, read, and decide exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, ScalarSelect, func, select, update

from warroom.db import table_of
from warroom.drafts.models import DraftRecord, DraftState
from warroom.drafts.tables import DraftRow
from warroom.upsert import insert_ignore

__all__ = [
    "create_draft",
    "decide",
    "get_draft",
    "key_of",
    "auto_released_since",
    "audiences_told",
    "at_key",
    "last_released",
    "list_drafts",
    "drafts_of",
    "mark_sent",
    "newer_drafts",
    "refresh",
    "withdraw",
    "spent_rounds",
]

DRAFTS = table_of(DraftRow)


def create_draft(conn: Connection, *, key: str, values: dict[str, Any]) -> tuple[int, bool]:
    """Returns (draft id, created); a second call with the same key returns the first draft."""
    new_id = insert_ignore(conn, DRAFTS, {"key": key, **values}, ["key"])
    if new_id is not None:
        return int(new_id), True
    return conn.execute(select(DRAFTS.c.id).where(DRAFTS.c.key == key)).scalar_one(), False


def at_key(conn: Connection, key: str) -> DraftRecord | None:
    """The draft written under `key`, if any."""
    row = conn.execute(select(DRAFTS).where(DRAFTS.c.key == key)).first()
    return _record(row) if row else None


def get_draft(conn: Connection, draft_id: int) -> DraftRecord | None:
    row = conn.execute(select(DRAFTS).where(DRAFTS.c.id == draft_id)).first()
    return _record(row) if row else None


def list_drafts(
    conn: Connection, *, incident_id: int | None = None, states: list[DraftState] | None = None, limit: int = 200
) -> list[DraftRecord]:
    query = select(DRAFTS).order_by(DRAFTS.c.id).limit(limit)
    if incident_id is not None:
        query = query.where(DRAFTS.c.incident_id == incident_id)
    if states:
        query = query.where(DRAFTS.c.state.in_([s.value for s in states]))
    return [_record(r) for r in conn.execute(query)]


def drafts_of(conn: Connection, incident_ids: ScalarSelect[Any] | Sequence[int]) -> list[DraftRecord]:
    """Every draft of these incidents in one query, by id."""
    return [
        _record(r)
        for r in conn.execute(select(DRAFTS).where(DRAFTS.c.incident_id.in_(incident_ids)).order_by(DRAFTS.c.id))
    ]


def key_of(conn: Connection, draft_id: int) -> str | None:
    return conn.execute(select(DRAFTS.c.key).where(DRAFTS.c.id == draft_id)).scalar()


def undecided_rounds(conn: Connection, incident_id: int) -> list[tuple[str, str]]:
    """(kind, label) of each round of drafts with one still undecided, oldest first."""
    rows = conn.execute(
        select(DRAFTS.c.kind, DRAFTS.c.key)
        .where(
            DRAFTS.c.incident_id == incident_id,
            DRAFTS.c.state.in_([DraftState.PENDING.value, DraftState.BLOCKED.value]),
        )
        .order_by(DRAFTS.c.id)
    )
    return list(dict.fromkeys((row.kind, row.key.split(":")[2]) for row in rows))


def audiences_told(conn: Connection, incident_id: int, kinds: list[str]) -> dict[tuple[str, str], set[str]]:
    """(round, "channel:audience") of each draft of `kinds` approved or sent, from its key, with its recipients."""
    rows = conn.execute(
        select(DRAFTS.c.key, DRAFTS.c.recipients).where(
            DRAFTS.c.incident_id == incident_id,
            DRAFTS.c.kind.in_(kinds),
            DRAFTS.c.state.in_([DraftState.APPROVED.value, DraftState.SENT.value]),
        )
    )
    told: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        parts = row.key.split(":", 3)
        if len(parts) == 4:
            told.setdefault((parts[2], parts[3]), set()).update(row.recipients or [])
    return told


def spent_rounds(conn: Connection, incident_id: int) -> set[str]:
    """Rounds (labels) with a withdrawn draft and none still undecided or approved: their keys are taken, so a
    clock restarted after a lowering drafts under the next label instead (one round's drafts are one key each)."""
    states: dict[str, set[str]] = {}
    for row in conn.execute(select(DRAFTS.c.key, DRAFTS.c.state).where(DRAFTS.c.incident_id == incident_id)):
        states.setdefault(row.key.split(":")[2], set()).add(row.state)
    open_ = {DraftState.PENDING.value, DraftState.BLOCKED.value, DraftState.APPROVED.value}
    return {label for label, seen in states.items() if DraftState.WITHDRAWN.value in seen and not seen & open_}


def newer_drafts(conn: Connection, draft_id: int, *, kinds: list[str]) -> list[DraftRecord]:
    """Drafts of `kinds` written after this one for the same incident, channel and audience
    (the account part of the key), that anyone could still send or has sent."""
    row = conn.execute(
        select(DRAFTS.c.key, DRAFTS.c.incident_id, DRAFTS.c.channel).where(DRAFTS.c.id == draft_id)
    ).first()
    if row is None:
        return []
    audience = row.key.rsplit(":", 1)[-1]
    query = (
        select(DRAFTS)
        .where(
            DRAFTS.c.incident_id == row.incident_id,
            DRAFTS.c.channel == row.channel,
            DRAFTS.c.id > draft_id,
            DRAFTS.c.kind.in_(kinds),
            DRAFTS.c.key.endswith(f":{audience}", autoescape=True),
            DRAFTS.c.state.not_in([DraftState.WITHDRAWN.value, DraftState.REJECTED.value]),
        )
        .order_by(DRAFTS.c.id)
    )
    return [_record(r) for r in conn.execute(query)]


def last_released(conn: Connection, draft_id: int, *, same_incident: bool) -> datetime | None:
    """When a message to this draft's audience (channel and account) was last approved to go,
    by anyone; across incidents unless `same_incident` (an email's "affected users" are the
    incident's own)."""
    row = conn.execute(
        select(DRAFTS.c.key, DRAFTS.c.incident_id, DRAFTS.c.channel).where(DRAFTS.c.id == draft_id)
    ).first()
    if row is None:
        return None
    query = select(func.max(DRAFTS.c.decided_at)).where(
        DRAFTS.c.id != draft_id,
        DRAFTS.c.channel == row.channel,
        DRAFTS.c.key.endswith(f":{row.key.rsplit(':', 1)[-1]}", autoescape=True),
        DRAFTS.c.state.in_([DraftState.APPROVED.value, DraftState.SENT.value]),
    )
    if same_incident:
        query = query.where(DRAFTS.c.incident_id == row.incident_id)
    return conn.execute(query).scalar()


def auto_released_since(conn: Connection, since: datetime, *, channels: list[str]) -> int:
    """How many drafts on `channels` the auto-send threshold approved since `since`."""
    return conn.execute(
        select(func.count()).where(
            DRAFTS.c.channel.in_(channels),
            DRAFTS.c.decided_at >= since,
            DRAFTS.c.decided_by.startswith("warroom (auto-send", autoescape=True),
            DRAFTS.c.state.in_([DraftState.APPROVED.value, DraftState.SENT.value]),
        )
    ).scalar_one()


def decide(
    conn: Connection,
    draft_id: int,
    *,
    to: DraftState,
    actor: str,
    now: datetime,
    body: str | None = None,
    problems: list[str] | None = None,
) -> bool:
    """Move a draft out of pending/blocked; False when someone else decided first."""
    values: dict[str, Any] = {"state": to.value, "decided_by": actor, "decided_at": now}
    if body is not None:
        values["body"] = body
    if problems is not None:
        values["problems"] = problems
    result = conn.execute(
        update(DRAFTS)
        .where(DRAFTS.c.id == draft_id, DRAFTS.c.state.in_([DraftState.PENDING.value, DraftState.BLOCKED.value]))
        .values(**values)
    )
    return result.rowcount == 1


def refresh(conn: Connection, draft_id: int, values: dict[str, Any]) -> bool:
    """Re-draft in place with newer facts, only while nobody has decided on it."""
    result = conn.execute(
        update(DRAFTS)
        .where(
            DRAFTS.c.id == draft_id,
            DRAFTS.c.state.in_([DraftState.PENDING.value, DraftState.BLOCKED.value]),
            DRAFTS.c.decided_at.is_(None),
        )
        .values(**values)
    )
    return result.rowcount == 1


def withdraw(conn: Connection, draft_id: int, *, reason: str, now: datetime, approved_too: bool = False) -> bool:
    """Take an undecided draft (or, `approved_too`, an approved one not yet sent) out of reach
    for good; False when it was decided (or sent) first."""
    states = [DraftState.PENDING, DraftState.BLOCKED] + ([DraftState.APPROVED] if approved_too else [])
    result = conn.execute(
        update(DRAFTS)
        .where(DRAFTS.c.id == draft_id, DRAFTS.c.state.in_([s.value for s in states]))
        .values(state=DraftState.WITHDRAWN.value, decided_by="warroom", decided_at=now, withdrawn_reason=reason)
    )
    return result.rowcount == 1


def mark_sent(conn: Connection, draft_id: int, now: datetime) -> None:
    conn.execute(update(DRAFTS).where(DRAFTS.c.id == draft_id).values(state=DraftState.SENT.value, sent_at=now))


def _record(row: Any) -> DraftRecord:
    return DraftRecord(
        id=row.id,
        incident_id=row.incident_id,
        kind=row.kind,
        channel=row.channel,
        audience=row.audience,
        recipients=row.recipients,
        subject=row.subject,
        body=row.body,
        public=row.public,
        facts_used=row.facts_used,
        problems=row.problems,
        state=DraftState(row.state),
        created_at=row.created_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        sent_at=row.sent_at,
        written_for=row.written_for,
        withdrawn_reason=row.withdrawn_reason,
    )
