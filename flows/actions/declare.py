"""Declaring an incident by hand: a customer tweets before any alert fires, and a person opens
the incident themselves. It runs the same lifecycle as an alert-opened one (page, war room,
comms drafts, updates, postmortem), at the level the person chose, not the rules' reading.

The declaration is stored as an alert of source `declared` (so the incident's record, the
evals and the postmortem read it like any other), with the person's level already set as a
human classification in the same transaction: the graph's first triage takes it as given.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from agents.cto.assess import human_override
from flows.actions.incidents import set_severity
from flows.context import Context
from warroom.actors import Actor
from warroom.alerts.models import MAX_MESSAGE, MAX_NAME, MAX_TITLE, Alert
from warroom.alerts.store import ingest_alert, lock_correlation_keys
from warroom.incidents import store as incidents
from warroom.kinds import TimelineKind
from warroom.severity import Severity
from warroom.untrusted import clean_text

__all__ = ["Declaration", "Declared", "declare"]

SOURCE = "declared"


class Declaration(BaseModel):
    """What a person knows when they declare: a title, a level, and what customers see."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=3, max_length=MAX_TITLE, description="what is wrong, e.g. 'Checkout is failing'")
    severity: Severity
    service: str | None = Field(default=None, max_length=MAX_NAME, description="the affected service, if known")
    customers_see: str = Field(
        default="", max_length=MAX_MESSAGE, description="what customers report or see (internal: it is never quoted)"
    )


class Declared(BaseModel):
    incident_id: int
    joined: bool = Field(description="the declaration joined an incident already open for the same thing")


def declare(ctx: Context, declaration: Declaration, actor: Actor) -> Declared:
    """Open (or join) the incident; a new one starts at the declared level, decided by `actor`."""
    now = ctx.clock.now()
    key = f"{SOURCE}:{uuid.uuid4().hex}"
    alert = Alert(
        source=SOURCE,
        delivery_key=key,
        dedup_key=key,
        title=clean_text(declaration.title),
        message=clean_text(declaration.customers_see),
        service=clean_text(declaration.service) if declaration.service else None,
        level=declaration.severity.value.lower(),
        occurred_at=now,
        event_type="declared",
    )
    with ctx.engine.begin() as conn:
        lock_correlation_keys(conn, [alert])
        outcome = ingest_alert(conn, alert, now, timedelta(minutes=ctx.settings.correlation_window_minutes))
        assert outcome.incident_id is not None
        incident = incidents.get_incident(conn, outcome.incident_id, with_timeline=False)
        assert incident is not None
        joined = incident.classification is not None or incident.alert_count > 1
        incidents.add_timeline(
            conn,
            outcome.incident_id,
            now,
            TimelineKind.NOTE,
            f"Declared by {actor.label} as {declaration.severity}: {alert.title}",
            actor=actor.label,
        )
        if not joined:
            incidents.set_classification(
                conn, outcome.incident_id, human_override(None, declaration.severity, actor.label)
            )
    if joined and (incident.severity is None or declaration.severity < incident.severity):
        set_severity(ctx, outcome.incident_id, declaration.severity, actor)  # the person knows it is worse
    return Declared(incident_id=outcome.incident_id, joined=joined)
