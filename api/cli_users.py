"""`warroom users add|list|remove`: people with their own web sign-in, so what they do carries their
name (acknowledged by "Dana Reyes", not by "web"). The sign-in token is printed once, when the user
is added; only its SHA-256 is kept. A viewer may look but not act."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from api.cli_config import database_or_exit, settings_or_exit

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["users"]

users = typer.Typer(help="People with their own web sign-in (responders act, viewers look).", no_args_is_help=True)
console = Console(stderr=True)


def _engine() -> Engine:
    from warroom.db import make_engine
    from warroom.migrations import upgrade

    settings = settings_or_exit()
    with database_or_exit(settings.database_url):
        upgrade(settings.database_url)
    return make_engine(settings.database_url)


@users.command("add")
def add(
    name: str,
    email: Annotated[str | None, typer.Option(help="their email (tracker assignee, reminders)")] = None,
    role: Annotated[str, typer.Option(help="responder (acts) or viewer (looks only)")] = "responder",
) -> None:
    """Add a user and print their personal sign-in token (shown once)."""
    from warroom.clock import SystemClock
    from warroom.errors import ActionError
    from warroom.users.store import Role, add_user

    if role not in {r.value for r in Role}:
        console.print(f"[red]refused:[/] role must be responder or viewer, not {role!r}")
        raise typer.Exit(2)
    engine = _engine()
    try:
        with engine.begin() as conn:
            user, token = add_user(conn, name=name, email=email, role=Role(role), now=SystemClock().now())
    except ActionError as exc:
        console.print(f"[red]refused:[/] {exc.message}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"added {user.name} ({user.role.value})")
    typer.echo(f"sign-in token (shown once; they paste it at /login): {token}")


@users.command("list")
def list_command() -> None:
    """Everyone who can sign in with their own token."""
    from warroom.users.store import list_users

    engine = _engine()
    try:
        with engine.connect() as conn:
            found = list_users(conn)
    finally:
        engine.dispose()
    for user in found:
        typer.echo(f"{user.name}\t{user.role.value}\t{user.email or '-'}\tsince {user.created_at:%Y-%m-%d}")
    if not found:
        typer.echo("no users: everyone signs in with the shared API token, as 'web'")


@users.command("remove")
def remove(name: str) -> None:
    """Remove a user: their token stops working and their open sessions end."""
    from warroom.errors import ActionError
    from warroom.users.store import remove_user

    engine = _engine()
    try:
        with engine.begin() as conn:
            remove_user(conn, name)
    except ActionError as exc:
        console.print(f"[red]refused:[/] {exc.message}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"removed {name}")
