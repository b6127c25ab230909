"""The composition root: builds the database, the graphs, the outbox senders and the scheduler
from settings, choosing the embedded default for every service without credentials."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

import httpx
from slack_sdk import WebClient
from sqlalchemy import Connection, Engine

from agents.llm import make_chat_model
from api.rate_limit import SubscribeLimiter
from api.status_cache import StatusPageCache
from flows.comms import CommsFlow
from flows.context import Context
from flows.enrichment import EnrichmentFlow, SentryFetch
from flows.escalation import EscalationFlow
from flows.investigation.toolbox import Sources
from flows.postmortem import PostmortemFlow
from flows.publishing import publishes_to_notion
from flows.retention import RetentionFlow
from flows.senders.comms import CommsSender
from flows.senders.digest_slack import DigestToSlack
from flows.senders.notion import PostmortemPublisher
from flows.senders.slack_replies import SlackReplies
from flows.senders.status_page import PublishedHook, StatusPublisher
from flows.senders.subscribers import SubscriberMail
from flows.senders.tracker import TrackerSender
from flows.senders.war_room import WarRoomSender
from flows.status_subscriptions import notify_subscribers
from flows.tickets import TicketFlow
from graphs.checkpoints import open_checkpointer
from graphs.investigation import InvestigationContext
from graphs.runner import CommsRunner, IncidentRunner, InvestigationRunner
from tools.discord import DiscordWebhook
from tools.email import make_email_sender
from tools.notion import Notion
from tools.prometheus import Prometheus
from tools.sentry import SentryAPI
from tools.slack import SlackWarRoom
from tools.status_page.atlassian import AtlassianStatuspage
from tools.status_page.builtin import BuiltinStatusPage
from tools.status_page.instatus import Instatus
from tools.status_page.port import StatusPage
from tools.tracker import Tracker, tracker_from_settings
from tools.war_room import BuiltinWarRoom, SlackRoom, WarRoom
from tools.x import XClient
from warroom.alerts.group_commit import GroupCommit
from warroom.clock import Clock, SystemClock
from warroom.db import make_engine
from warroom.kinds import OutboxKind
from warroom.migrations import upgrade
from warroom.nudges import STATUS_CHANGED, WAKE, Nudges
from warroom.outbox.store import OutboxItem
from warroom.outbox.worker import OutboxWorker
from warroom.processes import ProcessLocks
from warroom.scheduler.engine import Scheduler
from warroom.settings import Settings, secret_value
from warroom.status_page.models import StatusPost

__all__ = ["Warroom"]

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Warroom:
    """Everything one warroom process holds; `close()` releases it."""

    settings: Settings
    clock: Clock
    engine: Engine
    context: Context
    scheduler: Scheduler
    runner: IncidentRunner
    comms: CommsRunner
    status_page: StatusPage
    war_room: WarRoom
    tracker: Tracker
    api_token: str
    secret_key: str
    group_commit: GroupCommit
    """Writes the webhook routes' deliveries, many to a transaction under load."""
    defaults: dict[str, str] = field(default_factory=dict)
    status_cache: StatusPageCache = field(default_factory=StatusPageCache)
    """The public status page's renderings, rebuilt when the page changes."""
    subscribe_limiter: SubscribeLimiter = field(default_factory=SubscribeLimiter)
    """Submissions of the status page's subscribe form per client."""
    nudges: Nudges | None = None
    """To and from this installation's other processes on this host (`listen`)."""
    _stack: ExitStack = field(default_factory=ExitStack)

    @classmethod
    def build(
        cls, settings: Settings | None = None, clock: Clock | None = None, transport: httpx.BaseTransport | None = None
    ) -> Warroom:
        """`transport` replaces the network for every outbound HTTP client (tests pass fakes)."""
        settings = settings or Settings()
        clock = clock or SystemClock()
        stack = ExitStack()
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        stack.callback(engine.dispose)

        def client(base_url: str = "") -> httpx.Client:
            return stack.enter_context(httpx.Client(base_url=base_url, timeout=10.0, transport=transport))

        http = client()
        checkpointer = stack.enter_context(open_checkpointer(settings.resolved_checkpoint_url))
        secret_key = secret_value(settings.secret_key) or _persistent_secret(settings)
        context = Context(
            engine=engine, clock=clock, settings=settings, secret_key=secret_key, model=make_chat_model(settings)
        )
        runner = IncidentRunner(context, checkpointer)
        comms = CommsRunner(context, checkpointer)
        defaults: dict[str, str] = {}

        status_page = _status_page(settings, engine, clock, client, defaults)
        slack = _slack(settings)
        war_room = _war_room(settings, engine, clock, slack, defaults)
        tracker, defaults["tickets"] = tracker_from_settings(settings, http, engine=engine, clock=clock)
        locks = ProcessLocks(settings.data_dir / "processes")
        outbox = OutboxWorker(engine, clock, owner=locks.boot_id)
        if slack is not None:
            SlackReplies(slack).register(outbox)
            DigestToSlack(slack).register(outbox)
        StatusPublisher(
            engine, clock, status_page, on_published=_subscribers_told(settings, clock, secret_key, status_page)
        ).register(outbox)
        TrackerSender(engine, clock, tracker, settings).register(outbox)
        room_sender = WarRoomSender(engine, clock, war_room)
        room_sender.register(outbox)
        smtp = secret_value(settings.smtp_url)
        email = make_email_sender(smtp, settings.data_dir / "outbox-email")
        defaults["email"] = (
            "SMTP" if smtp else (f".eml files in {settings.data_dir / 'outbox-email'} (set WARROOM_SMTP_URL for SMTP)")
        )
        discord_url, x_token = secret_value(settings.discord_webhook_url), secret_value(settings.x_bearer_token)
        CommsSender(
            engine,
            clock,
            email=email,
            email_from=settings.email_sender,
            reply_to=settings.email_reply_to,
            war_room=room_sender,
            discord=DiscordWebhook(http, discord_url) if discord_url else None,
            x=XClient(http, x_token, base_url=settings.x_api_url, clock=clock) if x_token else None,
        ).register(outbox)
        SubscriberMail(email, settings.email_sender, settings.email_reply_to).register(outbox)

        if publishes_to_notion(settings):
            token = secret_value(settings.notion_token)
            assert token is not None and settings.notion_parent_page_id
            notion = Notion(client(settings.notion_api_url), token)
            PostmortemPublisher(engine, clock, notion, settings.notion_parent_page_id).register(outbox)
            defaults["postmortems"] = f"Notion, under page {settings.notion_parent_page_id} (and the built-in editor)"
        else:
            defaults["postmortems"] = "built-in editor (set WARROOM_NOTION_TOKEN and WARROOM_NOTION_PARENT_PAGE_ID)"
        sentry = _sentry_api(settings, client, clock)
        prometheus = Prometheus(client(settings.prometheus_url)) if settings.prometheus_url else None
        defaults["metrics"] = (
            f"Prometheus at {settings.prometheus_url} (read-only queries)"
            if prometheus
            else "none read (set WARROOM_PROMETHEUS_URL to graph the series alerts name)"
        )
        investigation = InvestigationRunner(InvestigationContext(context, Sources(sentry, prometheus)), checkpointer)
        nudges = Nudges(settings.data_dir, locks.boot_id)
        stack.callback(nudges.close)
        scheduler = Scheduler(engine, clock, outbox, locks, elsewhere=lambda: nudges.send("worker", WAKE))
        for flow in (
            runner,
            comms,
            investigation,
            CommsFlow(context),
            PostmortemFlow(context),
            EscalationFlow(context),
            EnrichmentFlow(context, _sentry_fetch(sentry)),
            TicketFlow(context, tracker),
            RetentionFlow(context),
        ):
            flow.register(scheduler)

        token = secret_value(settings.api_token) or secrets.token_urlsafe(24)
        if settings.api_token is None:
            defaults["api token"] = "generated for this run (set WARROOM_API_TOKEN to fix one)"
        defaults["llm"] = (
            "deterministic rules and templates (set WARROOM_LLM_MODEL and OPENAI_API_KEY for an LLM)"
            if context.model is None
            else f"{settings.llm_model} via an OpenAI-compatible endpoint, "
            "checked against the rules' floors and the facts"
        )
        status_cache = StatusPageCache()

        def status_posted(item: OutboxItem, _: object) -> None:
            if item.kind == OutboxKind.STATUS_POST:
                status_cache.invalidate()
                nudges.send("api", STATUS_CHANGED)

        outbox.on_sent.append(status_posted)
        if settings.database_url.startswith("sqlite"):
            defaults["database"] = f"SQLite at {settings.database_url} (set WARROOM_DATABASE_URL for PostgreSQL)"
        return cls(
            settings=settings,
            clock=clock,
            engine=engine,
            context=context,
            scheduler=scheduler,
            runner=runner,
            comms=comms,
            status_page=status_page,
            war_room=war_room,
            tracker=tracker,
            api_token=token,
            secret_key=secret_key,
            group_commit=GroupCommit(engine, clock, settings, wake=scheduler.wake),
            defaults=defaults,
            status_cache=status_cache,
            nudges=nudges,
            _stack=stack,
        )

    def act(self, action: Callable[Concatenate[Context, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run one human action (`flows.actions`) and wake the scheduler for what it queued."""
        result = action(self.context, *args, **kwargs)
        self.scheduler.wake()
        return result

    def listen(self, role: str) -> None:
        """Take nudges from this installation's other processes: as the `worker`, a wake when an
        API process scheduled work due now; as the `api`, a status page the worker changed."""
        assert self.nudges is not None

        def on_nudge(message: bytes) -> None:
            if message == WAKE:
                self.scheduler.wake_here()
            elif message == STATUS_CHANGED:
                self.status_cache.invalidate()

        try:
            self.nudges.listen(role, on_nudge)
        except OSError as exc:  # nudges are a hint: without them the polls still find the work
            log.warning("not listening for nudges (%s); the %s polls every second instead", exc, role)

    def close(self) -> None:
        self.scheduler.stop()
        self._stack.close()


def _status_page(
    settings: Settings, engine: Engine, clock: Clock, client: Callable[[str], httpx.Client], defaults: dict[str, str]
) -> StatusPage:
    if settings.statuspage_api_key and settings.statuspage_page_id:
        defaults["status page"] = str(settings.status_page_vendor)
        return AtlassianStatuspage(
            client(settings.statuspage_api_url),
            settings.statuspage_page_id,
            settings.statuspage_api_key.get_secret_value(),
            component_ids=settings.status_page_components,
        )
    if settings.instatus_api_key and settings.instatus_page_id:
        defaults["status page"] = str(settings.status_page_vendor)
        return Instatus(
            client(settings.instatus_api_url),
            settings.instatus_page_id,
            settings.instatus_api_key.get_secret_value(),
            component_ids=settings.status_page_components,
        )
    defaults["status page"] = "built-in page at /status (set WARROOM_STATUSPAGE_API_KEY for Atlassian Statuspage)"
    builtin = BuiltinStatusPage(engine, clock)
    builtin.mark_started()
    return builtin


def _subscribers_told(settings: Settings, clock: Clock, secret_key: str, page: StatusPage) -> PublishedHook | None:
    """The built-in page's email subscribers hear of each of its posts, once (an outside page
    has its own subscribers)."""
    if not isinstance(page, BuiltinStatusPage):
        return None

    def told(conn: Connection, item: OutboxItem, post: StatusPost) -> None:
        notify_subscribers(
            conn, post_mark=item.mark, post=post, settings=settings, secret_key=secret_key, now=clock.now()
        )

    return told


def _slack(settings: Settings) -> SlackWarRoom | None:
    if settings.slack_bot_token is None:
        return None
    return SlackWarRoom(WebClient(token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url))


def _war_room(
    settings: Settings, engine: Engine, clock: Clock, slack: SlackWarRoom | None, defaults: dict[str, str]
) -> WarRoom:
    builtin = BuiltinWarRoom(engine, clock)
    if slack is not None:
        defaults["war room"] = "Slack (mirrored into the built-in room)"
        return SlackRoom(slack, builtin, engine)
    defaults["war room"] = "built-in channel in the web UI (set WARROOM_SLACK_BOT_TOKEN for Slack)"
    return builtin


def _sentry_api(settings: Settings, client: Callable[[str], httpx.Client], clock: Clock) -> SentryAPI | None:
    """Sentry's read-only API, when an API token and organisation are configured."""
    if settings.sentry_api_token is None or not settings.sentry_org:
        return None
    return SentryAPI(
        client(settings.sentry_api_url), settings.sentry_api_token.get_secret_value(), settings.sentry_org, clock=clock
    )


def _sentry_fetch(api: SentryAPI | None) -> SentryFetch | None:
    """Sentry's whole-issue counts and tag breakdown (browser, release, region...)."""
    if api is None:
        return None

    def fetch(issue_id: str) -> dict[str, Any]:
        found = api.enrich(issue_id)
        return {
            "source": "sentry",
            "count": found.count,
            "user_count": found.user_count,
            "permalink": found.permalink,
            "tags": {
                key: {v.value: v.count for v in values if v.value is not None} for key, values in found.tags.items()
            },
        }

    return fetch


def _persistent_secret(settings: Settings) -> str:
    """The key that signs one-click links, kept in the data folder so links survive a restart."""
    path = settings.data_dir / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
