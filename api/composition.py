"""The composition root: builds the database, the graphs, the outbox senders and the scheduler
from settings, choosing the embedded default for every service without credentials."""

from __future__ import annotations

import logging
import secrets
from contextlib import ExitStack
from dataclasses import dataclass, field

from sqlalchemy import Engine

from graphs.runner import IncidentRunner, open_checkpointer
from graphs.state import Context
from tools.builtin_status import BuiltinStatusPage
from tools.status_page import StatusPage
from tools.status_publisher import StatusPublisher
from warroom.clock import Clock, SystemClock
from warroom.db import make_engine
from warroom.migrations import upgrade
from warroom.outbox.worker import OutboxWorker
from warroom.scheduler.engine import Scheduler
from warroom.settings import Settings

__all__ = ["Warroom"]

log = logging.getLogger(__name__)


@dataclass
class Warroom:
    """Everything one warroom process holds; `close()` releases it."""

    settings: Settings
    clock: Clock
    engine: Engine
    scheduler: Scheduler
    runner: IncidentRunner
    status_page: StatusPage
    api_token: str
    defaults: dict[str, str] = field(default_factory=dict)
    _stack: ExitStack = field(default_factory=ExitStack)

    @classmethod
    def build(cls, settings: Settings | None = None, clock: Clock | None = None) -> Warroom:
        settings = settings or Settings()
        clock = clock or SystemClock()
        stack = ExitStack()
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        stack.callback(engine.dispose)
        checkpointer = stack.enter_context(open_checkpointer(settings.resolved_checkpoint_url))
        runner = IncidentRunner(Context(engine=engine, clock=clock, settings=settings), checkpointer)
        outbox = OutboxWorker(engine, clock)
        scheduler = Scheduler(engine, clock, outbox)
        status_page, defaults = _choose_status_page(settings, engine, clock)
        outbox.register("status_page.post", StatusPublisher(engine, clock, status_page))
        scheduler.register("incident.start", runner.handle_start)
        scheduler.register("incident.event", runner.handle_event)
        scheduler.register("incident.reassess", runner.handle_reassess)
        token = settings.api_token.get_secret_value() if settings.api_token else secrets.token_urlsafe(24)
        if settings.api_token is None:
            defaults["api token"] = "generated for this run (set WARROOM_API_TOKEN to fix one)"
        return cls(settings=settings, clock=clock, engine=engine, scheduler=scheduler, runner=runner,
                   status_page=status_page, api_token=token, defaults=defaults, _stack=stack)

    def close(self) -> None:
        self.scheduler.stop()
        self._stack.close()


def _choose_status_page(settings: Settings, engine: Engine, clock: Clock) -> tuple[StatusPage, dict[str, str]]:
    defaults: dict[str, str] = {}
    page: StatusPage = BuiltinStatusPage(engine, clock)
    defaults["status page"] = "built-in page at /status (set WARROOM_STATUSPAGE_API_KEY for Atlassian Statuspage)"
    defaults["war room"] = "built-in channel in the web UI (set WARROOM_SLACK_BOT_TOKEN for Slack)"
    defaults["llm"] = "deterministic rules and templates (set WARROOM_LLM_MODEL and OPENAI_API_KEY for an LLM)"
    if settings.database_url.startswith("sqlite"):
        defaults["database"] = f"SQLite at {settings.database_url} (set WARROOM_DATABASE_URL for PostgreSQL)"
    return page, defaults
