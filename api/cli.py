"""The `warroom` command: serve, worker, demo, migrate, and `jobs`/`outbox` for the dead letters."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from sqlalchemy import Engine

from api.app import create_app
from api.composition import Warroom
from warroom.clock import utcnow
from warroom.db import make_engine
from warroom.migrations import upgrade
from warroom.outbox import store as outbox
from warroom.scheduler import store as jobs
from warroom.settings import Settings

__all__ = ["app"]

app = typer.Typer(help="warroom: the self-hosted incident-response crew.", no_args_is_help=True)
console = Console()


def _announce(warroom: Warroom) -> None:
    for concern, choice in warroom.defaults.items():
        console.print(f"[dim]{concern}:[/] {choice}")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the API, web UI, scheduler and outbox worker in one process."""
    logging.basicConfig(level=logging.INFO)
    warroom = Warroom.build(Settings())
    _announce(warroom)
    if warroom.settings.api_token is None:
        console.print(f"[bold]API token for this run:[/] {warroom.api_token}")
    console.print(f"status page: http://{host}:{port}/status")
    try:
        uvicorn.run(create_app(warroom), host=host, port=port, log_level="info")
    finally:
        warroom.close()


@app.command()
def worker() -> None:
    """Run only the scheduler and outbox worker (scale out beside API processes on PostgreSQL)."""
    logging.basicConfig(level=logging.INFO)
    warroom = Warroom.build(Settings())
    _announce(warroom)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    warroom.scheduler.start()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        warroom.close()


jobs_app = typer.Typer(help="Scheduled work: list it, retry a job that gave up.", no_args_is_help=True)
outbox_app = typer.Typer(help="Outgoing messages: list them, retry one that gave up or whose outcome is unknown.")
outbox_app.info.no_args_is_help = True
app.add_typer(jobs_app, name="jobs")
app.add_typer(outbox_app, name="outbox")


def _engine() -> Engine:
    url = Settings().database_url
    upgrade(url)
    return make_engine(url)


@jobs_app.command("list")
def list_jobs(
    state: Annotated[list[str] | None, typer.Option(help="pending, done, cancelled, failed (default: failed)")] = None,
) -> None:
    """Jobs in the given states (default: those that gave up)."""
    with _engine().connect() as conn:
        found = jobs.list_jobs(conn, states=state or ["failed"])
    for job in found:
        console.print(f"{job.id}\t{job.state}\t{job.kind}\t{job.key}\t{job.last_error or ''}", markup=False)


@jobs_app.command("retry")
def retry_job(job_id: int) -> None:
    """Run a job that gave up (or was cancelled) again, now, with fresh attempts."""
    with _engine().begin() as conn:
        if not jobs.retry(conn, job_id, utcnow()):
            job = jobs.get_job(conn, job_id)
            console.print(
                f"job {job_id} "
                + (f"is {job.state}: only failed or cancelled jobs are retried" if job else "not found")
            )
            raise typer.Exit(1)
    console.print(f"job {job_id} is due now; a running warroom picks it up within a second")


@outbox_app.command("list")
def list_sends(
    state: Annotated[
        list[str] | None, typer.Option(help="pending, sent, failed, unknown (default: failed, unknown)")
    ] = None,
) -> None:
    """Outgoing messages in the given states (default: those needing a human)."""
    with _engine().connect() as conn:
        found = outbox.list_rows(conn, states=state or ["failed", "unknown"])
    for row in found:
        console.print(f"{row.id}\t{row.state}\t{row.kind}\t{row.idempotency_key}\t{row.last_error or ''}", markup=False)


@outbox_app.command("retry")
def retry_send(item_id: int) -> None:
    """Send a message that gave up, or one of unknown outcome you checked did not arrive."""
    with _engine().begin() as conn:
        if not outbox.retry(conn, item_id, utcnow()):
            row = outbox.get_row(conn, item_id)
            console.print(
                f"outbox row {item_id} "
                + (f"is {row.state}: only failed or unknown rows are retried" if row else "not found")
            )
            raise typer.Exit(1)
    console.print(f"outbox row {item_id} is due now; a running warroom sends it within a second")


@app.command()
def migrate() -> None:
    """Bring the database named by WARROOM_DATABASE_URL to the latest schema."""
    upgrade(Settings().database_url)
    console.print("database is at the latest schema")


@app.command()
def demo(events: int = 847, minutes: float = 3.0) -> None:
    """Replay the 2am checkout outage through the real HTTP API of a local server."""
    from api.demo import run_demo

    raise typer.Exit(run_demo(console, events=events, minutes=minutes))
