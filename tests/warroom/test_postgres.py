"""The same code on PostgreSQL: migrations, storm dedup through the API, concurrent ingest,
checkpointed graphs resumed in a new process, and several schedulers claiming work with leases."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, inspect, select, text

from api.app import create_app
from api.composition import Warroom
from api.routers.webhooks import ingest
from api.scenarios import checkout_outage
from tests.conftest import API_TOKEN, SENTRY_SECRET, WEBHOOK_TOKEN
from tools.webhooks import sentry
from warroom import keys
from warroom.alerts.tables import AlertRow
from warroom.clock import FakeClock
from warroom.incidents.tables import IncidentRow, TimelineRow
from warroom.kinds import OutboxKind
from warroom.migrations import alembic_config, upgrade
from warroom.outbox.tables import OutboxRow
from warroom.scheduler import store as jobs
from warroom.scheduler.store import Job
from warroom.scheduler.tables import JobRow
from warroom.settings import Settings
from warroom.status_page.tables import PageIncidentRow, PageUpdateRow

AUTH = {"authorization": f"Bearer {API_TOKEN}"}


@pytest.fixture
def pg_settings(postgres_database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=postgres_database_url,
        data_dir=tmp_path / "data",
        api_token=API_TOKEN,
        sentry_client_secret=SENTRY_SECRET,
        webhook_token=WEBHOOK_TOKEN,
    )


@pytest.fixture
def pg_warroom(pg_settings, clock: FakeClock) -> Iterator[Warroom]:
    instance = Warroom.build(pg_settings, clock)
    yield instance
    instance.close()


@pytest.fixture
def pg_client(pg_warroom: Warroom) -> Iterator[TestClient]:
    with TestClient(create_app(pg_warroom, run_worker=False)) as test_client:
        yield test_client


def _count(warroom: Warroom, table: Any, *where: Any) -> int:
    with warroom.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _storm(client: TestClient, clock: FakeClock, events: int, minutes: float = 1.0) -> int:
    deliveries = checkout_outage(
        SENTRY_SECRET, events=events, minutes=minutes, start=clock.now() - timedelta(minutes=minutes)
    )
    ids = {client.post("/webhooks/sentry", content=d.body, headers=d.headers).json()["incident_id"] for d in deliveries}
    [incident_id] = ids
    return incident_id


def test_migrations_bring_an_empty_postgres_database_to_head(postgres_database_url):
    upgrade(postgres_database_url)
    upgrade(postgres_database_url)  # a second run (another process starting) changes nothing
    head = ScriptDirectory.from_config(alembic_config(postgres_database_url)).get_current_head()
    engine = create_engine(postgres_database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
            schema = inspect(conn)
            assert {
                "alerts",
                "incidents",
                "incident_keys",
                "timeline_events",
                "jobs",
                "outbox",
                "page_incidents",
                "page_updates",
            } <= set(schema.get_table_names())
            alerts = {c["name"]: c for c in schema.get_columns("alerts")}
            assert type(alerts["alert"]["type"]).__name__ == "JSONB"
            assert type(alerts["id"]["type"]).__name__ == "BIGINT"
            assert alerts["received_at"]["type"].timezone is True
    finally:
        engine.dispose()


def test_processes_starting_at_once_migrate_one_database_without_tripping_over_each_other(postgres_database_url):
    # Each process imports first and waits for "go", so all migrate at the same moment.
    code = (
        "import sys, warroom.tables; from warroom.migrations import upgrade; sys.stdin.readline(); upgrade(sys.argv[1])"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, postgres_database_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], errors


def test_sentry_storm_through_the_api_is_one_p0_incident_with_every_event_counted(pg_client, pg_warroom, clock):
    events = 150
    incident_id = _storm(pg_client, clock, events)
    pg_warroom.scheduler.run_pending()

    [listed] = pg_client.get("/api/incidents", headers=AUTH).json()
    assert listed["id"] == incident_id
    incident = pg_client.get(f"/api/incidents/{incident_id}", headers=AUTH).json()
    assert (incident["event_count"], incident["alert_count"]) == (events, events)
    assert incident["severity"] == "P0"
    assert incident["endpoints"] == [{"endpoint": "/api/checkout", "count": events}]
    assert _count(pg_warroom, AlertRow.__table__) == events
    assert _count(pg_warroom, IncidentRow.__table__) == 1
    # The server runs in Asia/Kolkata: times read back must still be UTC where the page says UTC.
    started = (clock.now() - timedelta(minutes=1)).strftime("%H:%M")
    [active] = pg_client.get("/status.json").json()["active_incidents"]
    assert f"since {started} UTC" in active["updates"][-1]["body"]
    assert incident["opened_at"].endswith(("Z", "+00:00"))


def test_redelivery_is_recognised_and_stored_once(pg_client, pg_warroom, clock):
    [delivery] = checkout_outage(SENTRY_SECRET, events=1, start=clock.now())
    first = pg_client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers).json()
    again = pg_client.post(
        "/webhooks/sentry", content=delivery.body, headers={**delivery.headers, "request-id": "a-new-request-id"}
    ).json()
    assert first["deduplicated"] is False
    assert again == {**first, "deduplicated": True}
    assert _count(pg_warroom, AlertRow.__table__) == 1


def test_concurrent_deliveries_of_one_new_issue_open_exactly_one_incident(pg_warroom, clock):
    """16 threads race on the first alert of an issue; every delivery also arrives twice at once."""
    threads, per_thread = 16, 12
    deliveries = checkout_outage(
        SENTRY_SECRET, events=threads * per_thread // 2, minutes=1, start=clock.now() - timedelta(minutes=1)
    )
    alerts = [
        sentry.normalise(json.loads(d.body), {k.lower(): v for k, v in d.headers.items()}, clock.now())[0]
        for d in deliveries
    ]
    # Thread n and thread n + 8 send the same deliveries, so redeliveries race each other too.
    batches = [
        alerts[(n % (threads // 2)) * per_thread : (n % (threads // 2) + 1) * per_thread] for n in range(threads)
    ]
    start = threading.Barrier(threads)

    def send(batch: list[Any]) -> list[Any]:
        start.wait()
        return [ingest(pg_warroom, [alert])[0] for alert in batch]

    with ThreadPoolExecutor(threads) as pool:
        results = [r for batch in pool.map(send, batches) for r in batch]

    assert {r.incident_id for r in results} == {results[0].incident_id}
    assert _count(pg_warroom, IncidentRow.__table__) == 1
    assert _count(pg_warroom, AlertRow.__table__) == len(alerts)
    stored = [r for r in results if not r.deduplicated]
    assert len(stored) == len(alerts) and len({r.alert_id for r in stored}) == len(alerts)
    assert Counter(r.deduplicated for r in results) == {False: len(alerts), True: len(alerts)}
    with pg_warroom.engine.connect() as conn:
        counts = conn.execute(select(IncidentRow.event_count, IncidentRow.alert_count)).one()
    assert tuple(counts) == (len(alerts), len(alerts))
    assert _count(pg_warroom, JobRow.__table__, JobRow.kind == "incident.start") == 1


def test_graph_resumes_from_its_postgres_checkpoint_in_a_new_process(pg_client, pg_warroom, clock, pg_settings):
    incident_id = _storm(pg_client, clock, events=20)
    pg_warroom.scheduler.run_pending()
    assert (
        pg_client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "founder"}, headers=AUTH).status_code
        == 202
    )
    pg_warroom.close()

    script = textwrap.dedent(f"""
        from datetime import datetime
        from api.composition import Warroom
        from warroom.clock import FakeClock
        from warroom.settings import Settings
        from graphs.incident import thread_config
        settings = Settings(database_url={pg_settings.database_url!r}, api_token="x")
        clock = FakeClock(datetime.fromisoformat({clock.now().isoformat()!r}))
        w = Warroom.build(settings, clock)
        print("saver", type(w.runner.graph.checkpointer).__name__)
        state = w.runner.graph.get_state(thread_config({incident_id}))
        print("waiting at", state.next, "severity", state.values["severity"])
        w.scheduler.run_pending()
        print("after", w.runner.graph.get_state(thread_config({incident_id})).next)
        w.close()
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "saver PostgresSaver" in result.stdout
    assert "waiting at ('monitor',) severity P0" in result.stdout
    assert "after ()" in result.stdout


def test_a_worker_never_claims_a_job_whose_lane_another_worker_is_claiming(pg_warroom, clock):
    """Worker B looks while A's claim is not yet committed; B must then wait, and find the lane busy."""
    now = clock.now()
    with pg_warroom.engine.begin() as conn:
        for key in ("start", "reassess:2", "reassess:3"):
            jobs.schedule(conn, key=f"incident:1:{key}", kind="incident.event", due_at=now, lane="incident:1")
    with ThreadPoolExecutor(1) as pool, pg_warroom.engine.connect() as probe:
        with pg_warroom.engine.begin() as a:
            claimed_by_a = jobs.claim_due(a, now)

            def claim_b() -> list[Job]:
                with pg_warroom.engine.begin() as b:
                    return jobs.claim_due(b, now)

            b_claims = pool.submit(claim_b)
            waiting = text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            while not probe.execute(waiting).scalar_one() and not b_claims.done():
                probe.rollback()
            probe.rollback()
        claimed_by_b = b_claims.result(timeout=30)
    assert [j.key for j in claimed_by_a] == ["incident:1:start"]
    assert claimed_by_b == []


def test_graphs_keep_running_after_the_server_drops_every_connection(pg_client, pg_warroom, clock):
    """A failover or an idle-connection reaper cuts every connection; the next job must reconnect."""
    incident_id = _storm(pg_client, clock, events=20)
    pg_warroom.scheduler.run_pending()
    with pg_warroom.engine.connect() as conn:
        cut = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    assert cut >= 1
    assert (
        pg_client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "founder"}, headers=AUTH).status_code
        == 202
    )
    pg_warroom.scheduler.run_pending()
    assert pg_client.get(f"/api/incidents/{incident_id}", headers=AUTH).json()["status"] == "resolved"


class _Watch:
    """Counts every job and outbox row each worker ran, and notices two jobs of one lane at once."""

    def __init__(self) -> None:
        self.jobs: Counter[str] = Counter()
        self.sent: Counter[int] = Counter()
        self.overlaps: list[str] = []
        self._busy: set[str] = set()
        self._lock = threading.Lock()

    def job(self, handler: Callable[[Job], None]) -> Callable[[Job], None]:
        def run(job: Job) -> None:
            with self._lock:
                self.jobs[job.key] += 1
                if job.lane in self._busy:
                    self.overlaps.append(job.key)
                if job.lane is not None:
                    self._busy.add(job.lane)
            try:
                handler(job)
            finally:
                with self._lock:
                    self._busy.discard(job.lane or "")

        return run

    def on_sent(self, item: Any, _result: Any) -> None:
        with self._lock:
            self.sent[item.id] += 1


def test_two_schedulers_on_one_database_never_run_a_job_or_send_a_row_twice(pg_settings, clock):
    first, second = Warroom.build(pg_settings, clock), Warroom.build(pg_settings, clock)
    watch = _Watch()
    try:
        for w in (first, second):
            for kind, handler in list(w.scheduler._handlers.items()):  # every handler the composition root registered
                w.scheduler.register(kind, watch.job(handler))
            w.scheduler.outbox.on_sent.append(watch.on_sent)

        def race() -> None:
            barrier = threading.Barrier(2)

            def run(w: Warroom) -> int:
                barrier.wait()
                return w.scheduler.run_pending()

            with ThreadPoolExecutor(2) as pool:
                list(pool.map(run, (first, second)))

        with TestClient(create_app(first, run_worker=False)) as client:
            incident_id = _storm(client, clock, events=120)  # start, plus reassess at 2, 4, 8 ... 64 events
            race()
            for _ in range(2):
                clock.advance(timedelta(minutes=15, seconds=1))
                race()
            assert (
                client.post(
                    f"/api/incidents/{incident_id}/resolve", json={"actor": "founder"}, headers=AUTH
                ).status_code
                == 202
            )
            race()
            clock.advance(timedelta(hours=1))
            race()
            incident = client.get(f"/api/incidents/{incident_id}", headers=AUTH).json()
    finally:
        first.close()
        second.close()

    engine = create_engine(pg_settings.database_url)
    try:
        with engine.connect() as conn:
            jobs = conn.execute(select(JobRow.key, JobRow.state, JobRow.attempts)).all()
            outbox = conn.execute(select(OutboxRow.id, OutboxRow.kind, OutboxRow.state, OutboxRow.attempts)).all()
            page_updates = conn.execute(select(func.count()).select_from(PageUpdateRow)).scalar_one()
            page_incidents = conn.execute(select(func.count()).select_from(PageIncidentRow)).scalar_one()
            posted = conn.execute(
                select(func.count()).select_from(TimelineRow).where(TimelineRow.kind == "status_page")
            ).scalar_one()
    finally:
        engine.dispose()

    assert incident["status"] == "resolved"
    assert [e["kind"] for e in incident["timeline"]].count("update") == 2
    assert watch.overlaps == [], "two jobs of one incident ran at once"
    ran = {key for key, state, _ in jobs if state == "done"}
    assert {
        keys.incident_start(incident_id),
        keys.reassess(incident_id, "count:4"),
        keys.reassess(incident_id, "count:7"),
    } <= ran
    assert set(watch.jobs) == ran and set(watch.jobs.values()) == {1}
    assert {(state, attempts) for _, _, state, attempts in outbox} == {("sent", 1)}
    assert [kind for _, kind, _, _ in outbox].count(OutboxKind.STATUS_POST) == 4  # opened, two updates, resolved
    assert sorted(watch.sent) == sorted(row.id for row in outbox) and set(watch.sent.values()) == {1}
    assert (page_incidents, page_updates, posted) == (1, 4, 4)


def test_different_issues_on_one_path_arriving_at_once_open_one_incident(pg_warroom, clock):
    """Eight different Sentry issues on /api/checkout at the same moment are one outage."""
    deliveries = [checkout_outage(SENTRY_SECRET, events=1, start=clock.now(), seed=n)[0] for n in range(8)]
    alerts = []
    for n, delivery in enumerate(deliveries):
        alert = sentry.normalise(
            json.loads(delivery.body), {k.lower(): v for k, v in delivery.headers.items()}, clock.now()
        )[0]
        alerts.append(alert.model_copy(update={"dedup_key": f"sentry:issue:{9000 + n}"}))
    start = threading.Barrier(len(alerts))

    def send(alert: Any) -> Any:
        start.wait()
        return ingest(pg_warroom, [alert])[0]

    with ThreadPoolExecutor(len(alerts)) as pool:
        results = list(pool.map(send, alerts))
    assert len({r.incident_id for r in results}) == 1
    assert _count(pg_warroom, IncidentRow.__table__) == 1


def test_multi_alert_deliveries_in_opposite_orders_never_deadlock(pg_warroom, clock):
    """Alertmanager groups [A, B] and [B, A] arriving together, round after round."""
    first = [a for a in (_am_alert("aaaa", "search", clock), _am_alert("bbbb", "billing", clock))]
    for round_number in range(10):
        batch = [a.model_copy(update={"delivery_key": f"{a.delivery_key}:{round_number}"}) for a in first]
        start = threading.Barrier(2)

        def send(alerts: list[Any], start: threading.Barrier = start) -> list[Any]:
            start.wait()
            return ingest(pg_warroom, alerts)

        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(send, [batch, list(reversed(batch))]))
        assert all(len(o) == 2 for o in outcomes)
    assert _count(pg_warroom, IncidentRow.__table__) == 2


def _am_alert(fingerprint: str, service: str, clock: FakeClock) -> Any:
    from tools.webhooks import alertmanager

    group = {
        "version": "4",
        "groupKey": "{}:{}",
        "status": "firing",
        "receiver": "warroom",
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://am",
        "truncatedAlerts": 0,
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "Errors", "service": service},
                "annotations": {"summary": f"{service} errors"},
                "startsAt": clock.now().isoformat().replace("+00:00", "Z"),
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prom",
                "fingerprint": fingerprint,
            }
        ],
    }
    return alertmanager.normalise(group, {}, clock.now())[0]
