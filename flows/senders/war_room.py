"""The outbox sender for the war room: open it, post in it, close it.

Called by the outbox worker with one row; the row's key is the message's identity in the room
(the built-in room keeps one copy per key; Slack is asked first on a retry), so a retry after a
crash posts nothing twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine

from tools.war_room import WarRoom
from warroom import keys
from warroom.clock import Clock
from warroom.incidents import store as incidents
from warroom.kinds import OutboxKind, TimelineKind
from warroom.outbox.store import OutboxItem
from warroom.outbox.worker import Delivery, OutboxWorker
from warroom.war_room.models import RoomSetup

__all__ = ["WarRoomSender"]


class WarRoomSender:
    """`war_room.open`, `war_room.post`, `war_room.close`."""

    def __init__(self, engine: Engine, clock: Clock, room: WarRoom) -> None:
        self._engine = engine
        self._clock = clock
        self.room = room
        self.delivery = Delivery.IDEMPOTENT if room.idempotent else Delivery.CHECKED

    def register(self, outbox: OutboxWorker) -> None:
        outbox.register(OutboxKind.WAR_ROOM_OPEN, self.open, delivery=self.delivery, after=self.record_opened)
        outbox.register(OutboxKind.WAR_ROOM_POST, self.post, delivery=self.delivery)
        outbox.register(OutboxKind.WAR_ROOM_CLOSE, self.close, delivery=self.delivery)

    def room_id(self, incident_id: int) -> str:
        with self._engine.connect() as conn:
            room = incidents.get_external_ref(conn, incident_id, keys.WAR_ROOM_REF)
        return room or f"incident-{incident_id}"

    def open(self, item: OutboxItem) -> dict[str, str]:
        setup = RoomSetup.model_validate(item.payload)
        room = self.room.open(setup, item.idempotency_key, recheck=item.attempted_at is not None)
        with self._engine.begin() as conn:
            incidents.set_external_ref(conn, setup.incident_id, keys.WAR_ROOM_REF, room)
        return {"room": room}

    def record_opened(self, conn: Connection, item: OutboxItem, result: dict[str, Any] | None) -> None:
        setup = RoomSetup.model_validate(item.payload)
        room = (result or {}).get("room", "?")
        incidents.add_timeline(
            conn,
            setup.incident_id,
            self._clock.now(),
            TimelineKind.WAR_ROOM,
            f"War room {room} opened ({self.room.name}); {setup.topic}",
            data={"room": room, "members": setup.member_emails},
            dedup_key=item.idempotency_key,
        )

    def post(self, item: OutboxItem) -> None:
        incident_id = int(item.payload["incident_id"])
        self.room.post(
            incident_id,
            self.room_id(incident_id),
            item.payload["text"],
            item.idempotency_key,
            blocks=item.payload.get("blocks"),
            recheck=item.attempted_at is not None,
        )

    def close(self, item: OutboxItem) -> None:
        incident_id = int(item.payload["incident_id"])
        recheck = item.attempted_at is not None
        self.room.close(
            incident_id, self.room_id(incident_id), item.payload["text"], item.idempotency_key, recheck=recheck
        )
