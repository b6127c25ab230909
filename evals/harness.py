"""Run labelled cases through a real, in-process warroom and record what it decided.

Each case gets a fresh warroom (temporary SQLite database, FakeClock, its own settings), its
payloads posted through the real HTTP API signed as each source signs them, and the scheduler
run after every delivery as the worker would. The result is read back from
`GET /api/incidents/{id}`, so the evals score the product as shipped, not a function in isolation.

Cases are folders (`evals/cases/`, and the sets in `evals.sets`): `case.toml` (labels and
scenario) beside `payload.json` (one delivery, optionally repeated as a storm) or `payloads.json`
(several deliveries, possibly from several sources). Severity is the first suite; comms and
postmortem cases add their own expectation tables to `case.toml` and their own readers to `Outcome`.

A case its incident rates P0/P1 then lives on (`evals.lifecycle`): acknowledged, noted, an update
tick, resolved; what the crew wrote for customers and the postmortem land in `Outcome.response`
for the comms and postmortem suites, so one run of the cases feeds all three. `lifecycle=False`
stops after the severity read-back, for sets scored on severity alone.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import tomllib
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select

from api.app import create_app
from api.composition import Warroom
from evals.deliveries import SOURCES, Credentials, at_time, recovered, sign
from evals.lifecycle import Response, ResponseSpec, respond
from tools.webhooks import sentry
from tools.webhooks.base import PayloadError
from tools.webhooks.generic import GenericAlertIn
from warroom.clock import FakeClock
from warroom.db import table_of
from warroom.scheduler.tables import JobRow
from warroom.settings import DEFAULT_CRITICAL_PATHS, Settings
from warroom.severity import Severity

__all__ = [
    "CASES_DIR",
    "Case",
    "Citation",
    "CommsSpec",
    "Outcome",
    "PastOccurrence",
    "Relabel",
    "Step",
    "Storm",
    "isolated_environment",
    "load_cases",
    "run_case",
    "run_cases",
]

CASES_DIR = Path(__file__).resolve().parent / "cases"
JOBS = table_of(JobRow)
DISCORD_URL = "https://discord.eval/api/webhooks/1/eval"
CREDENTIALS = Credentials(
    sentry_secret="eval-sentry-secret",
    pagerduty_secret="eval-pagerduty-secret",
    webhook_token="eval-webhook-token",
    api_token="eval-api-token",
)


class Storm(BaseModel):
    """`deliveries` copies of the payload spread evenly over `minutes` (new ids, new timestamps)."""

    model_config = ConfigDict(extra="forbid")

    deliveries: int = Field(default=1, ge=1, le=5000)
    minutes: float = Field(default=0.0, ge=0)
    users: int | None = Field(default=None, ge=1, description="distinct users the Sentry events cycle through")
    account_users: int | None = Field(
        default=None, ge=1, description="how many of those users have their address at `account_domain`"
    )
    account_domain: str = "acme.example"


class PastOccurrence(BaseModel):
    """An earlier firing of the same alert: fired `days_ago`, recovered by itself after `recovered_after_minutes`,
    then closed by a human."""

    model_config = ConfigDict(extra="forbid")

    days_ago: float = Field(gt=0, le=30)
    recovered_after_minutes: float = Field(gt=0)


class Step(BaseModel):
    """One delivery of a multi-delivery case (`payloads.json`)."""

    model_config = ConfigDict(extra="forbid")

    source: str
    payload: dict[str, Any]
    resource: str | None = Field(default=None, description="Sentry-Hook-Resource, Sentry only")
    at_minute: float = Field(default=0.0, ge=0)


class CommsSpec(BaseModel):
    """`[comms]` in case.toml: words every public message of the case must contain (what customers call
    the broken thing, `a|b` for alternatives), written from the payload before the case is run; and
    rubric checks this case fails because of a named product gap (the gate fails once they pass)."""

    model_config = ConfigDict(extra="forbid")

    must_mention: list[str] = Field(default_factory=list)
    account_users: int | None = Field(
        default=None, ge=1, description="the enterprise account's own affected users: its notice must give this count"
    )
    single_account: bool = Field(
        default=False, description="only that account's users are hit: nothing may be broadcast (page, X, Discord)"
    )
    account_requests: int | None = Field(
        default=None, description="not labelled: the storm's deliveries from the account's users, counted at load"
    )
    known_gaps: dict[str, str] = Field(default_factory=dict, description="check -> the product gap behind it")


class Citation(BaseModel):
    """`[citation]` in case.toml: the public postmortem or status-page entry the case was adapted from."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: str = Field(pattern=r"^https?://\S+$")
    title: str = Field(min_length=1)
    company: str = Field(min_length=1)
    date: str = Field(min_length=4, description="when it happened, as precisely as the source says (YYYY[-MM[-DD]])")
    summary: str = Field(min_length=10, description="one line of what happened")


class Relabel(BaseModel):
    """`[[relabel]]` in case.toml: a second labeller's level, given from the alert alone without seeing
    the case's label, its `why` or its citation (`python -m evals.relabel`, which writes the brief)."""

    model_config = ConfigDict(extra="forbid")

    level: Severity
    sure: bool = Field(description="false when the labeller found the alert open between two levels")
    by: str = Field(min_length=1, description="who labelled, and when")


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    source: str = Field(description="the alert source, or 'mixed' for payloads.json cases")
    resource: str | None = Field(default=None, description="Sentry-Hook-Resource for Sentry cases")
    expected: Severity
    why: str = Field(min_length=10, description="the row of DESIGN.md's severity table that decides the label")
    settings: dict[str, Any] = Field(default_factory=dict)
    storm: Storm = Field(default_factory=Storm)
    past: list[PastOccurrence] = Field(default_factory=list)
    blocked_by: str | None = Field(
        default=None,
        description="product wiring the case needs; the gate leaves it out until then and fails once it passes",
    )
    comms: CommsSpec = Field(default_factory=CommsSpec)
    response: ResponseSpec = Field(default_factory=ResponseSpec)
    citation: Citation | None = Field(default=None, description="where the case comes from (the adapted sets)")
    paraphrase_of: str | None = Field(
        default=None,
        description="the development case this one rewords (the paraphrase set): same incident, same label",
    )
    relabel: list[Relabel] = Field(
        default_factory=list, description="independent labels from the alert alone: how contestable the label is"
    )
    steps: list[Step]


class Outcome(BaseModel):
    """What the warroom did with one case."""

    case: str
    expected: Severity
    severity: Severity | None
    why: str
    relabels: list[Severity] = Field(default_factory=list, description="the case's independent labels")
    blocked_by: str | None = None
    reason: str = ""
    decided_by: str = ""
    confidence: str = Field(
        default="", description="the classification's own: 'confident' or 'uncertain' (asks the on-call)"
    )
    floor: Severity | None = Field(default=None, description="the level below which no model may take it")
    evidence: list[str] = Field(default_factory=list)
    incidents: int = 0
    error: str | None = None
    comms: CommsSpec = Field(default_factory=CommsSpec)
    response: Response | None = Field(default=None, description="P0/P1 only: the rest of the incident's life")
    response_error: str | None = None

    @property
    def correct(self) -> bool:
        return self.severity is self.expected


def load_cases(root: Path = CASES_DIR, names: list[str] | None = None) -> list[Case]:
    folders = sorted(p for p in root.iterdir() if (p / "case.toml").is_file())
    if names:
        folders = [p for p in folders if p.name in names]
    return [_load_case(folder) for folder in folders]


def _sentry_resource(payload: dict[str, Any]) -> str | None:
    """The Sentry-Hook-Resource a payload's `data` is written for (the receiver's own reading): sent under
    another, Sentry's receiver (rightly) finds no alert in it and the case is played as nothing."""
    try:
        return sentry.guess_resource(payload)
    except PayloadError:
        return None


def _load_case(folder: Path) -> Case:
    spec = tomllib.loads((folder / "case.toml").read_text())
    single, multi = folder / "payload.json", folder / "payloads.json"
    if single.is_file() == multi.is_file():
        raise ValueError(f"{folder.name}: needs exactly one of payload.json or payloads.json")
    if single.is_file():
        steps = [Step(source=spec["source"], resource=spec.get("resource"), payload=json.loads(single.read_text()))]
    else:
        steps = [Step.model_validate(item) for item in json.loads(multi.read_text())]
    for step in steps:
        if step.source not in SOURCES:
            raise ValueError(f"{folder.name}: unknown source {step.source!r}")
        if step.source == "api":
            try:
                GenericAlertIn.model_validate(step.payload)
            except ValidationError as exc:
                raise ValueError(f"{folder.name}: the alerts API would refuse this body: {exc}") from exc
        carried = _sentry_resource(step.payload) if step.source == "sentry" else None
        if carried is not None and step.resource != carried:
            raise ValueError(
                f"{folder.name}: a Sentry {carried} payload needs resource = {carried!r}, not {step.resource!r}"
            )
    if spec.get("past") and steps[0].source == "sentry" and steps[0].resource != "metric_alert":
        raise ValueError(
            f"{folder.name}: earlier firings that recovered ([[past]]) are replayed from the first delivery, and "
            "the harness can write a Sentry recovery only for a metric alert (use one, or another source)"
        )
    case = Case.model_validate({**spec, "name": folder.name, "steps": steps})
    storm = case.storm
    if storm.users and storm.account_users and len(steps) == 1:
        case.comms.account_requests = sum(n % storm.users < storm.account_users for n in range(storm.deliveries))
    return case


@contextmanager
def isolated_environment(llm_model: str | None) -> Iterator[None]:
    """No `warroom.toml` from the working directory and no stray WARROOM_* knob may leak into a case."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("WARROOM_")}
    for key in saved:
        del os.environ[key]
    os.environ["WARROOM_CONFIG"] = os.devnull
    if llm_model:
        os.environ["WARROOM_LLM_MODEL"] = llm_model
    try:
        yield
    finally:
        for key in [k for k in os.environ if k.startswith("WARROOM_")]:
            del os.environ[key]
        os.environ.update(saved)


#: The company every case speaks for: the comms suite checks each public message names it and
#: links its status page.
BRAND = {"company_name": "Northwind", "status_page_url": "https://status.northwind.com"}
ON_CALL = {"name": "Dana Reyes", "email": "oncall@northwind.example"}
"""Someone to page, as any real installation has: otherwise every case logs that nobody could be."""


def _settings(case: Case, workdir: Path, llm_model: str | None) -> Settings:
    values: dict[str, Any] = {
        **BRAND,
        "on_call": ON_CALL,
        "critical_paths": list(DEFAULT_CRITICAL_PATHS),
        "discord_webhook_url": DISCORD_URL,
        "x_bearer_token": "eval-x-token",
        **case.settings,
    }
    with isolated_environment(llm_model):
        return Settings(
            database_url=f"sqlite:///{workdir / 'warroom.db'}",
            data_dir=workdir / "data",
            sentry_client_secret=CREDENTIALS.sentry_secret,
            pagerduty_secret=CREDENTIALS.pagerduty_secret,
            webhook_token=CREDENTIALS.webhook_token,
            api_token=CREDENTIALS.api_token,
            **values,
        )


class _Session:
    """One case's warroom, its API client and its clock."""

    def __init__(self, case: Case, client: httpx.AsyncClient, warroom: Warroom, clock: FakeClock) -> None:
        self.case, self.client, self.warroom, self.clock = case, client, warroom, clock
        self.auth = {"authorization": f"Bearer {CREDENTIALS.api_token}"}

    async def post(self, step: Step, payload: dict[str, Any]) -> list[int]:
        """Deliver one payload; the incidents its alerts went to (an Alertmanager or Grafana group holds several
        alerts, each answered under `alerts`, and each may open its own incident)."""
        delivery = sign(step.source, payload, CREDENTIALS, step.resource)
        response = await self.client.post(delivery.path, content=delivery.body, headers=delivery.headers)
        if response.status_code != 202:
            raise RuntimeError(f"{step.source} delivery refused: {response.status_code} {response.text[:300]}")
        self.warroom.scheduler.run_pending()
        body = response.json()
        ids = [body.get("incident_id"), *(a.get("incident_id") for a in body.get("alerts") or [])]
        return list(dict.fromkeys(i for i in ids if i is not None))

    async def replay_past(self, occurrence: PastOccurrence, index: int) -> None:
        step = self.case.steps[0]
        start = self.clock.now()
        self.clock.set(start - timedelta(days=occurrence.days_ago))
        fired = at_time(step.source, step.payload, self.clock.now(), f"{self.case.name}:past:{index}")
        opened = await self.post(step, fired)
        self.clock.advance(timedelta(minutes=occurrence.recovered_after_minutes))
        await self.post(step, recovered(step.source, fired, self.clock.now(), f"{self.case.name}:past:{index}:ok"))
        for incident_id in opened:
            self.clock.advance(timedelta(minutes=1))
            await self.client.post(
                f"/api/incidents/{incident_id}/resolve",
                headers=self.auth,
                json={"actor": "eval", "summary": "recovered by itself"},
            )
            self.warroom.scheduler.run_pending()
        self.clock.set(start)

    async def deliver(self) -> list[int]:
        start = self.clock.now()
        incidents: list[int] = []
        if len(self.case.steps) == 1:
            step, storm = self.case.steps[0], self.case.storm
            gap = timedelta(minutes=storm.minutes) / max(storm.deliveries - 1, 1)
            schedule = [(step, start + gap * n) for n in range(storm.deliveries)]
        else:
            schedule = [(step, start + timedelta(minutes=step.at_minute)) for step in self.case.steps]
        storm = self.case.storm
        for number, (step, moment) in enumerate(sorted(schedule, key=lambda item: item[1])):
            self.clock.set(moment)
            index = number % storm.users if storm.users else None
            user = f"user-{index:05d}" if index is not None else None
            at_account = index is not None and index < (storm.account_users or 0)
            domain = storm.account_domain if at_account else "customers.example.com"
            opened = await self.post(
                step, at_time(step.source, step.payload, moment, f"{self.case.name}:{number}", user, domain)
            )
            incidents += [i for i in opened if i not in incidents]
        return incidents

    async def incident(self, incident_id: int) -> dict[str, Any]:
        response = await self.client.get(f"/api/incidents/{incident_id}", headers=self.auth)
        response.raise_for_status()
        return response.json()


def _worst(incidents: list[dict[str, Any]]) -> dict[str, Any] | None:
    rated = [i for i in incidents if i.get("severity")]
    return min(rated, key=lambda i: Severity(i["severity"]).rank) if rated else None


class _Played(BaseModel):
    incidents: list[dict[str, Any]]
    response: Response | None = None
    response_error: str | None = None


async def _play(case: Case, warroom: Warroom, clock: FakeClock, *, lifecycle: bool) -> _Played:
    """In-process HTTP without a thread per request: the ASGI app is called on this event loop."""
    transport = httpx.ASGITransport(app=create_app(warroom, run_worker=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://warroom.eval") as client:
        session = _Session(case, client, warroom, clock)
        for index, occurrence in enumerate(case.past):
            await session.replay_past(occurrence, index)
        played = _Played(incidents=[await session.incident(i) for i in await session.deliver()])
        worst = _worst(played.incidents)
        if not lifecycle or worst is None or not Severity(worst["severity"]).pages_customers:
            return played
        settings = warroom.settings
        service = settings.services.get(worst.get("service") or "")
        try:
            played.response = await respond(
                client,
                session.auth,
                worst["id"],
                case.response,
                advance=clock.advance,
                run=warroom.scheduler.run_pending,
                now=clock.now,
                next_due=partial(_next_due, warroom),
                cadence_minutes=settings.cadence_for(Severity(worst["severity"])),
                cadences={s.value: settings.cadence_for(s) for s in Severity if s.pages_customers},
                on_call=settings.on_call.name,
                service_users=service.users if service else None,
                sla_rca_days=[a.sla_rca_days for a in settings.accounts.values() if a.sla_rca_days],
                literals=[a.name for a in settings.accounts.values()],
            )
        except Exception as exc:  # reported against the comms and postmortem suites
            played.response_error = f"{type(exc).__name__}: {exc}"
        return played


def _next_due(warroom: Warroom) -> datetime | None:
    """When the scheduler next has work: the harness moves its clock there, as a polling worker would arrive."""
    with warroom.engine.connect() as conn:
        due = conn.execute(select(func.min(JOBS.c.due_at)).where(JOBS.c.state == "pending")).scalar()
    return due.replace(tzinfo=UTC) if due is not None and due.tzinfo is None else due


def _outside_world(request: httpx.Request) -> httpx.Response:
    """Discord and X are configured so their drafts exist; nothing may leave the machine if one is sent."""
    return httpx.Response(200, json={"data": {"id": "1", "text": ""}})


def _scratch() -> str | None:
    """A RAM-backed directory when there is one: the cases are throwaway and fsyncs dominate otherwise."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def run_case(case: Case, *, llm_model: str | None = None, lifecycle: bool = True) -> Outcome:
    """Play the case against a fresh warroom; the most severe incident it opened is its answer.
    With `lifecycle`, a P0/P1 incident is then carried to resolution for the comms and postmortem suites."""
    base = Outcome(
        case=case.name,
        expected=case.expected,
        severity=None,
        why=case.why,
        relabels=[r.level for r in case.relabel],
        blocked_by=case.blocked_by,
        comms=case.comms,
    )
    with tempfile.TemporaryDirectory(prefix=f"warroom-eval-{case.name}-", dir=_scratch()) as tmp:
        clock = FakeClock()
        warroom = Warroom.build(
            _settings(case, Path(tmp), llm_model), clock, transport=httpx.MockTransport(_outside_world)
        )
        try:
            played = asyncio.run(_play(case, warroom, clock, lifecycle=lifecycle))
        except Exception as exc:  # a broken case is reported, not fatal to the run
            return base.model_copy(update={"error": f"{type(exc).__name__}: {exc}"})
        finally:
            warroom.close()
    incidents = played.incidents
    base = base.model_copy(update={"response": played.response, "response_error": played.response_error})
    worst = _worst(incidents)
    if worst is None:
        return base.model_copy(update={"incidents": len(incidents), "error": "no incident was classified"})
    classification = worst.get("classification") or {}
    evidence = [
        f"{e['signal']}: {e['detail']}" + (f" -> {e['points_to']}" if e.get("points_to") else "")
        for e in classification.get("evidence", [])
    ]
    return base.model_copy(
        update={
            "severity": Severity(worst["severity"]),
            "reason": classification.get("reason", ""),
            "decided_by": classification.get("decided_by", ""),
            "confidence": classification.get("confidence", ""),
            "floor": Severity(classification["floor"]) if classification.get("floor") else None,
            "evidence": evidence,
            "incidents": len(incidents),
        }
    )


def run_cases(
    cases: list[Case], *, llm_model: str | None = None, jobs: int | None = None, lifecycle: bool = True
) -> list[Outcome]:
    """Every case in its own warroom; cases are independent, so they run one per CPU."""
    jobs = jobs or os.cpu_count() or 1
    play = partial(run_case, llm_model=llm_model, lifecycle=lifecycle)
    if jobs == 1 or len(cases) < 2:
        return [play(case) for case in cases]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(play, cases))
