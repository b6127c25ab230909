"""Enrichment from the source's own API: Sentry's whole-issue counts and tag breakdown (browser,
release, region, url, user...). Stored on the incident once, then weighed by severity (users
affected), shown as evidence, and used by the Support agent for the cohort.

A scheduler job, not a graph node: it reads from the outside world, and a failure is retried
with backoff without holding up triage, which has already decided from the alerts alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flows.comms import first_round
from flows.context import Context
from warroom import keys
from warroom.drafts.models import CommsKind
from warroom.incidents import store as incidents
from warroom.kinds import JobKind, TimelineKind
from warroom.scheduler.engine import Scheduler
from warroom.scheduler.store import Job, schedule

__all__ = ["EnrichmentFlow", "SentryFetch"]

SentryFetch = Callable[[str], dict[str, Any]]


class EnrichmentFlow:
    def __init__(self, context: Context, fetch_sentry_issue: SentryFetch | None) -> None:
        self.context = context
        self._fetch = fetch_sentry_issue

    def register(self, scheduler: Scheduler) -> None:
        scheduler.register(JobKind.INCIDENT_ENRICH, self.handle_enrich)

    def handle_enrich(self, job: Job) -> None:
        ctx = self.context
        incident_id = int(job.payload["incident_id"])
        with ctx.engine.connect() as conn:
            incident = incidents.get_incident(conn, incident_id, with_timeline=False)
        if incident is None or self._fetch is None or not incident.dedup_key.startswith("sentry:issue:"):
            return
        issue_id = incident.dedup_key.removeprefix("sentry:issue:")
        data = self._fetch(issue_id)
        now = ctx.clock.now()
        tops = [f"{key} {max(values, key=values.get)}" for key, values in data.get("tags", {}).items() if values][:4]
        summary = f"Sentry issue {issue_id}: {data.get('count', '?')} events, {data.get('user_count', '?')} users" + (
            f"; most affected: {', '.join(tops)}" if tops else ""
        )
        with ctx.engine.begin() as conn:
            incidents.set_enrichment(conn, incident_id, data, data.get("user_count"))
            incidents.add_timeline(
                conn,
                incident_id,
                now,
                TimelineKind.ENRICHMENT,
                summary,
                actor="sentry",
                data=data,
                dedup_key=keys.enriched(incident_id),
            )
            schedule(
                conn,
                key=keys.reassess(incident_id, "enriched"),
                kind=JobKind.INCIDENT_REASSESS,
                due_at=now,
                payload={"incident_id": incident_id},
                lane=keys.incident_lane(incident_id),
            )
            if incident.severity is not None and incident.severity.pages_customers:
                schedule(
                    conn,
                    key=keys.initial_comms_enriched(incident_id),
                    kind=JobKind.COMMS_PREPARE,
                    due_at=now,
                    payload={
                        "incident_id": incident_id,
                        "kind": CommsKind.INITIAL.value,
                        "label": first_round(conn, incident_id),
                    },
                    lane=keys.comms_lane(incident_id),
                )
