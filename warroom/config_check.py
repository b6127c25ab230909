"""Configuration that refuses mistakes: `load_settings` is how every `warroom` command reads its
settings. A misspelled `WARROOM_*` variable or `warroom.toml` key, or a `WARROOM_CONFIG` naming
a missing file, is an error with a "did you mean", not a silent start on the defaults (which in
production means nobody is paged). Per-severity tables given in part (`{"P0": 3}`) are merged
over the defaults by `Settings` itself, so naming one level never drops another's clock."""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from warroom.channels import Channel
from warroom.codeowners import handles
from warroom.settings import Settings, secret_value

__all__ = ["ConfigError", "OTHER_VARIABLES", "effective", "load_settings", "risks"]

OTHER_VARIABLES = frozenset({"WARROOM_CONFIG", "WARROOM_CRASH_AT"})
"""`WARROOM_*` variables that are not settings: the config file's path, the crash tests' switch."""


class ConfigError(Exception):
    """A configuration mistake, in one line a person can act on."""


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    fields = list(Settings.model_fields)
    known_variables = sorted({f"WARROOM_{name.upper()}" for name in fields} | OTHER_VARIABLES)
    for name in sorted(environ):
        if name.upper().startswith("WARROOM_") and name.upper() not in known_variables:
            raise ConfigError(f"unknown setting {name}{_suggest(name.upper(), known_variables)}")
    named = environ.get("WARROOM_CONFIG")
    path = Path(named or "warroom.toml")
    if named and not path.exists():
        raise ConfigError(f"WARROOM_CONFIG names {path}, which does not exist")
    if path.exists():
        try:
            table = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
        for key in table:
            if key not in fields:
                raise ConfigError(f"unknown key {key!r} in {path}{_suggest(key, fields)}")
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"{where}: {first['msg']} ({len(exc.errors())} problem(s) in the configuration)") from exc
    return _relative_to(settings, path, environ)


def _relative_to(settings: Settings, toml: Path, environ: Mapping[str, str]) -> Settings:
    """A path written in `warroom.toml` means beside that file, not wherever the process started."""
    found = settings.codeowners_path
    if found is None or found.is_absolute() or "WARROOM_CODEOWNERS_PATH" in environ or not toml.exists():
        return settings
    return settings.model_copy(update={"codeowners_path": toml.resolve().parent / found})


_CUSTOMER_CHANNELS = {Channel.EMAIL, Channel.ENTERPRISE_EMAIL, Channel.DISCORD, Channel.X}
_DEFAULTS = Settings.model_construct()


def effective(settings: Settings) -> dict[str, object]:
    """Every setting as it will be used, secrets masked (`**********`), for `warroom check-config`."""
    return settings.model_dump(mode="json")


def _codeowners_handles(settings: Settings) -> set[str]:
    path = settings.codeowners_path
    return handles(path.read_text(errors="replace")) if path is not None and path.is_file() else set()


def risks(settings: Settings) -> list[str]:
    """Choices that start fine and hurt later: each one line saying what would happen."""
    found = []
    for name, channel in settings.channels.items():
        if name in _CUSTOMER_CHANNELS and channel.auto_send_at_or_above is not None:
            found.append(
                f"channels.{name}: customer messages are sent without a human's approval at "
                f"{channel.auto_send_at_or_above} and above"
            )
    outside = bool(secret_value(settings.smtp_url) or secret_value(settings.slack_bot_token))
    if outside and settings.public_url == _DEFAULTS.public_url:
        found.append(
            f"public_url is the default {settings.public_url}: approval links in Slack and email will not open "
            "anywhere but this machine"
        )
    if secret_value(settings.smtp_url) and settings.email_from == _DEFAULTS.email_from:
        found.append(
            f"email_from is the default {settings.email_from}: customers and pages get mail from a made-up address"
        )
    if secret_value(settings.smtp_url) and not settings.company_name:
        found.append("company_name is unset: customer email says neither who it is from nor who signs it")
    if settings.status_url is None and settings.status_page_vendor is not None:
        found.append(
            f"posts go to the {settings.status_page_vendor} but status_page_url is unset: customer messages "
            "carry no status-page link"
        )
    elif settings.status_url is None:
        found.append(
            "customer messages carry no status-page link: set public_url or status_page_url to a public address"
        )
    for handle in sorted(_codeowners_handles(settings)):
        if not settings.people_named(handle):
            found.append(
                f"CODEOWNERS names {handle} but nobody in warroom.toml has it in `handles`: "
                "it is never invited to a war room or assigned an action item"
            )
    people = [settings.on_call, *settings.escalation]
    if not any(p.email for p in people) and not (secret_value(settings.slack_bot_token) and settings.on_call.slack_id):
        found.append("nobody can be paged: on_call and escalation have no email (and no Slack id with Slack on)")
    if settings.codeowners_path is not None and not settings.codeowners_path.exists():
        found.append(f"codeowners_path {settings.codeowners_path} does not exist: incidents will have no owners")
    return found
