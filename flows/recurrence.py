"""The recurrence guard's reads and writes: which past incidents this one recurs with action items
still open (the match is `agents.coo.recurrence`; the candidates come from `flows.history`), and
saying so once per incident, on its timeline and in its war room.

Called by the incident graph's first triage (`graphs.nodes.triage`), so it runs once when an
incident opens; the timeline line and the war-room message are keyed (`warroom.keys`), so a
replayed step says nothing twice. The war-room message goes out after the room is asked to open
(`graphs.incident_effects.respond`) for a P0/P1, at once for a P2/P3, which opens no room.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from agents.coo.recurrence import Recurrence, notice, recurrences
from agents.cto.severity import PastIncident
from flows import history
from flows.effects import post_to_war_room
from warroom import keys
from warroom.action_items import store as action_items
from warroom.incidents import store as incidents
from warroom.incidents.models import Incident
from warroom.kinds import TimelineKind

__all__ = ["noted", "open_follow_ups", "record", "tell_room"]


def open_follow_ups(
    conn: Connection, incident: Incident, now: datetime, past: Sequence[PastIncident] | None = None
) -> list[Recurrence]:
    """The past incidents `incident` recurs whose action items are still open, newest first.
    `past`: the similar incidents triage has read already (`history.similar_past`), else read here."""
    found = history.similar_past(conn, incident) if past is None else past
    loaded = [p for p in (incidents.get_incident(conn, f.id, with_timeline=False) for f in found) if p is not None]
    items = [item for p in loaded for item in action_items.list_items(conn, incident_id=p.id)]
    return recurrences(incident, loaded, items, now)


def record(conn: Connection, incident: Incident, found: Sequence[Recurrence], now: datetime, *, room: bool) -> bool:
    """The timeline line naming the open tickets, once per incident; in the war room too when
    `room` (no room is about to be opened that should come first). False when said already."""
    text = notice(found, now)
    said = incidents.add_timeline(
        conn,
        incident.id,
        now,
        TimelineKind.RECURRENCE,
        text,
        data={"recurs": [r.model_dump(mode="json") for r in found]},
        dedup_key=keys.recurrence(incident.id),
    )
    if room:
        tell_room(conn, incident.id, text, now)
    return said


def noted(incident: Incident) -> str | None:
    """What the guard said on the incident's timeline, if it said anything."""
    return next((e.text for e in incident.timeline if e.kind == TimelineKind.RECURRENCE), None)


def tell_room(conn: Connection, incident_id: int, text: str, now: datetime) -> bool:
    """The guard's message in the war room, once per incident."""
    return post_to_war_room(
        conn, key=keys.war_room_recurrence(incident_id), incident_id=incident_id, text=text, now=now
    )
