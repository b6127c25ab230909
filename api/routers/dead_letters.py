"""`/api/jobs` and `/api/outbox`: work that gave up (the dead letters) and sends of unknown
outcome, and a human's retry of one. The CLI (`warroom jobs|outbox retry ID`) does the same."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status

from api.composition import Warroom
from api.deps import Authorized, Id, IdFilter, WarroomDep
from api.errors import documented
from warroom.outbox import store as outbox
from warroom.outbox.models import OutboxRecord
from warroom.scheduler import store as jobs
from warroom.scheduler.models import JobRecord

__all__ = ["rerun_job", "resend", "router"]

router = APIRouter(prefix="/api", tags=["dead letters"], responses=documented(401, 422))

JobState = Literal["pending", "done", "cancelled", "failed"]
SendState = Literal["pending", "sent", "failed", "unknown", "cancelled"]


@router.get("/jobs", response_model=list[JobRecord])
def list_jobs(
    warroom: WarroomDep,
    _: Authorized,
    state: Annotated[list[JobState] | None, Query()] = None,
    incident_id: IdFilter = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[JobRecord]:
    with warroom.engine.connect() as conn:
        return jobs.list_jobs(conn, states=list(state or []), incident_id=incident_id, limit=limit)


@router.post("/jobs/{job_id}/retry", response_model=JobRecord, responses=documented(404, 409))
def retry_job(job_id: Id, warroom: WarroomDep, _: Authorized) -> JobRecord:
    return rerun_job(warroom, job_id)


def rerun_job(warroom: Warroom, job_id: int) -> JobRecord:
    """Run a job that gave up (or was cancelled) again, now, with fresh attempts (the web UI's
    button does the same)."""
    with warroom.engine.begin() as conn:
        retried = jobs.retry(conn, job_id, warroom.clock.now())
        job = jobs.get_job(conn, job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"job {job_id} not found")
    if not retried:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"job {job_id} is {job.state}; only failed or cancelled jobs are retried"
        )
    warroom.scheduler.wake()
    return job


@router.get("/outbox", response_model=list[OutboxRecord])
def list_sends(
    warroom: WarroomDep,
    _: Authorized,
    state: Annotated[list[SendState] | None, Query()] = None,
    incident_id: IdFilter = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[OutboxRecord]:
    with warroom.engine.connect() as conn:
        return outbox.list_rows(conn, states=list(state or []), incident_id=incident_id, limit=limit)


@router.post("/outbox/{item_id}/retry", response_model=OutboxRecord, responses=documented(404, 409))
def retry_send(item_id: Id, warroom: WarroomDep, _: Authorized) -> OutboxRecord:
    return resend(warroom, item_id)


def resend(warroom: Warroom, item_id: int) -> OutboxRecord:
    """Send a row that gave up, or one of unknown outcome a human checked did not arrive (the web
    UI's button does the same)."""
    with warroom.engine.begin() as conn:
        retried = outbox.retry(conn, item_id, warroom.clock.now())
        row = outbox.get_row(conn, item_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"outbox row {item_id} not found")
    if not retried:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"outbox row {item_id} is {row.state}; only failed or unknown rows are retried"
        )
    warroom.scheduler.wake()
    return row
