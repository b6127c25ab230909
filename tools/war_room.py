"""The war room, built-in or in Slack, behind one interface the outbox senders call.

The built-in room is a channel stored in our database and shown in the web UI, idempotent per
outbox key; the Slack room is a real channel (`#inc-YYYY-MM-DD-<slug>`) mirrored into the
built-in one. Slack has no idempotency key for a message, so a send retried after Slack accepted
it (the mirror failing, the process dying) can show twice in Slack, never in the mirror.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Engine

from tools.slack import SlackWarRoom, channel_name
from warroom import keys
from warroom.clock import Clock
from warroom.incidents import store as incidents
from warroom.war_room import store as messages
from warroom.war_room.models import RoomSetup

__all__ = ["BuiltinWarRoom", "SlackRoom", "WarRoom"]


class WarRoom(Protocol):
    name: str

    def open(self, setup: RoomSetup, key: str) -> str:
        """Create (or find) the room, set its topic, invite people, pin links; returns its id."""
        ...

    def post(self, incident_id: int, room: str, text: str, key: str, blocks: list[dict] | None = None) -> None: ...

    def close(self, incident_id: int, room: str, summary: str, key: str) -> None: ...


class BuiltinWarRoom:
    name = "builtin"

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def open(self, setup: RoomSetup, key: str) -> str:
        now = self._clock.now()
        room = channel_name(setup.opened_at, setup.title)
        with self._engine.begin() as conn:
            messages.post_message(
                conn,
                setup.incident_id,
                at=now,
                author="warroom",
                external_id=keys.room_intro(key),
                text=f"{setup.intro}\nTopic: {setup.topic}",
            )
            for n, pin in enumerate(setup.pins):
                messages.post_message(
                    conn,
                    setup.incident_id,
                    at=now,
                    author="warroom",
                    text=pin,
                    pinned=True,
                    external_id=keys.room_pin(key, n),
                )
        return room

    def post(self, incident_id: int, room: str, text: str, key: str, blocks: list[dict] | None = None) -> None:
        with self._engine.begin() as conn:
            messages.post_message(conn, incident_id, at=self._clock.now(), author="warroom", text=text, external_id=key)

    def close(self, incident_id: int, room: str, summary: str, key: str) -> None:
        self.post(incident_id, room, summary + "\nThis war room is now archived.", key)


class SlackRoom:
    """Slack as the war room; every message posted is mirrored into the built-in room too, so
    the web UI and the postmortem see one history."""

    name = "slack"

    def __init__(self, slack: SlackWarRoom, mirror: BuiltinWarRoom, engine: Engine) -> None:
        self._slack = slack
        self._mirror = mirror
        self._engine = engine

    def open(self, setup: RoomSetup, key: str) -> str:
        with self._engine.connect() as conn:
            channel = incidents.get_external_ref(conn, setup.incident_id, keys.SLACK_CHANNEL_REF)
        if channel is None:
            channel = self._slack.open_channel(channel_name(setup.opened_at, setup.title))
            with self._engine.begin() as conn:
                incidents.set_external_ref(conn, setup.incident_id, keys.SLACK_CHANNEL_REF, channel)
        self._slack.set_topic(channel, setup.topic)
        ids = list(setup.member_slack_ids)
        ids += list(self._slack.lookup_user_ids(setup.member_emails).values())
        if ids:
            self._slack.invite(channel, sorted(set(ids)))
        self._slack.post(channel, setup.intro)
        for pin in setup.pins:
            self._slack.pin(channel, self._slack.post(channel, pin))
        self._mirror.open(setup, key)
        return channel

    def post(self, incident_id: int, room: str, text: str, key: str, blocks: list[dict] | None = None) -> None:
        self._slack.post(room, text, blocks=blocks)
        self._mirror.post(incident_id, room, text, key)

    def close(self, incident_id: int, room: str, summary: str, key: str) -> None:
        self._slack.post(room, summary)
        self._slack.archive(room)
        self._mirror.close(incident_id, room, summary, key)
