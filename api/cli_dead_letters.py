"""`warroom jobs|outbox list|retry`: the dead letters (work that gave up, sends that gave up or
whose outcome is unknown) from a terminal, against the database `WARROOM_DATABASE_URL` names; a
running warroom picks up a retried item within its poll interval."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from api.cli_config import database_or_exit, settings_or_exit
from warroom.clock import utcnow

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["jobs", "outbox"]

jobs = typer.Typer(help="Scheduled work: list it, retry a job that gave up.", no_args_is_help=True)
outbox = typer.Typer(
    help="Outgoing messages: list them, retry one that gave up or whose outcome is unknown.", no_args_is_help=True
)
console = Console()


def _engine() -> Engine:
    from warroom.db import make_engine
    from warroom.migrations import upgrade

    url = settings_or_exit().database_url
    with database_or_exit(url):
        upgrade(url)
    return make_engine(url)


@jobs.command("list")
def list_jobs(
    state: Annotated[list[str] | None, typer.Option(help="pending, done, cancelled, failed (default: failed)")] = None,
) -> None:
    """Jobs in the given states (default: those that gave up)."""
    from warroom.scheduler import store as job_store

    with _engine().connect() as conn:
        found = job_store.list_jobs(conn, states=state or ["failed"])
    for job in found:
        console.print(f"{job.id}\t{job.state}\t{job.kind}\t{job.key}\t{job.last_error or ''}", markup=False)


@jobs.command("retry")
def retry_job(job_id: int) -> None:
    """Run a job that gave up (or was cancelled) again, now, with fresh attempts."""
    from warroom.scheduler import store as job_store

    with _engine().begin() as conn:
        if not job_store.retry(conn, job_id, utcnow()):
            job = job_store.get_job(conn, job_id)
            console.print(
                f"job {job_id} "
                + (f"is {job.state}: only failed or cancelled jobs are retried" if job else "not found")
            )
            raise typer.Exit(1)
    console.print(f"job {job_id} is due now; a running warroom picks it up within a second")


@outbox.command("list")
def list_sends(
    state: Annotated[
        list[str] | None, typer.Option(help="pending, sent, failed, unknown (default: failed, unknown)")
    ] = None,
) -> None:
    """Outgoing messages in the given states (default: those needing a human)."""
    from warroom.outbox import store as outbox_store

    with _engine().connect() as conn:
        found = outbox_store.list_rows(conn, states=state or ["failed", "unknown"])
    for row in found:
        console.print(f"{row.id}\t{row.state}\t{row.kind}\t{row.idempotency_key}\t{row.last_error or ''}", markup=False)


@outbox.command("retry")
def retry_send(item_id: int) -> None:
    """Send a message that gave up, or one of unknown outcome you checked did not arrive."""
    from warroom.outbox import store as outbox_store

    with _engine().begin() as conn:
        if not outbox_store.retry(conn, item_id, utcnow()):
            row = outbox_store.get_row(conn, item_id)
            console.print(
                f"outbox row {item_id} "
                + (f"is {row.state}: only failed or unknown rows are retried" if row else "not found")
            )
            raise typer.Exit(1)
    console.print(f"outbox row {item_id} is due now; a running warroom sends it within a second")
