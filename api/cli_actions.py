"""`warroom incident|draft|postmortem|action-item …`: the human actions from a terminal.

The same functions the web UI, the REST API and Slack call (`flows.actions`), run against the
database `WARROOM_DATABASE_URL` names; a running `warroom serve` or `warroom worker` picks up what
they queue within its poll interval. A refusal prints its reason and exits with status 1.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from api.cli_config import database_or_exit, settings_or_exit
from warroom.actors import Actor, ActorKind
from warroom.severity import Severity

# The flows (and the agents, models and SDKs behind them) are imported inside each command, so
# `warroom --help` and a typo answer at once instead of after seconds of imports.

__all__ = ["action_item", "declare_command", "digest_command", "draft", "incident", "postmortem"]

incident = typer.Typer(help="Note, acknowledge, re-rate or resolve an incident.", no_args_is_help=True)
draft = typer.Typer(help="Approve or reject a customer comms draft.", no_args_is_help=True)
postmortem = typer.Typer(help="Save an edited postmortem as its next version.", no_args_is_help=True)
action_item = typer.Typer(help="Mark an action item done.", no_args_is_help=True)
console = Console(stderr=True)

As = Annotated[str, typer.Option("--as", help="who is acting (recorded as cli:<name>)")]


def _run(action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    from flows.context import Context
    from warroom.clock import SystemClock
    from warroom.db import make_engine
    from warroom.errors import ActionError
    from warroom.migrations import upgrade

    settings = settings_or_exit()
    with database_or_exit(settings.database_url):
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        return action(Context(engine=engine, clock=SystemClock(), settings=settings), *args, **kwargs)
    except ActionError as exc:
        console.print(f"[red]refused:[/] {exc.message}")
        for problem in exc.problems:
            console.print(f"  - {problem}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def _actor(name: str) -> Actor:
    """`--as` or, without it, the login name of whoever runs the command."""
    return Actor(kind=ActorKind.CLI, name=name or getpass.getuser())


@incident.command("declare")
def declare_command(
    title: str,
    severity: Annotated[Severity, typer.Option(help="the level you judge it to be")],
    service: Annotated[str | None, typer.Option(help="the affected service")] = None,
    customers_see: Annotated[str, typer.Option(help="what customers report or see (stays internal)")] = "",
    as_: As = "",
) -> None:
    """Declare an incident by hand (a customer reported it before any alert fired)."""
    from pydantic import ValidationError

    from flows.actions.declare import Declaration, declare

    try:
        declaration = Declaration(title=title, severity=severity, service=service, customers_see=customers_see)
    except ValidationError as exc:
        console.print(f"[red]refused:[/] {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
        raise typer.Exit(2) from None
    done = _run(declare, declaration, _actor(as_))
    verb = "joined the open incident" if done.joined else "opened incident"
    typer.echo(f"{verb} {done.incident_id} at {severity}; a running warroom takes it from here")


def digest_command(
    week: Annotated[
        str | None, typer.Option(help="an ISO week such as 2026-W48 (default: the week just ended)")
    ] = None,
    days: Annotated[int | None, typer.Option(help="instead of a week: the last N days")] = None,
    month: Annotated[
        str | None, typer.Option(help="instead of a week: a calendar month such as 2026-11 (the monthly report)")
    ] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown/--text", help="Markdown (headings, a table) or plain text")
    ] = False,
) -> None:
    """Print the weekly engineering digest: incidents, response times, the playbook's targets, action items."""
    import re

    from flows.tickets import build_digest

    if week is not None and not re.fullmatch(r"\d{4}-W\d{2}", week):
        console.print(f"[red]refused:[/] week {week!r} is not an ISO week such as 2026-W48")
        raise typer.Exit(2)
    if month is not None and not re.fullmatch(r"\d{4}-\d{2}", month):
        console.print(f"[red]refused:[/] month {month!r} is not a month such as 2026-11")
        raise typer.Exit(2)
    try:
        found = _run(build_digest, week=week, days=days, month=month)
    except ValueError:
        if week is None and month is None:
            raise
        console.print(f"[red]refused:[/] {f'month {month!r}' if month else f'week {week!r}'} does not exist")
        raise typer.Exit(2) from None
    typer.echo(found.markdown if markdown else found.text)


@incident.command("note")
def note(incident_id: int, text: str, as_: As = "") -> None:
    """Add a note; labelled lines ("tried: …", "cause: …", "eta: 30m") feed the updates."""
    from flows.actions.incidents import add_note

    _run(add_note, incident_id, text, _actor(as_))
    typer.echo(f"noted on incident {incident_id}")


@incident.command("ack")
def acknowledge_command(incident_id: int, as_: As = "") -> None:
    """Acknowledge the incident (and become its commander if none is named)."""
    from flows.actions.incidents import acknowledge

    done = _run(acknowledge, incident_id, _actor(as_))
    typer.echo(f"incident {incident_id} acknowledged by {done.acknowledged_by}")


@incident.command("severity")
def set_severity_command(incident_id: int, severity: Severity, as_: As = "") -> None:
    """Set the severity by hand (the rules' evidence stays, the override is added)."""
    from flows.actions.incidents import set_severity

    _run(set_severity, incident_id, severity, _actor(as_))
    typer.echo(f"severity {severity} queued for incident {incident_id}")


Stage = Annotated[
    str | None,
    typer.Option("--stage", help="where it stands first: investigating, identified or monitoring"),
]


def _stage(value: str | None) -> Any:
    from warroom.incidents.models import IncidentStatus

    if value is None:
        return None
    stages = ("investigating", "identified", "monitoring")
    if value not in stages:
        console.print(f"[red]refused:[/] stage must be one of {', '.join(stages)}")
        raise typer.Exit(2)
    return IncidentStatus(value)


@incident.command("stage")
def set_stage_command(incident_id: int, stage: str, as_: As = "") -> None:
    """Say where it stands (investigating, identified, monitoring): every channel's next words follow."""
    from flows.actions.incidents import set_stage

    _run(set_stage, incident_id, _stage(stage), _actor(as_))
    typer.echo(f"incident {incident_id} is {stage} now")


@incident.command("update")
def post_update_command(incident_id: int, stage: Stage = None, as_: As = "") -> None:
    """Post the next update now (war room, status page, P0 drafts) instead of at the cadence."""
    from flows.actions.incidents import post_update_now

    _run(post_update_now, incident_id, _actor(as_), stage=_stage(stage))
    typer.echo(f"update queued for incident {incident_id}: it goes out within the worker's poll interval")


@incident.command("resolve")
def resolve_command(incident_id: int, summary: str = "", as_: As = "") -> None:
    """Resolve: the all-clear, the war room's close and the postmortem draft follow."""
    from flows.actions.incidents import resolve

    _run(resolve, incident_id, _actor(as_), summary=summary)
    typer.echo(f"resolution queued for incident {incident_id}")


@draft.command("approve")
def approve(
    draft_id: int,
    body: Annotated[Path | None, typer.Option(help="a file with the edited text to send instead")] = None,
    as_: As = "",
) -> None:
    """Approve a draft as written, or as edited in `--body` (checked against the facts again)."""
    from flows.actions.drafts import Decision, decide_draft

    text = body.read_text() if body else None
    decided = _run(decide_draft, draft_id, Decision.APPROVE, _actor(as_), body=text)
    typer.echo(f"draft {draft_id} {decided.state.value}")


@draft.command("reject")
def reject(draft_id: int, reason: str = "", as_: As = "") -> None:
    from flows.actions.drafts import Decision, decide_draft

    decided = _run(decide_draft, draft_id, Decision.REJECT, _actor(as_), reason=reason)
    typer.echo(f"draft {draft_id} {decided.state.value}")


@postmortem.command("save")
def save(incident_id: int, markdown: Path, as_: As = "") -> None:
    """Save the Markdown file as the postmortem's next version; blaming wording is flagged."""
    from flows.actions.postmortems import save_postmortem

    version = _run(save_postmortem, incident_id, markdown.read_text(), _actor(as_))
    flagged = f", {len(version.blame_flags)} blaming phrases flagged" if version.blame_flags else ""
    typer.echo(f"postmortem v{version.version} saved{flagged}")


@action_item.command("complete")
def complete(item_id: int, as_: As = "") -> None:
    from flows.actions.action_items import complete_action_item

    done = _run(complete_action_item, item_id, _actor(as_))
    typer.echo(f"action item {item_id} {done.status}")
