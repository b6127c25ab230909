"""The outbox sender for the war room: open it, post in it, close it.

Called by the outbox worker with one row; the row's key is the message's identity in the room,
so a retry after a crash posts nothing twice.
"""

from __future__ import annotations

from sqlalchemy import Engine

from tools.war_room import WarRoom
from warroom import keys
from warroom.clock import Clock
from warroom.incidents import store as incidents
from warroom.kinds import OutboxKind, TimelineKind
from warroom.outbox.store import OutboxItem
from warroom.outbox.worker import OutboxWorker
from warroom.war_room.models import RoomSetup

__all__ = ["WarRoomSender"]


class WarRoomSender:
    """`war_room.open`, `war_room.post`, `war_room.close`."""

    def __init__(self, engine: Engine, clock: Clock, room: WarRoom) -> None:
        self._engine = engine
        self._clock = clock
        self.room = room

    def register(self, outbox: OutboxWorker) -> None:
        outbox.register(OutboxKind.WAR_ROOM_OPEN, self.open)
        outbox.register(OutboxKind.WAR_ROOM_POST, self.post)
        outbox.register(OutboxKind.WAR_ROOM_CLOSE, self.close)

    def room_id(self, incident_id: int) -> str:
        with self._engine.connect() as conn:
            room = incidents.get_external_ref(conn, incident_id, keys.WAR_ROOM_REF)
        return room or f"incident-{incident_id}"

    def open(self, item: OutboxItem) -> dict[str, str]:
        setup = RoomSetup.model_validate(item.payload)
        room = self.room.open(setup, item.idempotency_key)
        with self._engine.begin() as conn:
            incidents.set_external_ref(conn, setup.incident_id, keys.WAR_ROOM_REF, room)
            incidents.add_timeline(
                conn,
                setup.incident_id,
                self._clock.now(),
                TimelineKind.WAR_ROOM,
                f"War room {room} opened ({self.room.name}); {setup.topic}",
                data={"room": room, "members": setup.member_emails},
                dedup_key=item.idempotency_key,
            )
        return {"room": room}

    def post(self, item: OutboxItem) -> None:
        incident_id = int(item.payload["incident_id"])
        self.room.post(
            incident_id,
            self.room_id(incident_id),
            item.payload["text"],
            item.idempotency_key,
            blocks=item.payload.get("blocks"),
        )

    def close(self, item: OutboxItem) -> None:
        incident_id = int(item.payload["incident_id"])
        self.room.close(incident_id, self.room_id(incident_id), item.payload["text"], item.idempotency_key)
