"""Ingest benchmark: throughput against a bare endpoint, latency at a fixed rate, an alert storm,
and the alert → status-page clock, all through the real HTTP server on loopback.

`python -m bench.ingest [--n N] [--concurrency C] [--storm 10000] [--fresh 100] [--json out.json]`

Every phase gets its own warroom on a fresh temporary SQLite database laid out as `warroom serve`
lays it out: the API in this process, the scheduler, graphs and outbox worker in a second one
(`--layout one` puts them in the API's process instead, as `warroom serve --one-process` does),
so triage competes with ingest exactly as it does in production.
The bare endpoint (read the body, parse the JSON, answer 202) runs under the same uvicorn
settings in the same process, so the ratio between the two is what the product costs. The load
generator runs in a child process (`bench.load`): in the servers' process it would share their
GIL and hide part of what the server costs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from rich.console import Console
from sqlalchemy import func, select

from api.composition import Warroom
from api.scenarios import Delivery, checkout_outage
from api.server import serve_app_in_thread, serve_in_thread
from api.supervisor import WorkerSupervisor, worker_command
from bench.load import LoadGenerator, drive_clock, drive_closed, drive_open, drive_reads
from bench.report import summary_table
from bench.traffic import alertmanager_groups, fresh_issues
from bench.year_bench import YearKeys, run_year
from warroom.alerts.tables import AlertRow
from warroom.clock import utcnow
from warroom.incidents.tables import IncidentRow
from warroom.settings import Settings

__all__ = [
    "PHASES",
    "BenchConfig",
    "LatencyStats",
    "bare_app",
    "main",
    "run",
]

TARGET_RATIO = 0.5
TARGET_P99_AT_RATE_MS = 25.0
TARGET_STATUS_P99_S = 0.05
TARGET_PAGE_RATIO = 0.8
LAYOUTS = ("processes", "one")


@dataclass(frozen=True)
class BenchConfig:
    n: int = 2000
    rounds: int = 3
    concurrency: int = 16
    storm: int = 10_000
    redeliveries: int = 200
    fresh: int = 100
    rate: float = 200.0
    rate_seconds: float = 10.0
    group_size: int = 10
    warmup: int = 50
    page_reads: int = 4000
    page_readers: int = 64
    json_readers: int = 32
    client: str = "raw"
    layout: str = "processes"
    year_scale: float = 1.0
    year_requests: int = 30


@dataclass(frozen=True)
class LatencyStats:
    """Requests per second over the whole run and per-request latency in milliseconds."""

    requests: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, latencies: list[float], seconds: float) -> LatencyStats:
        ordered = sorted(latencies)
        return cls(
            requests=len(ordered),
            seconds=round(seconds, 3),
            per_second=round(len(ordered) / seconds, 1),
            p50_ms=round(_quantile(ordered, 0.50) * 1000, 2),
            p99_ms=round(_quantile(ordered, 0.99) * 1000, 2),
            max_ms=round(ordered[-1] * 1000, 2),
        )


def _quantile(ordered: list[float], q: float) -> float:
    """Nearest-rank quantile: the value at least `q` of the samples do not exceed."""
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.999999) - 1))]


@dataclass
class Secrets:
    sentry: str = field(default_factory=lambda: secrets.token_hex(16))
    webhook: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    api: str = field(default_factory=lambda: secrets.token_urlsafe(16))


# -- servers ---------------------------------------------------------------------------------


def bare_app(status_json: bytes = b"{}") -> FastAPI:
    """The floor: an endpoint that only reads and parses the body and answers 202, and one that
    serves the status page's JSON from memory."""
    app = FastAPI()

    @app.get("/status.json")
    async def status() -> Response:
        return Response(status_json, media_type="application/json")

    @app.post("/webhooks/{source}")
    async def receive(source: str, request: Request) -> JSONResponse:
        payload = json.loads(await request.body())
        return JSONResponse(
            {"alert_id": None, "incident_id": None, "deduplicated": False, "keys": len(payload)}, status_code=202
        )

    return app


@contextmanager
def serve_bare(status_json: bytes = b"{}") -> Iterator[str]:
    """`bare_app()` under the same uvicorn settings as warroom (`api.server.serve_app_in_thread`)."""
    with serve_app_in_thread(bare_app(status_json), name="bare-http") as url:
        yield url


@contextmanager
def warroom_server(keys: Secrets, layout: str = "processes") -> Iterator[tuple[str, Warroom]]:
    """A warroom on a fresh database; `processes`: the API here and `warroom worker` in a child
    process under the same supervisor `warroom serve` uses; `one`: all in this process."""
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'warroom.db'}",
            data_dir=Path(tmp) / "data",
            sentry_client_secret=keys.sentry,
            webhook_token=keys.webhook,
            api_token=keys.api,
        )
        warroom = Warroom.build(settings)
        supervisor = None
        try:
            if layout == "processes":
                warroom.listen("api")
                supervisor = WorkerSupervisor(worker_command(), _worker_env(settings, keys))
                supervisor.start()
                _wait_for_worker(warroom)
            with serve_in_thread(warroom, run_worker=layout == "one") as base_url:
                yield base_url, warroom
        finally:
            if supervisor is not None:
                supervisor.stop()
            warroom.close()


def _worker_env(settings: Settings, keys: Secrets) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}
    return keep | {
        "WARROOM_DATABASE_URL": settings.database_url,
        "WARROOM_DATA_DIR": str(settings.data_dir),
        "WARROOM_SENTRY_CLIENT_SECRET": keys.sentry,
        "WARROOM_WEBHOOK_TOKEN": keys.webhook,
        "WARROOM_API_TOKEN": keys.api,
        "WARROOM_LOG_LEVEL": "ERROR",
    }


def _wait_for_worker(warroom: Warroom, timeout: float = 60.0) -> None:
    """Until the worker listens for nudges: measuring before would time its start-up."""
    deadline = time.monotonic() + timeout
    while warroom.nudges is not None and not list(warroom.nudges.folder.glob("worker.*.sock")):
        if time.monotonic() > deadline:
            raise RuntimeError("the worker process did not start")
        time.sleep(0.05)


# -- phases ----------------------------------------------------------------------------------


def throughput(config: BenchConfig, keys: Secrets, load: LoadGenerator) -> dict[str, Any]:
    """`/webhooks/sentry` against the bare endpoint in `rounds` pairs, one after the other, each
    warroom on a fresh database (and no warroom running while the bare one is measured); the
    ratio is the median pair's, so a moment of the machine's (another process's burst, a
    checkpoint) weighs on one pair, not on the figure."""
    start = utcnow() - timedelta(minutes=3)
    sentry = checkout_outage(keys.sentry, events=config.n + config.warmup, start=start)
    am = alertmanager_groups(
        keys.webhook, max(config.n // config.group_size, 1) + config.warmup, config.group_size, start=start
    )

    def measure(url: str, path: str, deliveries: list[Delivery]) -> LatencyStats:
        latencies, _, seconds = load(
            drive_closed, url, path, deliveries, config.concurrency, config.warmup, config.client
        )
        return LatencyStats.of(latencies, seconds)

    pairs: list[tuple[LatencyStats, LatencyStats]] = []
    for _ in range(config.rounds):
        with serve_bare() as bare_url:
            bare = measure(bare_url, "/webhooks/sentry", sentry)
        with warroom_server(keys, config.layout) as (url, _):
            pairs.append((bare, measure(url, "/webhooks/sentry", sentry)))
    with serve_bare() as bare_url:
        bare_am = measure(bare_url, "/webhooks/alertmanager", am)
    with warroom_server(keys, config.layout) as (url, _):
        ours_am = measure(url, "/webhooks/alertmanager", am)
    ratios = [round(o.per_second / b.per_second, 3) for b, o in pairs]
    bare, ours = pairs[ratios.index(sorted(ratios)[len(ratios) // 2])]
    ratio = sorted(ratios)[len(ratios) // 2]
    return {
        "sentry": {"bare": asdict(bare), "warroom": asdict(ours), "ratio": ratio, "round_ratios": ratios},
        "alertmanager": {
            "group_size": config.group_size,
            "bare": asdict(bare_am),
            "warroom": asdict(ours_am),
            "alerts_per_second": round(ours_am.per_second * config.group_size, 1),
            "ratio": round(ours_am.per_second / bare_am.per_second, 3),
        },
        "target_ratio": TARGET_RATIO,
        "ok": ratio >= TARGET_RATIO,
    }


def fixed_rate(config: BenchConfig, keys: Secrets, load: LoadGenerator) -> dict[str, Any]:
    count = int(config.rate * config.rate_seconds)
    deliveries = checkout_outage(keys.sentry, events=count, start=utcnow() - timedelta(minutes=3), seed=3)
    with warroom_server(keys, config.layout) as (url, _):
        latencies, failures, seconds = load(drive_open, url, "/webhooks/sentry", deliveries, config.rate, config.client)
    stats = LatencyStats.of(latencies, seconds)
    return {
        "rate": config.rate,
        **asdict(stats),
        "failures": failures,
        "target_p99_ms": TARGET_P99_AT_RATE_MS,
        "ok": failures == 0 and stats.p99_ms < TARGET_P99_AT_RATE_MS,
    }


def _rss_kib(pid: int | str = "self") -> int:
    """Resident set size now (Linux /proc), to show growth over the storm, not only the peak."""
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() // 1024


def _worker_rss_kib() -> int:
    """The worker process's (a child of this one running `api.cli worker`), 0 if it runs here."""
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] != me:
                continue
            if b"api.cli\x00worker" in (entry / "cmdline").read_bytes():
                return _rss_kib(entry.name)
        except OSError:
            continue
    return 0


def storm(config: BenchConfig, keys: Secrets, load: LoadGenerator) -> dict[str, Any]:
    """One Sentry issue: `storm` events, then redeliveries of some of them under new request ids."""
    deliveries = checkout_outage(keys.sentry, events=config.storm, start=utcnow() - timedelta(minutes=3), seed=5)
    rng = random.Random(11)
    repeats = [
        Delivery(d.body, {**d.headers, "request-id": uuid.uuid4().hex})
        for d in rng.sample(deliveries, min(config.redeliveries, len(deliveries)))
    ]
    with warroom_server(keys, config.layout) as (url, warroom):
        rss_before, peak_before = _rss_kib(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        worker_before = _worker_rss_kib()
        growth: list[int] = []
        worker_growth: list[int] = []
        bodies: list[dict] = []
        seconds = 0.0
        quarter = max(len(deliveries) // 4, 1)
        for n in range(0, len(deliveries), quarter):
            _, answered, took = load(
                drive_closed, url, "/webhooks/sentry", deliveries[n : n + quarter], config.concurrency, 0, config.client
            )
            bodies += answered
            seconds += took
            growth.append(_rss_kib() - rss_before)
            worker_growth.append(_worker_rss_kib() - worker_before)
        again = load(drive_closed, url, "/webhooks/sentry", repeats, config.concurrency, 0, config.client)[1]
        worker_rss = _worker_rss_kib()
        peak_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
        with warroom.engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(AlertRow)).scalar_one()
            distinct = conn.execute(select(func.count(func.distinct(AlertRow.delivery_key)))).scalar_one()
            incidents = conn.execute(select(IncidentRow.event_count, IncidentRow.alert_count)).all()
    result = {
        "events": len(deliveries),
        "redeliveries": len(repeats),
        "seconds": round(seconds, 3),
        "per_second": round(len(deliveries) / seconds, 1),
        "incidents": len(incidents),
        "incident_ids_answered": len({b["incident_id"] for b in bodies + again}),
        "alerts_stored": stored,
        "lost": len(deliveries) - distinct,
        "duplicates": stored - distinct,
        "answered_new": sum(not b["deduplicated"] for b in bodies),
        "redeliveries_recognised": sum(b["deduplicated"] for b in again),
        "incident_event_count": incidents[0].event_count if incidents else 0,
        "rss_growth_kib_by_quarter": growth,
        "peak_rss_growth_kib": peak_growth,
        "worker_rss_growth_kib_by_quarter": worker_growth,
        "worker_rss_kib": worker_rss,
    }
    result["ok"] = (
        result["incidents"] == 1
        and result["incident_ids_answered"] == 1
        and stored == len(deliveries)
        and result["lost"] == 0
        and result["duplicates"] == 0
        and result["answered_new"] == len(deliveries)
        and result["redeliveries_recognised"] == len(repeats)
        and result["incident_event_count"] == len(deliveries)
    )
    return result


def response_clock(config: BenchConfig, keys: Secrets, load: LoadGenerator) -> dict[str, Any]:
    """Fresh incidents one at a time, while a storm of one other issue arrives at `rate`/s from a
    second load process (its triage reassessments included): the clock a customer's status page
    runs on during a bad night, not on an idle server."""
    deliveries = fresh_issues(keys.sentry, config.fresh, start=utcnow())
    storm_events = checkout_outage(
        keys.sentry,
        events=max(int(config.rate * config.rate_seconds), 1),
        start=utcnow() - timedelta(minutes=3),
        seed=7,
    )
    background = LoadGenerator()
    try:
        with warroom_server(keys, config.layout) as (url, _):
            storm = background.start(drive_open, url, "/webhooks/sentry", storm_events, config.rate, config.client)
            time.sleep(min(1.0, config.rate_seconds / 4))  # the storm's incident open and its triage running
            pairs = load(drive_clock, url, keys.api, deliveries)
            storm_latencies, storm_failures, storm_seconds = storm.result()
    finally:
        background.close()
    clocks, drafts = sorted(p[0] for p in pairs), sorted(p[1] for p in pairs)
    p99 = _quantile(clocks, 0.99)
    return {
        "incidents": len(clocks),
        "status_page_p50_ms": round(_quantile(clocks, 0.5) * 1000, 1),
        "status_page_p99_ms": round(p99 * 1000, 1),
        "status_page_max_ms": round(clocks[-1] * 1000, 1),
        "target_p99_ms": TARGET_STATUS_P99_S * 1000,
        "ok": p99 < TARGET_STATUS_P99_S,
        "comms_draft_p50_ms": round(_quantile(drafts, 0.5) * 1000, 1),
        "comms_draft_p99_ms": round(_quantile(drafts, 0.99) * 1000, 1),
        "storm": {
            "rate": config.rate,
            **asdict(LatencyStats.of(storm_latencies, storm_seconds)),
            "failures": storm_failures,
        },
    }


def status_surge(config: BenchConfig, keys: Secrets, load: LoadGenerator) -> dict[str, Any]:
    """Every customer refreshing the status page during a P0 (its agents at work): `/status.json`
    and `/status` with `page_readers` connections, against a bare endpoint serving the same JSON
    from memory; and a conditional GET with the ETag."""
    deliveries = checkout_outage(keys.sentry, events=200, start=utcnow() - timedelta(minutes=3), seed=5)
    with warroom_server(keys, config.layout) as (url, warroom):
        load(drive_closed, url, "/webhooks/sentry", deliveries, 8, 0, config.client)
        with httpx.Client(base_url=url, timeout=30) as client:
            for _ in range(100):
                page = client.get("/status.json")
                if page.json()["active_incidents"]:
                    break
                time.sleep(0.1)
            body, etag = page.content, page.headers["etag"]
        json_lat, json_codes, json_s = load(drive_reads, url, "/status.json", config.page_reads, config.json_readers)
        html_lat, html_codes, html_s = load(drive_reads, url, "/status", config.page_reads, config.page_readers)
        revalidations = min(200, config.page_reads)
        _, revalidated, _ = load(drive_reads, url, "/status.json", revalidations, 8, {"if-none-match": etag})
    with serve_bare(body) as bare_url:
        bare_lat, _, bare_s = load(drive_reads, bare_url, "/status.json", config.page_reads, config.json_readers)
        bare64_lat, _, bare64_s = load(drive_reads, bare_url, "/status.json", config.page_reads, config.page_readers)
    ours, html, bare, bare64 = (
        LatencyStats.of(json_lat, json_s),
        LatencyStats.of(html_lat, html_s),
        LatencyStats.of(bare_lat, bare_s),
        LatencyStats.of(bare64_lat, bare64_s),
    )
    ratio = round(ours.per_second / bare.per_second, 3)
    html_ratio = round(html.per_second / bare64.per_second, 3)
    return {
        "readers": config.page_readers,
        "json_readers": config.json_readers,
        "bare": asdict(bare),
        "bare_at_page_readers": asdict(bare64),
        "json": asdict(ours),
        "html": asdict(html),
        "json_ratio": ratio,
        "html_ratio": html_ratio,
        "statuses": {"json": json_codes, "html": html_codes},
        "conditional_304": revalidated.get(304, 0),
        "conditional_total": sum(revalidated.values()),
        "target_ratio": TARGET_PAGE_RATIO,
        "ok": ratio >= TARGET_PAGE_RATIO
        and html_ratio >= TARGET_PAGE_RATIO
        and revalidated.get(304, 0) == revalidations,
    }


def year(config: BenchConfig, keys: Secrets, load: LoadGenerator) -> dict[str, Any]:
    """The pages on a year of data against the same pages without it (`bench.year_bench`)."""
    secrets_ = YearKeys(sentry=keys.sentry, api=keys.api, webhook=keys.webhook)
    return run_year(secrets_, scale=config.year_scale, requests=config.year_requests)


PHASES: dict[str, Callable[[BenchConfig, Secrets, LoadGenerator], dict[str, Any]]] = {
    "throughput": throughput,
    "fixed_rate": fixed_rate,
    "storm": storm,
    "response_clock": response_clock,
    "status_surge": status_surge,
    "year": year,
}


def run(config: BenchConfig, console: Console | None = None, phases: list[str] | None = None) -> dict[str, Any]:
    """The phases (all by default) in turn; the result is what `--json` writes."""
    keys = Secrets()
    results: dict[str, Any] = {"config": asdict(config)}
    load = LoadGenerator()
    try:
        for name in phases or list(PHASES):
            phase = PHASES[name]
            if console:
                console.print(f"[dim]running {name.replace('_', ' ')}…[/]")
            results[name] = phase(config, keys, load)
    finally:
        load.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=BenchConfig.n, help="deliveries per throughput run")
    parser.add_argument("--rounds", type=int, default=BenchConfig.rounds, help="bare/warroom pairs of the ratio")
    parser.add_argument("--concurrency", type=int, default=BenchConfig.concurrency)
    parser.add_argument("--storm", type=int, default=BenchConfig.storm, help="events of one issue")
    parser.add_argument("--redeliveries", type=int, default=BenchConfig.redeliveries)
    parser.add_argument("--fresh", type=int, default=BenchConfig.fresh, help="fresh incidents for the clock")
    parser.add_argument("--rate", type=float, default=BenchConfig.rate, help="alerts/s of the fixed-rate run")
    parser.add_argument("--rate-seconds", type=float, default=BenchConfig.rate_seconds)
    parser.add_argument("--group-size", type=int, default=BenchConfig.group_size)
    parser.add_argument("--warmup", type=int, default=BenchConfig.warmup)
    parser.add_argument("--page-reads", type=int, default=BenchConfig.page_reads, help="GETs per status-page run")
    parser.add_argument("--page-readers", type=int, default=BenchConfig.page_readers, help="concurrent /status readers")
    parser.add_argument(
        "--json-readers", type=int, default=BenchConfig.json_readers, help="concurrent /status.json readers"
    )
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default=BenchConfig.layout,
        help="processes: the worker in its own process, as `warroom serve` runs it (default); one: all in one",
    )
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default=BenchConfig.client,
        help="load generator: raw HTTP/1.1 streams (default) or one httpx.AsyncClient",
    )
    parser.add_argument("--year-scale", type=float, default=BenchConfig.year_scale, help="of the generated year")
    parser.add_argument("--year-requests", type=int, default=BenchConfig.year_requests, help="per page and database")
    parser.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated subset of {','.join(PHASES)}")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    config = BenchConfig(
        n=args.n,
        rounds=args.rounds,
        concurrency=args.concurrency,
        storm=args.storm,
        redeliveries=args.redeliveries,
        fresh=args.fresh,
        rate=args.rate,
        rate_seconds=args.rate_seconds,
        group_size=args.group_size,
        warmup=args.warmup,
        client=args.client,
        page_reads=args.page_reads,
        page_readers=args.page_readers,
        json_readers=args.json_readers,
        layout=args.layout,
        year_scale=args.year_scale,
        year_requests=args.year_requests,
    )
    console = Console()
    phases = [name.strip() for name in args.phases.split(",") if name.strip()]
    unknown = sorted(set(phases) - set(PHASES))
    if unknown:
        parser.error(f"unknown phases {unknown}; known: {list(PHASES)}")
    results = run(config, console, phases)
    console.print(summary_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if all(results[name]["ok"] for name in phases) else 1


if __name__ == "__main__":
    raise SystemExit(main())
