"""The outbox sender for private Slack replies (`slack.reply`): told only to the person who asked."""

from __future__ import annotations

from tools.slack import SlackWarRoom
from warroom.kinds import OutboxKind
from warroom.outbox.store import OutboxItem
from warroom.outbox.worker import OutboxWorker

__all__ = ["SlackReplies"]


class SlackReplies:
    def __init__(self, slack: SlackWarRoom) -> None:
        self._slack = slack

    def register(self, outbox: OutboxWorker) -> None:
        outbox.register(OutboxKind.SLACK_REPLY, self.send)

    def send(self, item: OutboxItem) -> None:
        self._slack.post_ephemeral(item.payload["channel"], item.payload["user"], item.payload["text"])
