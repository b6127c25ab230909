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


class ServiceConfig(BaseModel):
    """Per-service knowledge a small team writes once in `warroom.toml`."""

    critical_paths: list[str] | None = Field(
        default=None, description="replaces the default critical-path words for this service"
    )
    extra_critical_paths: list[str] = Field(default_factory=list)
    runbook_url: str | None = None
    runbook_path: Path | None = Field(
        default=None, description="the runbook as a Markdown file (`## Section` headings), read by the investigation"
    )
    requests_per_minute: float | None = Field(
        default=None, description="normal traffic, to turn error counts into a share of requests"
    )
    users: int | None = Field(default=None, description="active users, to size a cohort")
    revenue_per_minute: float | None = None


class ChannelConfig(BaseModel):
    """A comms channel and the least severe level at which drafts go out without approval."""

    auto_send_at_or_above: Severity | None = None


class Person(BaseModel):
    """Someone warroom may page or name: on-call, escalation contacts, owners."""

    name: str
    email: str | None = None
    slack_id: str | None = None


class AccountConfig(BaseModel):
    """An enterprise account owed a formal notice and an RCA within `sla_rca_days`."""

    name: str
    contact_emails: list[str] = Field(default_factory=list)
    sla_rca_days: int | None = None


def _default_channels() -> dict[str, ChannelConfig]:
    """The internal summary goes to the war room at once for P0/P1; customer channels wait for a human."""
    return {Channel.SLACK_INTERNAL: ChannelConfig(auto_send_at_or_above=Severity.P1)}


def _default_cadence() -> dict[Severity, float]:
    return {Severity.P0: 15.0, Severity.P1: 30.0, Severity.P2: 24 * 60.0, Severity.P3: 7 * 24 * 60.0}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WARROOM_", extra="ignore")

    database_url: str = "sqlite:///./warroom.db"
    checkpoint_url: str | None = Field(
        default=None, description="where graph checkpoints live; defaults beside the database"
    )
    data_dir: Path = Path("./warroom-data")
    public_url: str = "http://127.0.0.1:8000"

    api_token: SecretStr | None = None
    webhook_token: SecretStr | None = None
    sentry_client_secret: SecretStr | None = None
    pagerduty_secret: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    statuspage_api_key: SecretStr | None = None
    statuspage_page_id: str | None = None
    instatus_api_key: SecretStr | None = None
    instatus_page_id: str | None = None
    linear_api_key: SecretStr | None = None
    linear_team_id: str | None = None
    linear_api_url: str = "https://api.linear.app/graphql"
    jira_url: str | None = Field(default=None, description="the Jira Cloud site, e.g. https://acme.atlassian.net")
    jira_email: str | None = None
    jira_api_token: SecretStr | None = None
    jira_project: str | None = Field(default=None, description="the project key tickets are filed in, e.g. OPS")
    jira_issue_type: str = "Task"
    jira_priorities: dict[Severity, str] = Field(
        default_factory=lambda: dict(DEFAULT_JIRA_PRIORITIES),
        description="our item priorities to the Jira priority names of your site (unnamed ones keep the default)",
    )
    smtp_url: SecretStr | None = None
    sentry_api_token: SecretStr | None = None
    notion_token: SecretStr | None = None
    notion_parent_page_id: str | None = Field(
        default=None, description="the page postmortems are published under (shared with the integration)"
    )
    prometheus_url: str | None = Field(default=None, description="e.g. http://prometheus:9090, read-only queries")
    llm_model: str | None = None
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

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "debug", "info", "warning", "error"] = "INFO"
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one object per line, for a log shipper"
    )
    sentry_dsn: SecretStr | None = Field(default=None, description="report warroom's own errors to this Sentry project")
    sentry_environment: str = "production"

    max_body_bytes: int = Field(default=1024 * 1024, description="the largest request body any route takes (413)")
    public_metrics: bool = Field(default=False, description="serve /metrics without the API token")
    public_docs: bool = Field(default=False, description="serve /docs and /openapi.json without the API token")
    critical_paths: list[str] = Field(default_factory=lambda: list(DEFAULT_CRITICAL_PATHS))
    services: dict[str, ServiceConfig] = Field(default_factory=dict)
    channels: dict[str, ChannelConfig] = Field(default_factory=_default_channels)
    accounts: dict[str, AccountConfig] = Field(default_factory=dict)
    on_call: Person = Field(default_factory=lambda: Person(name="on-call"))
    escalation: list[Person] = Field(default_factory=list, description="who is paged, in order, when on-call is silent")
    ack_sla_minutes: dict[Severity, float] = Field(default_factory=lambda: {Severity.P0: 1.0, Severity.P1: 5.0})
    unresolved_escalation_minutes: dict[Severity, float] = Field(
        default_factory=lambda: {Severity.P0: 120.0, Severity.P1: 480.0}
    )
    codeowners_path: Path | None = None
    secret_key: SecretStr | None = Field(default=None, description="signs one-click links; generated if unset")
    approval_link_minutes: int = 24 * 60
    discord_webhook_url: SecretStr | None = None
    x_bearer_token: SecretStr | None = None
    x_api_url: str = "https://api.x.com"
    sentry_org: str | None = None
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
    slack_api_url: str = "https://slack.com/api/"
    statuspage_api_url: str = "https://api.statuspage.io/v1"
    instatus_api_url: str = "https://api.instatus.com"
    sentry_api_url: str = "https://sentry.io"
    notion_api_url: str = "https://api.notion.com"
    update_cadence_minutes: dict[Severity, float] = Field(
        default_factory=_default_cadence,
        description="minutes between updates per severity; fractions are allowed (the crash suite runs at seconds)",
    )
    correlation_window_minutes: int = 30
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
    status_page_name: str = "Service status"
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
    def status_url(self) -> str | None:
        """The status page customers are sent to; None while it would be an address only this
        machine can open (the default `public_url`), since a dead link is worse than none."""
        url = self.status_page_url or f"{self.public_url.rstrip('/')}/status"
        return url if _reachable_from_outside(url) else None

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
