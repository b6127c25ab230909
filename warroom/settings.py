"""Every knob in one place: `WARROOM_*` environment variables over an optional `warroom.toml`.

With nothing set, every concern falls back to its embedded default (DESIGN.md).
"""

from __future__ import annotations

import email.utils
import ipaddress
import os
import urllib.parse
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from warroom.channels import Channel
from warroom.severity import Severity

__all__ = [
    "DEFAULT_CRITICAL_PATHS",
    "DEFAULT_JIRA_PRIORITIES",
    "AccountConfig",
    "ChannelConfig",
    "Person",
    "ServiceConfig",
    "Settings",
    "secret_value",
]

DEFAULT_CRITICAL_PATHS: tuple[str, ...] = (
    "checkout",
    "cart",
    "payment",
    "payments",
    "billing",
    "subscription",
    "order",
    "orders",
    "login",
    "signin",
    "auth",
    "signup",
    "register",
)

#: Jira Cloud's default priority scheme, highest first.
DEFAULT_JIRA_PRIORITIES: dict[Severity, str] = {
    Severity.P0: "Highest",
    Severity.P1: "High",
    Severity.P2: "Medium",
    Severity.P3: "Low",
}


def _reachable_from_outside(url: str) -> bool:
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host
    return address.is_global


def secret_value(secret: SecretStr | None) -> str | None:
    """The secret itself, for the one call that needs it (never for logs or prompts)."""
    return secret.get_secret_value() if secret is not None else None


DEFAULT_REVENUE_PATHS = ("checkout", "payment", "payments", "billing", "order", "orders", "subscription", "cart")
DEFAULT_ADVICE = {
    "checkout": "If your order did not go through, please place it again now.",
    "cart": "If your order did not go through, please place it again now.",
    "payment": "If a payment did not go through, please try it again now.",
    "payments": "If a payment did not go through, please try it again now.",
    "billing": "If a payment did not go through, please try it again now.",
    "login": "If you could not sign in, please try again now.",
    "signin": "If you could not sign in, please try again now.",
    "sso": "If you could not sign in, please try again now.",
    "auth": "If you could not sign in, please try again now.",
    "signup": "If you could not sign up, please try again now.",
}


class ServiceConfig(BaseModel):
    """Per-service knowledge a small team writes once in `warroom.toml`."""

    critical_paths: list[str] | None = Field(
        default=None, description="replaces the default critical-path words for this service"
    )
    extra_critical_paths: list[str] = Field(
        default_factory=list, description="critical-path words added to the defaults for this service"
    )
    runbook_url: str | None = Field(default=None, description="the runbook's address, pinned in the war room")
    runbook_path: Path | None = Field(
        default=None, description="the runbook as a Markdown file (`## Section` headings), read by the investigation"
    )
    requests_per_minute: float | None = Field(
        default=None, description="normal traffic, to turn error counts into a share of requests"
    )
    users: int | None = Field(default=None, description="active users, to size a cohort")
    revenue_per_minute: float | None = Field(
        default=None, description="normal revenue through this service per minute, to price an outage"
    )


class ChannelConfig(BaseModel):
    """A comms channel and the least severe level at which drafts go out without approval."""

    auto_send_at_or_above: Severity | None = Field(
        default=None,
        description="send this channel's drafts without approval at this severity and above; unset: always ask",
    )


class Person(BaseModel):
    """Someone warroom may page or name: on-call, escalation contacts, owners."""

    name: str = Field(description="how warroom names them in the war room, the postmortem and tickets")
    email: str | None = Field(default=None, description="where pages and reminders go; finds their Slack account")
    slack_id: str | None = Field(default=None, description="their Slack member id (`U…`), invited to war rooms")
    handles: list[str] = Field(
        default_factory=list,
        description="the CODEOWNERS handles that mean this person (`@dana`, `@acme/payments`): owners are invited and assigned",
    )

    def answers_to(self, owner: str) -> bool:
        """Whether a CODEOWNERS owner (a handle or an email) names this person."""
        wanted = owner.strip().casefold()
        if "@" in wanted and not wanted.startswith("@"):
            return self.email is not None and self.email.casefold() == wanted
        return wanted in {h.strip().casefold() for h in self.handles}


class AccountConfig(BaseModel):
    """An enterprise account owed a formal notice and an RCA within `sla_rca_days`; its users are
    those whose alerts carry its key, or whose email is at one of its domains, or whose alerts
    carry one of its tags."""

    name: str = Field(description="the account's name, as its notice and RCA address it")
    contact_emails: list[str] = Field(
        default_factory=list, description="who at the account receives its formal notice and RCA"
    )
    sla_rca_days: int | None = Field(default=None, description="days the contract allows to deliver the RCA")
    email_domains: list[str] = Field(
        default_factory=list,
        description="users with an email at these domains (or their subdomains) are this account's",
    )
    tags: dict[str, str] = Field(
        default_factory=dict, description='alert tags that mark this account\'s users, e.g. {customer = "acme"}'
    )


def _default_channels() -> dict[str, ChannelConfig]:
    """The internal summary goes to the war room at once for P0/P1; customer channels wait for a human."""
    return {Channel.SLACK_INTERNAL: ChannelConfig(auto_send_at_or_above=Severity.P1)}


def _default_cadence() -> dict[Severity, float]:
    return {Severity.P0: 15.0, Severity.P1: 30.0, Severity.P2: 24 * 60.0, Severity.P3: 7 * 24 * 60.0}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WARROOM_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./warroom.db",
        description="SQLAlchemy URL: SQLite file or postgresql+psycopg://… (serve and workers share it)",
    )
    checkpoint_url: str | None = Field(
        default=None, description="where graph checkpoints live; defaults beside the database"
    )
    data_dir: Path = Field(
        default=Path("./warroom-data"),
        description="where .eml files, the built-in status page's files and process lock files are kept",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="the address people reach this server at: one-click approval links, and the status-page link unless status_page_url is set",
    )

    api_token: SecretStr | None = Field(
        default=None,
        description="bearer token for /api/* and the web UI sign-in; generated per run and printed when unset",
    )
    webhook_token: SecretStr | None = Field(
        default=None, description="bearer token Alertmanager, Grafana and Datadog send (Alertmanager: credentials_file)"
    )
    sentry_client_secret: SecretStr | None = Field(
        default=None, description="the Sentry integration's client secret: verifies Sentry-Hook-Signature"
    )
    pagerduty_secret: SecretStr | None = Field(
        default=None, description="the PagerDuty v3 webhook signing secret: verifies X-PagerDuty-Signature"
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="verifies Slack's requests (buttons, events)"
    )
    slack_bot_token: SecretStr | None = Field(
        default=None, description="xoxb- token: a Slack channel per incident instead of the built-in war room"
    )
    digest_slack_channel: str | None = Field(
        default=None,
        max_length=80,
        description="with slack_bot_token: the public channel (name, e.g. eng, or id) the weekly digest is posted to",
    )
    statuspage_api_key: SecretStr | None = Field(
        default=None,
        description="Atlassian Statuspage API key (with statuspage_page_id): posts go there instead of /status",
    )
    statuspage_page_id: str | None = Field(default=None, description="the Atlassian Statuspage page id")
    instatus_api_key: SecretStr | None = Field(default=None, description="Instatus API key (with instatus_page_id)")
    instatus_page_id: str | None = Field(default=None, description="the Instatus page id")
    linear_api_key: SecretStr | None = Field(
        default=None, description="a Linear personal API key: action items are filed in Linear"
    )
    linear_team_id: str | None = Field(default=None, description="the Linear team action items are filed in")
    linear_api_url: str = Field(default="https://api.linear.app/graphql", description="Linear's GraphQL endpoint")
    jira_url: str | None = Field(default=None, description="the Jira Cloud site, e.g. https://acme.atlassian.net")
    jira_email: str | None = Field(default=None, description="the Atlassian account the Jira API token belongs to")
    jira_api_token: SecretStr | None = Field(
        default=None, description="a Jira Cloud API token: action items are filed in Jira"
    )
    jira_project: str | None = Field(default=None, description="the project key tickets are filed in, e.g. OPS")
    jira_issue_type: str = Field(default="Task", description="the Jira issue type tickets are filed as")
    jira_priorities: dict[Severity, str] = Field(
        default_factory=lambda: dict(DEFAULT_JIRA_PRIORITIES),
        description="our item priorities to the Jira priority names of your site (unnamed ones keep the default)",
    )
    smtp_url: SecretStr | None = Field(
        default=None, description="smtp://user:pass@host:587: customer email and pages by SMTP instead of .eml files"
    )
    sentry_api_token: SecretStr | None = Field(
        default=None, description="a Sentry API token (with sentry_org): whole-issue tags and the investigation's reads"
    )
    notion_token: SecretStr | None = Field(
        default=None, description="a Notion integration token: postmortems published under notion_parent_page_id"
    )
    notion_parent_page_id: str | None = Field(
        default=None, description="the page postmortems are published under (shared with the integration)"
    )
    prometheus_url: str | None = Field(default=None, description="e.g. http://prometheus:9090, read-only queries")
    llm_model: str | None = Field(
        default=None,
        description="an OpenAI-compatible model name (OPENAI_API_KEY, OPENAI_BASE_URL); without it, rules and templates",
    )
    investigation_max_tool_calls: int = Field(
        default=8, ge=0, description="tool calls the model may make in one investigation"
    )
    investigation_token_budget: int = Field(
        default=40_000, ge=0, description="prompt plus completion tokens one investigation may spend"
    )
    investigation_seconds: float = Field(
        default=75.0,
        gt=0,
        description="wall-clock limit of the model's investigation, counted from the end of the first look",
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "debug", "info", "warning", "error"] = Field(
        default="INFO", description="DEBUG, INFO, WARNING or ERROR"
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one object per line, for a log shipper"
    )
    sentry_dsn: SecretStr | None = Field(default=None, description="report warroom's own errors to this Sentry project")
    sentry_environment: str = Field(
        default="production", description="the environment warroom's own errors are reported under"
    )

    max_body_bytes: int = Field(default=1024 * 1024, description="the largest request body any route takes (413)")
    public_metrics: bool = Field(default=False, description="serve /metrics without the API token")
    public_docs: bool = Field(default=False, description="serve /docs and /openapi.json without the API token")
    critical_paths: list[str] = Field(
        description="words naming revenue or access paths (checkout, login, …); replaces the defaults",
        default_factory=lambda: list(DEFAULT_CRITICAL_PATHS),
    )
    services: dict[str, ServiceConfig] = Field(
        description="per service: critical_paths or extra_critical_paths, runbook_url or runbook_path, requests_per_minute and users (for shares), revenue_per_minute",
        default_factory=dict,
    )
    channels: dict[str, ChannelConfig] = Field(
        description="per channel: auto_send_at_or_above (a severity) sends without a human's approval",
        default_factory=_default_channels,
    )
    accounts: dict[str, AccountConfig] = Field(
        description="enterprise accounts by the key their users carry: name, contact_emails, sla_rca_days, email_domains, tags",
        default_factory=dict,
    )
    on_call: Person = Field(
        description="who is paged when a P0/P1 opens: name, email, slack_id, handles",
        default_factory=lambda: Person(name="on-call"),
    )
    escalation: list[Person] = Field(default_factory=list, description="who is paged, in order, when on-call is silent")
    people: list[Person] = Field(
        default_factory=list,
        description="everyone else warroom may invite or assign: name, email, slack_id, handles (CODEOWNERS @user or @org/team)",
    )
    ack_sla_minutes: dict[Severity, float] = Field(
        description="per severity: minutes to acknowledge before the next escalation contact is paged",
        default_factory=lambda: {Severity.P0: 1.0, Severity.P1: 5.0},
    )
    unresolved_escalation_minutes: dict[Severity, float] = Field(
        description="per severity: minutes open before everyone on the escalation list is told",
        default_factory=lambda: {Severity.P0: 120.0, Severity.P1: 480.0},
    )
    revenue_paths: list[str] = Field(
        default_factory=lambda: list(DEFAULT_REVENUE_PATHS),
        description="path words where money moves: an all-clear there waits until a `charged:` note (or the approver) says whether customers were charged",
    )
    advice: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_ADVICE),
        description="per path word, what a customer should do once it works again (the all-clear's advice line)",
    )
    codeowners_path: Path | None = Field(
        default=None, description="a CODEOWNERS file (relative to warroom.toml) naming owners of the affected paths"
    )
    secret_key: SecretStr | None = Field(default=None, description="signs one-click links; generated if unset")
    approval_link_minutes: int = Field(default=24 * 60, description="how long a one-click approval link stays valid")
    discord_webhook_url: SecretStr | None = Field(
        default=None, description="a Discord webhook: public updates are drafted for it"
    )
    x_bearer_token: SecretStr | None = Field(default=None, description="an X API token: public posts are drafted for X")
    x_api_url: str = Field(default="https://api.x.com", description="X's API base")
    sentry_org: str | None = Field(default=None, description="the Sentry organisation slug (with sentry_api_token)")
    email_from: str = Field(
        default="status@warroom.localhost", description="the address customer email and pages come from"
    )
    email_from_name: str | None = Field(
        default=None, description="the sender's display name; defaults to '<company_name> Status'"
    )
    email_reply_to: str | None = Field(
        default=None, description="where customers' replies go (a support inbox someone reads)"
    )
    company_name: str | None = Field(
        default=None, description="the name customers know you by; opens and signs messages"
    )
    signer: str | None = Field(
        default=None, description="who signs customer messages; defaults to 'The <company_name> team'"
    )
    status_page_url: str | None = Field(
        default=None, description="the public status page every customer message links; defaults to <public_url>/status"
    )
    slack_api_url: str = Field(default="https://slack.com/api/", description="Slack's Web API base")
    statuspage_api_url: str = Field(
        default="https://api.statuspage.io/v1", description="Atlassian Statuspage's API base"
    )
    instatus_api_url: str = Field(default="https://api.instatus.com", description="Instatus' API base")
    sentry_api_url: str = Field(
        default="https://sentry.io", description="Sentry's API base (self-hosted Sentry: your host)"
    )
    notion_api_url: str = Field(default="https://api.notion.com", description="Notion's API base")
    update_cadence_minutes: dict[Severity, float] = Field(
        default_factory=_default_cadence,
        description="minutes between updates per severity; fractions are allowed (the crash suite runs at seconds)",
    )
    correlation_window_minutes: int = Field(
        default=30, description="alerts on the same service and key within this many minutes join one incident"
    )
    raw_payload_retention_days: int = Field(
        default=90,
        ge=0,
        description="days an alert's raw payload (the body its source sent) is kept; older ones are pruned "
        "in small batches by the worker, keeping the alert, its counts and everything shown; 0 keeps them forever",
    )
    ticket_sync_minutes: float = Field(
        default=15, gt=0, description="how often the COO reads back the states of filed tickets"
    )
    customer_message_interval_minutes: float = Field(
        default=15,
        gt=0,
        description="auto-send sends at most one customer message per audience in this many minutes; "
        "a further one waits for a human, whatever re-drafting happens",
    )
    customer_auto_sends_per_hour: int = Field(
        default=30,
        ge=0,
        description="auto-sent customer messages across all incidents in an hour; beyond it, a human approves",
    )
    status_page_name: str | None = Field(
        default=None, description="the title of the built-in status page; defaults to '<company_name> status'"
    )
    status_page_logo_url: str | None = Field(
        default=None, description="an http(s) image shown beside the built-in status page's title (your logo)"
    )
    status_page_components: dict[str, str] = Field(
        default_factory=dict, description="our component names ('Checkout') to the Statuspage/Instatus component ids"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get("WARROOM_CONFIG", "warroom.toml"))
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_path),
        )

    @field_validator("status_page_logo_url", mode="after")
    @classmethod
    def _an_http_image(cls, value: str | None) -> str | None:
        """Shown to the public as an `<img src>`: an absolute http(s) address or nothing."""
        if value is not None and urllib.parse.urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("must be an http(s) URL")
        if value is not None and not urllib.parse.urlsplit(value).netloc:
            raise ValueError("must be an absolute http(s) URL")
        return value

    @field_validator("ack_sla_minutes", "unresolved_escalation_minutes", "update_cadence_minutes", mode="after")
    @classmethod
    def _over_the_defaults(cls, value: dict[Severity, float], info: ValidationInfo) -> dict[Severity, float]:
        """A table given in part (`{"P0": 3}`) changes those levels and keeps the others' defaults."""
        field = cls.model_fields[info.field_name or ""]
        defaults = field.default_factory() if field.default_factory else {}  # type: ignore[call-arg]
        return {**defaults, **value}

    @property
    def signature(self) -> str:
        return self.signer or (f"The {self.company_name} team" if self.company_name else "The team")

    @property
    def status_page_title(self) -> str:
        """The built-in page's title: as set, else "<company> status", else "Service status"."""
        if self.status_page_name:
            return self.status_page_name
        return f"{self.company_name} status" if self.company_name else "Service status"

    @property
    def status_url(self) -> str | None:
        """The status page customers are sent to; None while it would be an address only this
        machine can open (the default `public_url`), since a dead link is worse than none."""
        if self.status_page_url:
            url = self.status_page_url
        elif self.status_page_vendor is not None:
            return None  # the built-in page gets no posts then: never send customers to a stale page
        else:
            url = f"{self.public_url.rstrip('/')}/status"
        return url if _reachable_from_outside(url) else None

    @property
    def status_page_vendor(self) -> str | None:
        """The outside status page posts go to instead of the built-in one, if one is configured."""
        if self.statuspage_api_key and self.statuspage_page_id:
            return f"Atlassian Statuspage page {self.statuspage_page_id}"
        if self.instatus_api_key and self.instatus_page_id:
            return f"Instatus page {self.instatus_page_id}"
        return None

    @property
    def war_room_status_link(self) -> str:
        """The status page responders should watch: the public one customers see, wherever it is."""
        if self.status_page_url:
            return self.status_page_url
        if self.status_page_vendor is not None:
            return f"{self.status_page_vendor} (set status_page_url to link it here)"
        return f"{self.public_url.rstrip('/')}/status"

    @property
    def email_sender(self) -> str:
        """`From:` with a display name, so inboxes show who is writing rather than a bare address."""
        name = self.email_from_name or (f"{self.company_name} Status" if self.company_name else "Status updates")
        return email.utils.formataddr((name, self.email_from))

    def critical_paths_for(self, service: str | None) -> list[str]:
        config = self.services.get(service or "")
        if config is None:
            return list(self.critical_paths)
        base = config.critical_paths if config.critical_paths is not None else self.critical_paths
        return [*base, *config.extra_critical_paths]

    def auto_sends(self, channel: str, severity: Severity) -> bool:
        """Whether drafts on `channel` go out without a human at this severity (email never, by
        default); a `warroom.toml` that names some channels keeps the defaults of the others."""
        config = self.channels.get(channel) or _default_channels().get(channel)
        return bool(config and config.auto_send_at_or_above and severity <= config.auto_send_at_or_above)

    def people_named(self, owner: str) -> list[Person]:
        """The people a CODEOWNERS owner means: a handle's people (on-call, escalation, people),
        an email's person; empty when nobody configured answers to it."""
        found: list[Person] = []
        for person in (self.on_call, *self.escalation, *self.people):
            if person.answers_to(owner) and all(person.name != p.name for p in found):
                found.append(person)
        return found

    @property
    def pageable(self) -> list[Person]:
        """Who can be paged by email, in order: the on-call, then the escalation list."""
        return [p for p in (self.on_call, *self.escalation) if p.email]

    def cadence_for(self, severity: Severity) -> float:
        return self.update_cadence_minutes.get(severity, _default_cadence()[severity])

    @cached_property
    def resolved_checkpoint_url(self) -> str:
        if self.checkpoint_url:
            return self.checkpoint_url
        if self.database_url.startswith("sqlite:///"):
            db_path = Path(self.database_url.removeprefix("sqlite:///"))
            return f"sqlite:///{db_path.with_suffix('.checkpoints.db')}"
        return self.database_url
