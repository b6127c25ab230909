"""The `warroom` command: serve, worker, demo, migrate; the human actions (`api.cli_actions`) and
the dead letters (`api.cli_dead_letters`)."""

from __future__ import annotations

import logging
import signal
import threading
from importlib.metadata import version
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from api import cli_actions, cli_dead_letters, cli_users
from api.cli_config import database_or_exit, port_or_exit, settings_or_exit
from warroom.settings import Settings

if TYPE_CHECKING:
    from api.composition import Warroom

# The server, the graphs and the SDKs behind them are imported inside the commands that run
# them: `warroom --help`, `--version` and a mistyped command answer in well under a second.

__all__ = ["app"]

app = typer.Typer(help="warroom: the self-hosted incident-response crew.", no_args_is_help=True)
console = Console()


def _print_version(asked: bool) -> None:
    if asked:
        console.print(f"warroom {version('warroom')}")
        raise typer.Exit()


@app.callback()
def main(
    _version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True, help="print the version"),
) -> None:
    """warroom: the self-hosted incident-response crew."""


app.add_typer(cli_actions.incident, name="incident")
app.command("declare", help="Declare an incident by hand (same as `warroom incident declare`).")(
    cli_actions.declare_command
)
app.command("digest")(cli_actions.digest_command)
app.add_typer(cli_actions.draft, name="draft")
app.add_typer(cli_actions.postmortem, name="postmortem")
app.add_typer(cli_actions.action_item, name="action-item")
app.add_typer(cli_dead_letters.jobs, name="jobs")
app.add_typer(cli_dead_letters.outbox, name="outbox")
app.add_typer(cli_users.users, name="users")


def _announce(warroom: Warroom) -> None:
    for concern, choice in warroom.defaults.items():
        console.print(f"[dim]{concern}:[/] {choice}")


def _observed() -> Settings:
    """Settings, with logging and Sentry set up from them."""
    from warroom.observability import configure_logging, init_sentry

    settings = settings_or_exit()
    configure_logging(settings)
    if init_sentry(settings):
        logging.getLogger("warroom").info("reporting warroom's own errors to Sentry")
    return settings


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    worker: bool = typer.Option(
        True,
        "--worker/--no-worker",
        help="start the scheduler, graphs and outbox in a second process and restart it if it dies; "
        "--no-worker for API-only nodes beside `warroom worker`",
    ),
    one_process: bool = typer.Option(
        False, "--one-process", help="run the scheduler in the API's own process (one process, as on a tiny machine)"
    ),
) -> None:
    """Run the API and web UI, with the scheduler and outbox worker in a second process."""
    import os

    import uvicorn

    from api.app import create_app
    from api.composition import Warroom
    from api.supervisor import WorkerSupervisor, worker_command

    port_or_exit(host, port)
    settings = _observed()
    if "public_url" not in settings.model_fields_set:
        # Unset, links (one-click approvals, the pinned status page) point at the address served.
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        settings = settings.model_copy(update={"public_url": f"http://{shown}:{port}"})
    with database_or_exit(settings.database_url):
        warroom = Warroom.build(settings)
    _announce(warroom)
    if warroom.settings.api_token is None:
        console.print(f"[bold]API token for this run:[/] {warroom.api_token}")
    console.print(f"web UI: {settings.public_url.rstrip('/')}/incidents (sign in with the API token)")
    console.print(f"status page: {settings.public_url.rstrip('/')}/status")
    supervisor = None
    if worker and not one_process:
        warroom.listen("api")
        # The worker's links must point where this process serves; it has no API token to know.
        supervisor = WorkerSupervisor(worker_command(), {**os.environ, "WARROOM_PUBLIC_URL": settings.public_url})
        supervisor.start()
        console.print(f"worker: pid {supervisor.pid} (scheduler, graphs, outbox), restarted if it dies")
    try:
        uvicorn.run(create_app(warroom, run_worker=one_process), host=host, port=port, log_level="info")
    finally:
        if supervisor is not None:
            supervisor.stop()
        warroom.close()


@app.command()
def worker(
    health_port: int | None = typer.Option(
        None, help="also serve /healthz, /readyz and /metrics on this port (127.0.0.1), for a supervisor"
    ),
    supervised: bool = typer.Option(
        False, "--supervised", hidden=True, help="started by `warroom serve`: stop when stdin closes, not on signals"
    ),
) -> None:
    """Run only the scheduler and outbox worker (`warroom serve` starts one; more beside API
    processes on PostgreSQL)."""
    import uvicorn

    from api.app import health_app
    from api.composition import Warroom

    settings = _observed()
    stop = threading.Event()
    if supervised:
        from api.supervisor import lower_priority

        lower_priority()
        # Ctrl-C and a service manager's SIGTERM reach the whole process group; `serve` stops this
        # process itself (by closing our stdin) once the API has stopped, so it is never restarted
        # in between.
        for ignored in (signal.SIGINT, signal.SIGTERM):
            signal.signal(ignored, signal.SIG_IGN)
        threading.Thread(target=_stop_when_parent_goes, args=(stop,), name="parent-watch", daemon=True).start()
    else:
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with database_or_exit(settings.database_url):
        warroom = Warroom.build(settings)
    if not supervised:
        _announce(warroom)
    warroom.listen("worker")
    warroom.scheduler.start()
    server = None
    if health_port is not None:
        server = uvicorn.Server(
            uvicorn.Config(health_app(warroom), host="127.0.0.1", port=health_port, log_level="warning")
        )
        threading.Thread(target=server.run, name="health", daemon=True).start()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.should_exit = True
        warroom.close()


def _stop_when_parent_goes(stop: threading.Event) -> None:
    """The parent holds our stdin's other end: end of file means it asks us to stop, or is gone
    however it ended.
    The file descriptor is read directly: a daemon thread inside the buffered `sys.stdin` would
    abort the interpreter's shutdown."""
    import os
    import sys

    while os.read(sys.stdin.fileno(), 4096):
        pass
    stop.set()


@app.command("check-config")
def check_config(show: bool = typer.Option(True, help="print the effective configuration")) -> None:
    """Validate the configuration, print it as it will be used (secrets masked) and warn about
    risky choices. Exit status 2 on an error, 1 on warnings, 0 when clean."""
    from warroom.config_check import effective, risks

    settings = settings_or_exit()
    if show:
        console.print_json(data=effective(settings))
    warnings = risks(settings)
    for warning in warnings:
        console.print(f"[bold yellow]warning:[/] {warning}", soft_wrap=True)
    if warnings:
        raise typer.Exit(1)
    console.print("configuration OK")


@app.command()
def migrate() -> None:
    """Bring the database named by WARROOM_DATABASE_URL to the latest schema."""
    from graphs.checkpoints import prepare_checkpoints
    from warroom.migrations import upgrade

    settings = settings_or_exit()
    with database_or_exit(settings.database_url):
        upgrade(settings.database_url)
        prepare_checkpoints(settings.resolved_checkpoint_url)
    console.print("database is at the latest schema (checkpoint tables included)")


@app.command()
def demo(
    events: int = 847,
    minutes: float = 3.0,
    hold: bool = typer.Option(
        False, "--keep", "--hold", help="keep the server up afterwards with the demo's data, to click around the web UI"
    ),
) -> None:
    """Replay the 2am checkout outage through the real HTTP API of a local server."""
    from api.demo import run_demo

    raise typer.Exit(run_demo(console, events=events, minutes=minutes, hold=hold))


if __name__ == "__main__":  # `python -m api.cli`: how `warroom serve` starts its worker
    app()
