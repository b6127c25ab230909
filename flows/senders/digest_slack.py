"""The weekly digest posted to the Slack channel of the team's choice, once: a retry after an
attempt of unknown outcome looks for the message it may already have posted (by its mark) first."""

from __future__ import annotations

from tools.slack import SlackWarRoom
from warroom import keys
from warroom.kinds import OutboxKind
from warroom.outbox.store import OutboxItem
from warroom.outbox.worker import OutboxWorker

__all__ = ["DigestToSlack"]


class DigestToSlack:
    def __init__(self, slack: SlackWarRoom) -> None:
        self._slack = slack

    def register(self, outbox: OutboxWorker) -> None:
        outbox.register(OutboxKind.DIGEST_SLACK, self.send)

    def send(self, item: OutboxItem) -> None:
        wanted = str(item.payload["channel"]).lstrip("#")
        channel = wanted if wanted[:1] in ("C", "G") and wanted.isupper() else self._slack.find_channel(wanted)
        if channel is None:
            raise LookupError(f"no public Slack channel named {wanted!r} (digest_slack_channel)")
        mark = keys.digest(item.idempotency_key)[:32]
        if item.attempted_at is not None and self._slack.find_marked(channel, mark):
            return
        self._slack.post(channel, item.payload["text"], mark=mark)
