"""A node run again after a crash schedules nothing new: its keys come from stored facts, not
from the clock (the next update and the "storm has settled" redraft used to carry the time)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from flows.actions.incidents import get_incident
from graphs import incident_effects
from warroom.scheduler.tables import JobRow


def _jobs(warroom) -> int:
    with warroom.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(JobRow)).scalar_one()


def test_rescheduling_the_tick_and_the_redraft_minutes_later_adds_no_job(warroom, clock, p0_incident):
    incident = get_incident(warroom.context, p0_incident)
    before = _jobs(warroom)

    clock.advance(timedelta(minutes=3))
    with warroom.engine.begin() as conn:
        incident_effects.refresh_initial_comms(conn, incident, clock.now())
        incident_effects.schedule_tick(conn, warroom.context, incident, 1)

    assert _jobs(warroom) == before
