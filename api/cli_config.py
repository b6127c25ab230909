"""Settings for a `warroom` command: a configuration mistake is one clear line and exit status 2."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from warroom.config_check import ConfigError, load_settings
from warroom.settings import Settings

__all__ = ["database_or_exit", "port_or_exit", "settings_or_exit"]


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        Console(stderr=True).print(f"[bold red]configuration error:[/] {exc}")
        raise typer.Exit(2) from None


@contextmanager
def database_or_exit(url: str) -> Iterator[None]:
    """A database that cannot be opened (a typo in the URL, a server that is down, a driver that
    is not installed) is one line naming the URL, password hidden, and exit status 2, instead of
    a traceback of a hundred lines."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    try:
        yield
    except (ArgumentError, NoSuchModuleError, DBAPIError, OSError, ModuleNotFoundError) as exc:
        try:
            shown = make_url(url).render_as_string(hide_password=True)
        except ArgumentError:
            shown = "(not a database URL)"
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        if isinstance(exc, ModuleNotFoundError | NoSuchModuleError):
            reason += " (warroom runs on sqlite:///path or postgresql+psycopg://user@host/db)"
        Console(stderr=True).print(
            f"[bold red]cannot open the database[/] WARROOM_DATABASE_URL={shown}: {reason}", soft_wrap=True
        )
        raise typer.Exit(2) from None


def port_or_exit(host: str, port: int) -> None:
    """Refuse a port another process holds before migrating or printing any address."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            Console(stderr=True).print(
                f"[bold red]cannot listen on {host}:{port}[/]: {exc.strerror or exc}; pass --port with a free one",
                soft_wrap=True,
            )
            raise typer.Exit(2) from None
