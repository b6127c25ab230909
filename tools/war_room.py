"""The war room, built-in or in Slack, behind one interface the outbox senders call.

The built-in room is a channel stored in our database and shown in the web UI, idempotent per
outbox key; the Slack room is a real channel (`#inc-YYYY-MM-DD-<slug>`) mirrored into the
built-in one. Slack has no idempotency key for a message, so every message carries our mark as
message metadata, and a send retried after Slack may have accepted it (`recheck`) looks for that
mark in the channel first: a retried send never posts twice.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Engine

from tools.slack import SlackError, SlackWarRoom, channel_name
from warroom import keys
from warroom.clock import Clock
from warroom.incidents import store as incidents
from warroom.war_room import store as messages
from warroom.war_room.models import RoomSetup

__all__ = ["BuiltinWarRoom", "SlackRoom", "WarRoom"]


class WarRoom(Protocol):
    name: str
    idempotent: bool
    """True when repeating a call with the same key changes nothing (the built-in room); false
    when a repeat must be told (`recheck`) to look first for what an earlier attempt did."""

    def open(self, setup: RoomSetup, key: str, *, recheck: bool = False) -> str:
        """Create (or find) the room, set its topic, invite people, pin links; returns its id."""
        ...

    def post(
        self,
        incident_id: int,
        room: str,
        text: str,
        key: str,
        blocks: list[dict] | None = None,
        *,
        recheck: bool = False,
    ) -> None: ...

    def close(self, incident_id: int, room: str, summary: str, key: str, *, recheck: bool = False) -> None: ...


class BuiltinWarRoom:
    name = "builtin"
    idempotent = True

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def open(self, setup: RoomSetup, key: str, *, recheck: bool = False) -> str:
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

    def post(
        self,
        incident_id: int,
        room: str,
        text: str,
        key: str,
        blocks: list[dict] | None = None,
        *,
        recheck: bool = False,
    ) -> None:
        with self._engine.begin() as conn:
            messages.post_message(conn, incident_id, at=self._clock.now(), author="warroom", text=text, external_id=key)

    def close(self, incident_id: int, room: str, summary: str, key: str, *, recheck: bool = False) -> None:
        self.post(incident_id, room, summary + "\nThis war room is now archived.", key)


class SlackRoom:
    """Slack as the war room; every message posted is mirrored into the built-in room too, so
    the web UI and the postmortem see one history. Each message carries a mark made from its
    key; on a recheck (an earlier attempt may have arrived) a message already in the channel with
    that mark, or the channel itself, is found instead of made twice."""

    name = "slack"
    idempotent = False

    def __init__(self, slack: SlackWarRoom, mirror: BuiltinWarRoom, engine: Engine) -> None:
        self._slack = slack
        self._mirror = mirror
        self._engine = engine

    def open(self, setup: RoomSetup, key: str, *, recheck: bool = False) -> str:
        name = channel_name(setup.opened_at, setup.title)
        with self._engine.connect() as conn:
            channel = incidents.get_external_ref(conn, setup.incident_id, keys.SLACK_CHANNEL_REF)
        if channel is None and recheck:
            channel = self._slack.find_channel(name)
        if channel is None:
            channel = self._slack.open_channel(name)
        with self._engine.begin() as conn:
            incidents.set_external_ref(conn, setup.incident_id, keys.SLACK_CHANNEL_REF, channel)
        self._slack.set_topic(channel, setup.topic)
        ids = list(setup.member_slack_ids)
        ids += list(self._slack.lookup_user_ids(setup.member_emails).values())
        if ids:
            self._slack.invite(channel, sorted(set(ids)))
        self._post_once(channel, setup.intro, keys.room_intro(key), recheck)
        for n, pin in enumerate(setup.pins):
            self._slack.pin(channel, self._post_once(channel, pin, keys.room_pin(key, n), recheck))
        self._mirror.open(setup, key)
        return channel

    def post(
        self,
        incident_id: int,
        room: str,
        text: str,
        key: str,
        blocks: list[dict] | None = None,
        *,
        recheck: bool = False,
    ) -> None:
        """After the room is archived (an all-clear draft asking for approval, say), Slack takes no
        more posts: the message still reaches the built-in room, where the web UI shows it. So
        does a message for an incident that never had a channel (a P2/P3 opens no room)."""
        if self._channel_opened(incident_id):
            try:
                self._post_once(room, text, key, recheck, blocks)
            except SlackError as exc:
                if exc.error_code != "is_archived":
                    raise
        self._mirror.post(incident_id, room, text, key)

    def close(self, incident_id: int, room: str, summary: str, key: str, *, recheck: bool = False) -> None:
        if self._channel_opened(incident_id):
            self._post_once(room, summary, key, recheck)
            self._slack.archive(room)
        self._mirror.close(incident_id, room, summary, key)

    def _channel_opened(self, incident_id: int) -> bool:
        with self._engine.connect() as conn:
            return incidents.get_external_ref(conn, incident_id, keys.SLACK_CHANNEL_REF) is not None

    def _post_once(
        self, channel: str, text: str, key: str, recheck: bool, blocks: list[dict[str, Any]] | None = None
    ) -> str:
        mark = keys.digest(key)[:32]
        found = self._slack.find_marked(channel, mark) if recheck else None
        return found or self._slack.post(channel, text, blocks=blocks, mark=mark)
