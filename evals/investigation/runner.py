"""Play the investigation suite's cases against a real, in-process warroom and grade its findings.

Each case gets a fresh warroom (temporary SQLite, a FakeClock at the case's `started_at`), its
Sentry data served by the fake Sentry API (`tests/fakes/sentry_server.py`, requests and answers
checked against Sentry's OpenAPI), its metrics by a real Prometheus backfilled with promtool, its
runbook and CODEOWNERS through the service's configuration and its history as resolved past
incidents with their postmortems and action items. The alerts are posted through the real webhook
endpoints, signed as each source signs them, and the notes through `POST /api/incidents/{id}/notes`,
each at its minute; then the clock moves to `observed_at` and the scheduler runs, so triage starts
the investigation with everything the responders had. The finding is read back from
`GET /api/incidents/{id}/findings`, its citations translated from warroom's ids (alert rows, timeline
notes, past incidents) to the case's, and graded on its hypothesis and claims only.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from api.app import create_app
from api.composition import Warroom
from evals.deliveries import sign
from evals.harness import CREDENTIALS, ON_CALL, isolated_environment
from evals.investigation.cases import Case, UnknownCitation, resolve
from evals.investigation.grading import Finding, Level, grade
from tests.fakes.prometheus import running_prometheus
from tests.fakes.routing import RoutingTransport
from tests.fakes.sentry_server import FakeSentry
from warroom.action_items import store as action_items
from warroom.alerts.models import Alert
from warroom.alerts.tables import AlertRow
from warroom.clock import FakeClock
from warroom.db import table_of
from warroom.incidents import store as incidents
from warroom.incidents.models import IncidentStatus
from warroom.postmortems import store as postmortems
from warroom.settings import Settings

__all__ = ["CaseResult", "run_case", "run_cases"]

ALERTS = table_of(AlertRow)
SENTRY_HOST = "sentry.eval"
ORG = "acme"


class CaseResult(BaseModel):
    """How one case's investigation went; `level` is None when it produced no finding."""

    case: str
    path: str = Field(description="rules or model")
    level: Level | None = None
    hypothesis: str = ""
    claims: int = 0
    claims_cited: int = Field(default=0, description="claims with at least one citation that resolves in the case")
    citations: list[str] = Field(default_factory=list, description="every id the claims cite, in the case's terms")
    invented: list[str] = Field(default_factory=list)
    rests_on_noise: bool = False
    key_evidence_cited: list[str] = Field(default_factory=list)
    tool_calls: int = 0
    text_chars: int = Field(default=0, description="length of the graded text: hypothesis and claims")
    incidents: int = 0
    dropped_claims: int = 0
    error: str | None = None


class NotInvestigated(Exception):
    """The case opened no incident the product investigates (P3 ones are not)."""


class _Ids:
    """warroom's ids of the case's evidence, to translate citations into the case's grammar."""

    def __init__(self) -> None:
        self.alerts: dict[int, int] = {}
        self.notes: dict[int, int] = {}
        self.history: dict[int, str] = {}
        self.actions: dict[int, str] = {}

    def translate(self, citation: str) -> str:
        kind, _, rest = citation.partition(":")
        if kind == "alert" and rest.isdigit() and int(rest) in self.alerts:
            return f"alert:{self.alerts[int(rest)]}"
        if kind == "note" and rest.isdigit() and int(rest) in self.notes:
            return f"note:{self.notes[int(rest)]}"
        if kind == "history":
            incident, _, action = rest.partition(":action:")
            if incident.isdigit() and int(incident) in self.history:
                past = self.history[int(incident)]
                if not action:
                    return f"history:{past}"
                if action.isdigit() and int(action) in self.actions:
                    return f"history:{past}:action:{self.actions[int(action)]}"
        return citation


def _settings(case: Case, workdir: Path, prometheus_url: str | None, llm_model: str | None) -> Settings:
    runbook = workdir / "runbook.md"
    runbook.write_text(case.runbook, encoding="utf-8")
    codeowners = None
    if case.codeowners is not None:
        codeowners = workdir / "CODEOWNERS"
        codeowners.write_text(case.codeowners, encoding="utf-8")
    with isolated_environment(llm_model):
        return Settings(
            database_url=f"sqlite:///{workdir / 'warroom.db'}",
            data_dir=workdir / "data",
            sentry_client_secret=CREDENTIALS.sentry_secret,
            pagerduty_secret=CREDENTIALS.pagerduty_secret,
            webhook_token=CREDENTIALS.webhook_token,
            api_token=CREDENTIALS.api_token,
            sentry_api_token="sntrys_eval",
            sentry_org=ORG,
            sentry_api_url=f"https://{SENTRY_HOST}",
            prometheus_url=prometheus_url,
            services={case.spec.service: {"runbook_path": runbook}},
            codeowners_path=codeowners,
            on_call=ON_CALL,
        )


def _seed_history(warroom: Warroom, case: Case, ids: _Ids) -> None:
    """Each past incident as a resolved incident with its postmortem's root cause and its items."""
    with warroom.engine.begin() as conn:
        for past in case.history:
            alert = Alert(
                source="api",
                delivery_key=f"history:{past.id}",
                dedup_key=f"history:{past.id}",
                title=past.title,
                service=past.service,
                occurred_at=past.started_at,
            )
            incident_id = incidents.open_incident(conn, alert, past.started_at)
            incidents.set_status(conn, incident_id, IncidentStatus.RESOLVED, past.resolved_at)
            ids.history[incident_id] = past.id
            markdown = f"# Postmortem: {past.title}\n\nSee {past.postmortem_url}\n\n## Root cause\n\n{past.cause}\n"
            postmortems.save_version(conn, incident_id, author="eval", now=past.resolved_at, markdown=markdown)
            for item in past.action_items:
                due = datetime.combine(item.due, time(), tzinfo=past.resolved_at.tzinfo)
                item_id = action_items.create_item(
                    conn,
                    key=f"history:{past.id}:{item.id}",
                    values=dict(
                        incident_id=incident_id,
                        title=item.title,
                        owner=item.owner,
                        due=due,
                        priority="P1",
                        source="postmortem",
                        created_at=past.resolved_at,
                    ),
                )
                assert item_id is not None
                ids.actions[item_id] = item.id
                if item.status == "done":
                    action_items.complete(conn, item_id, past.resolved_at)


async def _play(case: Case, warroom: Warroom, clock: FakeClock, ids: _Ids) -> tuple[list[int], list[dict[str, Any]]]:
    """Alerts and notes at their minutes, then the scheduler at `observed_at`; the incidents opened
    and the findings of the first one investigated (P3 incidents are not), as the API serves them."""
    auth = {"authorization": f"Bearer {CREDENTIALS.api_token}"}
    start = case.spec.started_at
    steps: list[tuple[float, int, str, Any]] = [(a.at_minute, 0, "alert", (n, a)) for n, a in enumerate(case.alerts)]
    steps += [(note.at_minute, 1, "note", (n, note)) for n, note in enumerate(case.notes)]
    opened: list[int] = []
    transport = httpx.ASGITransport(app=create_app(warroom, run_worker=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://warroom.eval") as client:
        for minute, _, kind, (index, item) in sorted(steps, key=lambda s: (s[0], s[1])):
            clock.set(start + timedelta(minutes=minute))
            if kind == "alert":
                before = _last_alert_id(warroom)
                delivery = sign(item.source, item.payload, CREDENTIALS, item.resource)
                response = await client.post(delivery.path, content=delivery.body, headers=delivery.headers)
                if response.status_code != 202:
                    raise RuntimeError(f"alert {index} refused: {response.status_code} {response.text[:300]}")
                for alert_id in range(before + 1, _last_alert_id(warroom) + 1):
                    ids.alerts[alert_id] = index
                incident_id = response.json().get("incident_id")
                if incident_id is not None and incident_id not in opened:
                    opened.append(incident_id)
                continue
            if not opened:
                raise RuntimeError("a note came before any incident was opened")
            response = await client.post(
                f"/api/incidents/{opened[0]}/notes", headers=auth, json={"text": item.text, "author": item.author}
            )
            response.raise_for_status()
            with warroom.engine.connect() as conn:
                incident = incidents.get_incident(conn, opened[0])
            assert incident is not None
            ids.notes[max(e.id or 0 for e in incident.timeline if e.kind == "note")] = index
        clock.set(case.spec.observed_at)
        warroom.scheduler.run_pending(max_rounds=200)
        levels = []
        for incident_id in opened:
            response = await client.get(f"/api/incidents/{incident_id}/findings", headers=auth)
            response.raise_for_status()
            if response.json():
                return opened, response.json()
            incident = await client.get(f"/api/incidents/{incident_id}", headers=auth)
            levels.append(str(incident.json().get("severity")))
        raise NotInvestigated(f"not investigated: its incidents were rated {', '.join(levels) or 'nothing'}")


def _last_alert_id(warroom: Warroom) -> int:
    with warroom.engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(ALERTS.c.id), 0))).scalar_one())


@contextmanager
def _world(case: Case, workdir: Path) -> Iterator[tuple[str | None, httpx.BaseTransport]]:
    """The case's Prometheus (when it has metrics) and the transport that reaches it and the fake Sentry."""
    with ExitStack() as stack:
        prometheus_url = None
        routes: dict[str, httpx.BaseTransport] = {}
        if case.openmetrics is not None:
            server = stack.enter_context(running_prometheus(case.openmetrics, workdir / "prometheus"))
            prometheus_url = server.base_url
            routes["127.0.0.1"] = stack.enter_context(httpx.HTTPTransport())
        fake = FakeSentry(org=ORG, token="sntrys_eval", clock=FakeClock(case.spec.observed_at))
        if case.sentry is not None:
            fake.serve(case.sentry.issue, case.sentry.latest_event, case.sentry.issues, case.sentry.tags)
        routes[SENTRY_HOST] = fake.transport
        yield prometheus_url, RoutingTransport(routes)
        if fake.violations:
            raise RuntimeError(f"requests the Sentry spec refuses: {fake.violations[:3]}")


def run_case(case: Case, *, llm_model: str | None = None) -> CaseResult:
    """One case, graded on the finding of the first incident it opened that was investigated: the model's when
    `llm_model` is given and it produced one, else the rules' first look."""
    path = "model" if llm_model else "rules"
    result = CaseResult(case=case.slug, path=path)
    with tempfile.TemporaryDirectory(prefix=f"warroom-inv-{case.slug}-") as tmp:
        workdir = Path(tmp)
        try:
            with _world(case, workdir) as (prometheus_url, transport):
                clock = FakeClock(case.spec.started_at)
                warroom = Warroom.build(_settings(case, workdir, prometheus_url, llm_model), clock, transport=transport)
                ids = _Ids()
                try:
                    _seed_history(warroom, case, ids)
                    opened, found = asyncio.run(_play(case, warroom, clock, ids))
                finally:
                    warroom.close()
        except NotInvestigated as exc:
            return result.model_copy(update={"error": str(exc)})
        except Exception as exc:  # noqa: BLE001 - a broken case is reported, not fatal to the run
            return result.model_copy(update={"error": f"{type(exc).__name__}: {exc}"})
    wanted = "model" if llm_model else "rules"
    chosen = next((f for f in reversed(found) if f["made_by"] == wanted), None) or next(iter(found), None)
    if chosen is None:
        return result.model_copy(update={"incidents": len(opened), "error": "no finding"})

    return _graded(case, result, chosen, ids, len(opened))


def _graded(case: Case, result: CaseResult, found: dict[str, Any], ids: _Ids, opened: int) -> CaseResult:
    claims = found["claims"]
    translated = [[ids.translate(c["id"]) for c in claim["citations"]] for claim in claims]
    citations = list(dict.fromkeys(c for cited in translated for c in cited))
    text = "\n".join([found["hypothesis"], *(claim["text"] for claim in claims)])
    verdict = grade(case, Finding(text=text, citations=citations))
    return result.model_copy(
        update={
            "path": found["made_by"],
            "level": verdict.level,
            "hypothesis": found["hypothesis"],
            "claims": len(claims),
            "claims_cited": sum(any(_resolves(case, c) for c in cited) for cited in translated),
            "citations": citations,
            "invented": verdict.invented_citations,
            "rests_on_noise": verdict.rests_on_noise,
            "key_evidence_cited": verdict.key_evidence_cited,
            "tool_calls": found["tool_calls"],
            "text_chars": len(text),
            "incidents": opened,
            "dropped_claims": found["dropped_claims"],
        }
    )


def _resolves(case: Case, citation: str) -> bool:
    try:
        resolve(case, citation)
    except UnknownCitation:
        return False
    return True


def run_cases(cases: list[Case], *, llm_model: str | None = None, jobs: int | None = None) -> list[CaseResult]:
    """Every case in its own warroom and its own Prometheus; cases run one per CPU."""
    jobs = jobs or os.cpu_count() or 1
    play = partial(run_case, llm_model=llm_model)
    if jobs == 1 or len(cases) < 2:
        return [play(case) for case in cases]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(play, cases))
