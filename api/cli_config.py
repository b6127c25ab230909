"""Settings for a `warroom` command: a configuration mistake is one clear line and exit status 2."""

from __future__ import annotations

import typer
from rich.console import Console

from warroom.config_check import ConfigError, load_settings
from warroom.settings import Settings

__all__ = ["settings_or_exit"]


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        Console(stderr=True).print(f"[bold red]configuration error:[/] {exc}")
        raise typer.Exit(2) from None
