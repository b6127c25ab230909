"""Every outside service warroom talks to, faked on loopback for a warroom in another process:
Slack, Atlassian Statuspage, a Discord webhook, the X API (each checked against its spec by the
fakes in `tests/fakes/`) and an SMTP server (aiosmtpd). Each can kill warroom while one of its
requests is in flight: received and acted on, the answer not yet back."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
from aiosmtpd.controller import Controller

from tests.fakes.discord_server import FakeDiscord
from tests.fakes.http_server import ServedFake
from tests.fakes.slack_server import FakeSlack
from tests.fakes.statuspage_server import FakeStatuspage
from tests.fakes.x_server import FakeX

__all__ = ["Inbox", "Services"]


class Inbox:
    """An SMTP server's mailbox: every message accepted, by Message-ID and recipient."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Any]] = []
        self.after: Callable[[], None] | None = None
        self._refusals = 0
        self._lock = threading.Lock()

    def refuse_next(self, times: int = 1) -> None:
        """Answer the next `times` messages `451` (try again later), as a greylisting server does."""
        self._refusals += times

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self._refusals:
            self._refusals -= 1
            return "451 4.7.1 Greylisted, please try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        if self.after is not None:
            self.after()
        return "250 OK"

    def copies(self) -> Counter[str]:
        return Counter(str(message["Message-ID"]) for _, message in self.messages)


class Services:
    def __init__(self) -> None:
        self.slack = FakeSlack()
        self.statuspage = FakeStatuspage()
        self.discord = FakeDiscord()
        self.x = FakeX()
        self.inbox = Inbox()
        self._served = {name: ServedFake(fake.handle) for name, fake in self._http_fakes().items()}
        self._smtp: Controller | None = None
        self.smtp_port = 0

    def _http_fakes(self) -> dict[str, Any]:
        return {"statuspage": self.statuspage, "discord": self.discord, "x": self.x}

    def start(self) -> Services:
        self.slack.start()
        for served in self._served.values():
            served.start()
        self._smtp = self.start_smtp()
        return self

    def start_smtp(self) -> Controller:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.smtp_port = sock.getsockname()[1]
        controller = Controller(self.inbox, hostname="127.0.0.1", port=self.smtp_port)
        controller.start()
        return controller

    def stop(self) -> None:
        self.slack.stop()
        for served in self._served.values():
            served.stop()
        if self._smtp is not None:
            self._smtp.stop()

    def env(self) -> dict[str, str]:
        """The settings that point warroom at these fakes instead of the real services."""
        discord = httpx.URL(self.discord.webhook_url)
        return {
            "WARROOM_SLACK_BOT_TOKEN": self.slack.token,
            "WARROOM_SLACK_API_URL": self.slack.base_url,
            "WARROOM_STATUSPAGE_API_KEY": self.statuspage.api_key,
            "WARROOM_STATUSPAGE_PAGE_ID": self.statuspage.page_id,
            "WARROOM_STATUSPAGE_API_URL": f"{self._served['statuspage'].base_url}/v1",
            "WARROOM_DISCORD_WEBHOOK_URL": f"{self._served['discord'].base_url}{discord.path}",
            "WARROOM_X_BEARER_TOKEN": self.x.user_token,
            "WARROOM_X_API_URL": self._served["x"].base_url,
            "WARROOM_SMTP_URL": f"smtp://127.0.0.1:{self.smtp_port}",
        }

    def violations(self) -> list[str]:
        return [*self.slack.violations, *self.statuspage.violations, *self.discord.violations, *self.x.violations]

    def kill_during(
        self, service: str, matches: Callable[[str, str], bool], kill: Callable[[], None]
    ) -> Callable[[], None]:
        """Kill warroom when `service` has acted on a request matching (method, path) and before it
        answers; once. Returns the undo."""
        fired = threading.Event()

        def once() -> None:
            if not fired.is_set():
                fired.set()
                kill()

        if service == "slack":
            self.slack.after = lambda method, params: once() if matches(method, str(params.get("text", ""))) else None
            return lambda: setattr(self.slack, "after", None)
        if service == "smtp":
            self.inbox.after = once
            return lambda: setattr(self.inbox, "after", None)
        served = self._served[service]
        served.after = lambda request, response: once() if matches(request.method, request.url.path) else None
        return lambda: setattr(served, "after", None)
