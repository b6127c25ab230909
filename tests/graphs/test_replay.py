"""A node run again after a crash schedules nothing new: its keys come from stored facts, not
from the clock (the next update and the "storm has settled" redraft used to carry the time)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from api.scenarios import checkout_outage
from flows.actions.incidents import get_incident
from graphs import incident_effects
from tests.conftest import SENTRY_SECRET
from warroom.scheduler.tables import JobRow


def _jobs(warroom) -> int:
    with warroom.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(JobRow)).scalar_one()


def test_rescheduling_the_tick_and_the_redraft_minutes_later_adds_no_job(client, warroom, clock):
    for delivery in checkout_outage(SENTRY_SECRET, events=40, minutes=1, start=clock.now() - timedelta(minutes=1)):
        incident_id = client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers).json()[
            "incident_id"
        ]
    warroom.scheduler.run_pending()
    incident = get_incident(warroom.context, incident_id)
    before = _jobs(warroom)

    clock.advance(timedelta(minutes=3))
    with warroom.engine.begin() as conn:
        incident_effects.refresh_initial_comms(conn, incident, clock.now())
        incident_effects.schedule_tick(conn, warroom.context, incident, 1)

    assert _jobs(warroom) == before
