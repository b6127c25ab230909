"""The year-of-data phase: the pages people open, timed on a year of data (`bench.year`) against
the same requests on a database without the year behind them.

Three databases, each served by a real warroom (`api.server.serve_in_thread`, scheduler and
outbox running): `empty` (the migrations alone), `quarter` (the same generator's last 100 days
only: the same incidents, ids and rows, without the eight months before them) and `year`. The
goal, 1.5x, is the year against the quarter: no page looks further back than 100 days (the
digest's week and the 90 days before it, the status page's 90-day bars, the trend's 12 weeks,
the 90-day retention of payloads), so the quarter holds what they show and the year adds only
history they should not pay for. An empty database has no incident to open and no week to
digest: against it a ratio measures the content, not the year. Its figures are reported beside.

The three are served at once and every measure takes turns between them request by request
(who goes first rotates), so a shared machine's load falls on all three alike. Each request is
sent `requests` times after a warm-up, median and p95 reported: the first page of
`GET /api/incidents` and one half the history back by cursor, an incident (API and web page,
signed in), the web list, `/status` and `/status.json` (served from the page cache, and rebuilt
after a post: the cache is dropped before each), `/digest` and `/api/digest` (the week just
ended) and `/api/digest/trend`, and a Sentry alert that opens a new incident (each its own issue
on its own path), its 202 and the time until triage has rated it; between two alerts the
scheduler is left to finish. On the year, one pruning pass first: the alerts that aged past the
retention since the generator pruned, in the worker's batches; each batch is the longest ingest
could wait on it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from api.composition import Warroom
from api.scenarios import BROWSERS, sentry_event_alert
from api.server import serve_in_thread
from bench.traffic import signed_sentry
from bench.year import YearConfig, YearSummary, generate
from flows.retention import BATCH
from warroom.alerts.retention import prune_raw_payloads
from warroom.incidents.tables import IncidentRow
from warroom.migrations import upgrade
from warroom.scheduler.tables import JobRow
from warroom.settings import Settings

__all__ = ["GOAL", "YearKeys", "main", "report_rows", "run_year"]

GOAL = 1.5
BASELINE_DAYS = 100
REQUESTS = 30
WARMUP = 3
BUDGET_S = 60.0
"""Per measure: a request that takes seconds is sampled fewer times."""


@dataclass(frozen=True)
class YearKeys:
    sentry: str
    api: str
    webhook: str


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, int(0.95 * len(ordered) + 0.999999) - 1))]
    return {"median_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2), "n": len(ordered)}


@contextmanager
def _serving(path: Path, keys: YearKeys) -> Iterator[tuple[str, Warroom]]:
    """A warroom on `path` with its scheduler; the graphs' checkpoints in a new file each time (the
    generator writes none, and a reused database must not meet an earlier run's threads)."""
    with tempfile.TemporaryDirectory(prefix="warroom-year-run-") as tmp:
        settings = Settings(
            database_url=f"sqlite:///{path}",
            checkpoint_url=f"sqlite:///{Path(tmp) / 'checkpoints.db'}",
            data_dir=Path(tmp) / "data",
            sentry_client_secret=keys.sentry,
            webhook_token=keys.webhook,
            api_token=keys.api,
            log_level="ERROR",
        )
        warroom = Warroom.build(settings)
        try:
            with serve_in_thread(warroom) as url:
                yield url, warroom
        finally:
            warroom.close()


@dataclass
class _Served:
    name: str
    warroom: Warroom
    api: httpx.Client
    web: httpx.Client
    ids: dict[str, int | None]


@contextmanager
def _all_serving(databases: dict[str, tuple[Path, dict[str, int | None]]], keys: YearKeys) -> Iterator[list[_Served]]:
    """Every database served at once, each signed in to: measures alternate between them request
    by request, so the load of a shared machine falls on all of them alike."""
    with ExitStack() as stack:
        served = []
        for name, (path, ids) in databases.items():
            url, warroom = stack.enter_context(_serving(path, keys))
            api = stack.enter_context(
                httpx.Client(base_url=url, timeout=300, headers={"authorization": f"Bearer {keys.api}"})
            )
            web = stack.enter_context(httpx.Client(base_url=url, timeout=300))
            web.post("/login", data={"token": keys.api, "next": "/incidents"})
            served.append(_Served(name, warroom, api, web, ids))
        yield served


def _timed(
    served: list[_Served],
    path_of: Callable[[_Served], str | None],
    *,
    api: bool,
    requests: int,
    fresh: bool = False,
) -> dict[str, dict[str, Any]]:
    """`requests` GETs on each database after a warm-up, taking turns (who goes first rotates);
    fewer when they are slow (`BUDGET_S` per database). `fresh`: the status-page cache dropped
    before each, so each is a rebuild."""
    wanted = [s for s in served if path_of(s)]
    samples: dict[str, list[float]] = {s.name: [] for s in wanted}
    sizes: dict[str, int] = {}
    began_all = time.perf_counter()
    for n in range(WARMUP + requests):
        for s in wanted[n % len(wanted) :] + wanted[: n % len(wanted)]:
            if fresh:
                s.warroom.status_cache.invalidate()
            client = s.api if api else s.web
            began = time.perf_counter()
            response = client.get(path_of(s) or "")
            took = time.perf_counter() - began
            response.raise_for_status()
            sizes[s.name] = len(response.content)
            if n >= WARMUP:
                samples[s.name].append(took)
        if n >= WARMUP and time.perf_counter() - began_all > BUDGET_S * len(wanted):
            break
    return {name: {**_ms(xs), "bytes": sizes[name]} for name, xs in samples.items()}


def _idle(warroom: Warroom, timeout: float = 30.0) -> None:
    """Until no job is due: triage and the rest of what an alert set off has run."""
    deadline = time.monotonic() + timeout
    jobs = JobRow.__table__
    while time.monotonic() < deadline:
        with warroom.engine.connect() as conn:
            due = conn.execute(
                select(func.count()).where(jobs.c.state == "pending", jobs.c.due_at <= warroom.clock.now())
            ).scalar_one()
        if not due:
            return
        time.sleep(0.01)


def _ingest(served: list[_Served], keys: YearKeys, requests: int) -> dict[str, dict[str, Any]]:
    """New incidents, one at a time on each database in turn: the 202, then the wait until triage
    rated it; each database's scheduler is left to finish before its next alert."""
    accepted: dict[str, list[float]] = {s.name: [] for s in served}
    rated: dict[str, list[float]] = {s.name: [] for s in served}
    run = uuid.uuid4().hex[:6]
    for n in range(WARMUP + requests):
        for s in served:
            at = datetime.now(UTC)
            payload = sentry_event_alert(
                event_id=uuid.uuid4().hex,
                issue_id=str(9_500_000 + n),
                at=at,
                path=f"/api/bench-{run}-{n}",
                user_id=f"bench-user-{n}",
                browser=BROWSERS[0],
                region="us-east-1",
                title=f"BenchError {run}-{n}: the widget service answered 500",
            )
            delivery = signed_sentry(keys.sentry, payload, at)
            began = time.perf_counter()
            response = s.web.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers)
            took = time.perf_counter() - began
            body = response.json()
            if response.status_code != 202 or body.get("deduplicated") or body.get("incident_id") is None:
                raise RuntimeError(f"the alert did not open an incident: {response.status_code} {body}")
            while True:
                with s.warroom.engine.connect() as conn:
                    severity = conn.execute(
                        select(IncidentRow.severity).where(IncidentRow.id == body["incident_id"])
                    ).scalar()
                if severity is not None:
                    break
                if time.perf_counter() - began > 30:
                    raise RuntimeError(f"incident {body['incident_id']} was not rated within 30 s")
                time.sleep(0.002)
            if n >= WARMUP:
                accepted[s.name].append(took)
                rated[s.name].append(time.perf_counter() - began)
            _idle(s.warroom)
    return {s.name: {"accepted": _ms(accepted[s.name]), "rated": _ms(rated[s.name])} for s in served}


def _prune_pass(warroom: Warroom) -> dict[str, Any]:
    """The worker's batches over what aged past the retention since the generator's pruning."""
    cutoff = warroom.clock.now() - timedelta(days=warroom.settings.raw_payload_retention_days)
    durations, pruned = [], 0
    while True:
        began = time.perf_counter()
        with warroom.engine.begin() as conn:
            count = prune_raw_payloads(conn, received_before=cutoff, now=warroom.clock.now(), limit=BATCH)
        if count:
            durations.append(time.perf_counter() - began)
        pruned += count
        if count < BATCH:
            break
    return {"pruned": pruned, "batches": len(durations), "batch": BATCH, **(_ms(durations) if durations else {})}


def _measure(
    databases: dict[str, tuple[Path, dict[str, int | None]]], keys: YearKeys, requests: int
) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {name: {} for name in databases}
    with _all_serving(databases, keys) as served:
        found["year"]["prune"] = _prune_pass(next(s.warroom for s in served if s.name == "year"))

        def measure(name: str, path_of: Callable[[_Served], str | None], *, api: bool, **kw: Any) -> None:
            for db, figures in _timed(served, path_of, api=api, **{"requests": requests, **kw}).items():
                found[db][name] = figures

        def incident(s: _Served) -> int | None:
            return s.ids.get("incident")

        measure("api_list", lambda s: "/api/incidents", api=True)
        measure(
            "api_list_deep", lambda s: f"/api/incidents?before={s.ids['deep']}" if s.ids.get("deep") else None, api=True
        )
        measure("web_list", lambda s: "/incidents", api=False)
        measure("api_incident", lambda s: f"/api/incidents/{incident(s)}" if incident(s) else None, api=True)
        measure("web_incident", lambda s: f"/incidents/{incident(s)}" if incident(s) else None, api=False)
        measure("status_cached", lambda s: "/status", api=False)
        measure("status_json_cached", lambda s: "/status.json", api=False)
        measure("status_rebuilt", lambda s: "/status", api=False, fresh=True)
        measure("status_json_rebuilt", lambda s: "/status.json", api=False, fresh=True)
        measure("web_digest", lambda s: "/digest", api=False)
        measure("api_digest", lambda s: "/api/digest", api=True)
        measure("api_digest_trend", lambda s: "/api/digest/trend", api=True)
        for db, figures in _ingest(served, keys, requests).items():
            found[db]["ingest"] = figures
    return found


MEASURES = {
    "api_list": "GET /api/incidents (first page)",
    "api_list_deep": "GET /api/incidents?before= (half the history back)",
    "web_list": "GET /incidents (web list)",
    "api_incident": "GET /api/incidents/{id}",
    "web_incident": "GET /incidents/{id} (web page)",
    "status_cached": "GET /status (cached)",
    "status_json_cached": "GET /status.json (cached)",
    "status_rebuilt": "GET /status (rebuilt after a post)",
    "status_json_rebuilt": "GET /status.json (rebuilt after a post)",
    "web_digest": "GET /digest (web)",
    "api_digest": "GET /api/digest",
    "api_digest_trend": "GET /api/digest/trend (12 weeks)",
    "ingest.accepted": "POST /webhooks/sentry, new incident: 202",
    "ingest.rated": "POST /webhooks/sentry, new incident: until triage rated it",
}


def _figure(results: dict[str, Any], name: str) -> dict[str, float] | None:
    node: Any = results
    for part in name.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _ratios(found: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | bool | None]]:
    ratios: dict[str, dict[str, float | bool | None]] = {}
    for name in MEASURES:
        year, quarter = _figure(found["year"], name), _figure(found["quarter"], name)
        if year and quarter and "median_ms" in year and "median_ms" in quarter:
            ratio = round(year["median_ms"] / quarter["median_ms"], 2)
            ratios[name] = {"year_over_quarter": ratio, "ok": ratio <= GOAL}
        elif year and quarter:
            ratios[name] = {"year_over_quarter": None, "ok": False}
    return ratios


def run_year(
    keys: YearKeys,
    *,
    scale: float = 1.0,
    requests: int = REQUESTS,
    year_db: Path | None = None,
    quarter_db: Path | None = None,
) -> dict[str, Any]:
    """The phase's result: figures per database, the year over the quarter per measure, and `ok`
    when every measure is within the goal. `year_db`/`quarter_db`: reuse files from `bench.year`
    (written by an earlier run with the same `--now`; the pruning pass then finds little to do)."""
    config = YearConfig().scaled(scale) if scale != 1 else YearConfig()
    with tempfile.TemporaryDirectory(prefix="warroom-year-") as tmp:
        folder = Path(tmp)
        now = datetime.now(UTC)
        summaries: dict[str, YearSummary | None] = {"year": None, "quarter": None}
        if year_db is None:
            year_db = folder / "year.db"
            summaries["year"] = generate(year_db, config, now)
        if quarter_db is None:
            quarter_db = folder / "quarter.db"
            summaries["quarter"] = generate(quarter_db, config, now, keep_days=BASELINE_DAYS)
        empty_db = folder / "empty.db"
        upgrade(f"sqlite:///{empty_db}")
        year_ids, quarter_ids = _ids(year_db), _ids(quarter_db)
        found = _measure(
            {"empty": (empty_db, {}), "quarter": (quarter_db, quarter_ids), "year": (year_db, year_ids)}, keys, requests
        )
    ratios = _ratios(found)
    return {
        "scale": scale,
        "requests": requests,
        "generated": {k: v.model_dump(mode="json") if v else None for k, v in summaries.items()},
        "ids": {"year": year_ids, "quarter": quarter_ids},
        **found,
        "ratios": ratios,
        "goal": GOAL,
        "ok": bool(ratios) and all(r["ok"] for r in ratios.values()),
    }


def _ids(path: Path) -> dict[str, int | None]:
    """The incident to open (the last week's resolved P0/P1 with the most alerts, the same in the
    quarter and the year; a tiny year may have none, then its newest resolved one) and the cursor
    half the history back."""
    import sqlite3

    with sqlite3.connect(path) as db:
        storm = (
            db.execute(
                "SELECT id FROM incidents WHERE status = 'resolved' "
                "AND opened_at >= (SELECT datetime(max(opened_at), '-7 days') FROM incidents) "
                "ORDER BY severity IN ('P0', 'P1') DESC, alert_count DESC, id LIMIT 1"
            ).fetchone()
            or db.execute("SELECT max(id) FROM incidents WHERE status = 'resolved'").fetchone()
        )
        lowest, highest = db.execute("SELECT min(id), max(id) FROM incidents").fetchone()
    deep = (lowest + highest) // 2 if lowest is not None else None
    return {"incident": storm[0] if storm else None, "deep": deep}


def report_rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The phase's rows in `make bench`'s table: each measure on the year against the quarter (the
    empty database in brackets), and the pruning pass."""
    rows = []
    for name, label in MEASURES.items():
        year, quarter, empty = (_figure(results.get(db, {}), name) for db in ("year", "quarter", "empty"))
        if not year or not quarter:
            continue
        ratio = results["ratios"][name]
        bare = f"; empty {empty['median_ms']} ms" if empty and "median_ms" in empty else ""
        rows.append(
            (
                f"year: {label}",
                f"median {year.get('median_ms', 'timeout')} ms (quarter {quarter.get('median_ms', 'timeout')} ms{bare}) "
                f"= {ratio['year_over_quarter']}x; p95 {year.get('p95_ms', '-')} ms",
                f"<= {results['goal']}x",
                "[green]ok[/]" if ratio["ok"] else "[red]MISSED[/]",
            )
        )
    prune = results.get("year", {}).get("prune")
    if prune:
        per = f", per batch median {prune['median_ms']} ms, max {prune['p95_ms']} ms (p95)" if prune["batches"] else ""
        rows.append(("year: retention pass", f"{prune['pruned']} payloads in {prune['batches']} batches{per}", "", ""))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.year_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--year-db", type=Path, help="a year written by `python -m bench.year` (used in place)")
    parser.add_argument("--quarter-db", type=Path, help="its last 100 days (`--keep-days 100`), used in place")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    keys = YearKeys(sentry=uuid.uuid4().hex, api=uuid.uuid4().hex, webhook=uuid.uuid4().hex)
    results = run_year(keys, scale=args.scale, requests=args.requests, year_db=args.year_db, quarter_db=args.quarter_db)
    for row in report_rows(results):
        print(" | ".join(row))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
