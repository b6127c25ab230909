"""A year of warroom data in a SQLite database, for measuring what history costs the pages.

`python -m bench.year --out year.db [--scale 1.0] [--keep-days N]`

20,000 incidents over 365 days (mostly resolved, a few open in the last hours; P0-P3 about 1/5/25/69
in a hundred, storms rated higher), 2,000,000 alerts (most incidents a handful, one in twenty a
storm of hundreds to thousands), and what each leaves at its severity (`bench.year_records`):
timelines, endpoint and user counts, drafts, war rooms, status-page posts, findings, postmortems
with action items, finished jobs and sends; plus the year's ticket syncs, weekly digests and
hourly retention runs. The schema is the app's own (`warroom.migrations.upgrade`); rows go in
with `executemany` in large transactions, the secondary indexes built once at the end.

Raw payloads: as under the default retention (90 days), the alerts received more than 91 days ago
have already lost theirs (`raw_pruned_at` set); the last day before that is left for the bench
to time a pruning run on. The ones kept are the real normalisers' (~1.1 KB for a Sentry event).
Not generated: the graphs' checkpoints (a separate database), and so no pending jobs for the
open incidents either (a graph run without its thread would be wrong, not slow).

`--keep-days N` writes only the incidents opened in the last N days of the same year, with the
same ids and rows: the baseline the bench compares the year against.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, create_engine

from bench.year_alerts import AlertKey, Stamp, alert_template, sqlite_time
from bench.year_records import PEOPLE, Planned, records, topic_key
from warroom import keys
from warroom.kinds import JobKind
from warroom.migrations import upgrade
from warroom.severity import Severity
from warroom.tables import Base

__all__ = ["YearConfig", "YearSummary", "generate", "main", "plan"]

ALERT_COLUMNS = (
    "id", "delivery_key", "dedup_key", "source", "event_type", "status", "title", "service", "endpoint",
    "environment", "level", "occurred_at", "received_at", "event_count", "incident_id", "alert", "raw_pruned_at",
)  # fmt: skip
FLUSH = 50_000


@dataclass(frozen=True)
class YearConfig:
    incidents: int = 20_000
    alerts: int = 2_000_000
    days: int = 365
    open_incidents: int = 6
    alert_keys: int = 3_000
    """Distinct things that alert (Sentry issues, Alertmanager rules): incidents of one recur."""
    retention_days: int = 90
    seed: int = 2026

    def scaled(self, scale: float) -> YearConfig:
        incidents = max(20, round(self.incidents * scale))
        return replace(
            self,
            incidents=incidents,
            alerts=max(incidents, round(self.alerts * scale)),
            alert_keys=max(8, round(self.alert_keys * scale)),
            open_incidents=min(self.open_incidents, max(2, incidents // 10)),
        )


class YearSummary(BaseModel):
    """What was written, and ids the bench uses."""

    path: str
    now: datetime
    keep_days: int | None
    seconds: float
    rows: dict[str, int]
    bytes: int
    newest_storm: int | None
    """A resolved P0/P1 of the last week with the most alerts: the incident page to time."""
    open_incident: int | None
    deep_cursor: int | None
    """An incident id half a year back: a page deep in the list."""
    unpruned_aged: int
    """Alerts past the retention still holding their payload: the pruning run's work."""


def _alert_count(rng: random.Random) -> int:
    draw = rng.random()
    if draw < 0.70:
        return rng.randint(1, 10)
    if draw < 0.95:
        return int(10 * 20 ** rng.random())
    return int(200 * 40 ** rng.random())


def _severity(rng: random.Random, alerts: int, critical: bool) -> Severity:
    weights = (
        [0.004, 0.025, 0.2, 0.771]
        if alerts < 50
        else [0.015, 0.07, 0.35, 0.565]
        if alerts < 500
        else [0.08, 0.25, 0.4, 0.27]
    )
    if critical:
        weights = [weights[0] * 2, weights[1] * 2, weights[2], weights[3]]
    return rng.choices(list(Severity), weights)[0]


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=low * (high / low) ** rng.random())


def plan(config: YearConfig, now: datetime) -> list[Planned]:
    """Every incident of the year, in order of opening (ids ascending with time, as ingest gives them)."""
    if config.alerts < config.incidents:
        raise ValueError("every incident has at least one alert")
    rng = random.Random(config.seed)
    pool = [AlertKey.draw(rng, n) for n in range(config.alert_keys)]
    start = now - timedelta(days=config.days)
    closed = config.incidents - config.open_incidents
    span = (now - timedelta(hours=6) - start).total_seconds()
    moments = sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(closed))
    moments += [now - timedelta(minutes=20 + 53 * k) for k in reversed(range(config.open_incidents))]
    raw = [_alert_count(rng) for _ in moments]
    factor = config.alerts / sum(raw)
    counts = [max(1, round(c * factor)) for c in raw]
    excess = sum(counts) - config.alerts  # rounding and the floor of one: taken from the biggest storms
    for n in sorted(range(len(counts)), key=lambda n: -counts[n]):
        if excess <= 0:
            break
        cut = min(excess, counts[n] - 1)
        counts[n] -= cut
        excess -= cut
    counts[counts.index(max(counts))] -= excess
    planned, first_alert = [], 1
    busy: set[str] = set()
    for n, (opened_at, alerts) in enumerate(zip(moments, counts, strict=True)):
        incident_id = n + 1
        own = random.Random(config.seed * 100_003 + incident_id)
        key = pool[int(len(pool) * rng.random() ** 3)]  # a few keys recur all year, most rarely
        while n >= closed and topic_key(key) in busy:  # open incidents are about different things
            key = rng.choice(pool)
        if n >= closed:
            busy.add(topic_key(key))
        severity = _severity(rng, alerts, key.topic.critical)
        first_seen = opened_at - timedelta(seconds=own.uniform(0.5, 60))
        is_open = n >= closed
        auto = not severity.pages_customers and own.random() < (0.7 if severity is Severity.P3 else 0.4)
        low, high = {Severity.P0: (15, 150), Severity.P1: (20, 180), Severity.P2: (15, 180), Severity.P3: (3, 40)}[
            severity
        ]
        resolved_at = None if is_open else first_seen + _minutes(own, low, high)
        if resolved_at is not None and resolved_at <= opened_at:
            resolved_at = opened_at + timedelta(minutes=1)
        active = (resolved_at or now) - first_seen
        acked = (
            own.random() < (0.97 if severity.pages_customers else 0.5 if severity is Severity.P2 else 0.1) and not auto
        )
        ack_at = opened_at + _minutes(own, 0.3, 6 if severity.pages_customers else 40) if acked else None
        if ack_at is not None and resolved_at is not None and ack_at > resolved_at:
            ack_at = opened_at
        planned.append(
            Planned(
                id=incident_id,
                key=key,
                severity=severity,
                opened_at=opened_at,
                first_seen=first_seen,
                last_seen=first_seen + active * 0.8 if alerts > 1 else first_seen,
                resolved_at=resolved_at,
                auto_resolved=auto and not is_open,
                acknowledged_at=ack_at,
                responder=own.choice(PEOPLE),
                alerts=alerts,
                users=min(alerts, max(1, int(alerts * own.uniform(0.3, 0.8))), 3000) if key.source == "sentry" else 0,
                title=key.title,
                dedup_key="",
                links=[],
                runbook_url=None,
                first_alert_id=first_alert,
                reviewed=own.random() < 0.9,
                rng=own,
            )
        )
        first_alert += alerts
    return planned


class Loader:
    """Buffered `executemany` per table, columns checked against the app's tables."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.buffers: dict[str, list[tuple[Any, ...]]] = {}
        self.columns: dict[str, tuple[str, ...]] = {}
        self.rows: dict[str, int] = {}

    def add(self, table: str, row: dict[str, Any]) -> None:
        if table not in self.columns:
            known = set(Base.metadata.tables[table].c.keys())
            unknown = set(row) - known
            if unknown:
                raise KeyError(f"{table} has no columns {sorted(unknown)}")
            self.columns[table] = tuple(row)
        self.buffers.setdefault(table, []).append(tuple(_value(row[c]) for c in self.columns[table]))
        if len(self.buffers[table]) >= FLUSH:
            self.flush(table)

    def add_alert(self, row: tuple[Any, ...]) -> None:
        self.columns.setdefault("alerts", ALERT_COLUMNS)
        buffer = self.buffers.setdefault("alerts", [])
        buffer.append(row)
        if len(buffer) >= FLUSH:
            self.flush("alerts")

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.buffers):
            rows = self.buffers.pop(name, [])
            if rows:
                columns = self.columns[name]
                self.conn.exec_driver_sql(
                    f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows
                )
                self.rows[name] = self.rows.get(name, 0) + len(rows)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return sqlite_time(value.astimezone(UTC))
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _alerts(p: Planned, load: Loader, aged: datetime, retention: timedelta) -> int:
    """The incident's deliveries; returns how many past the retention still hold their payload."""
    rng = p.rng
    template, stored, stored_pruned = alert_template(p.key, rng)
    full, pruned = Stamp(p.key, stored), Stamp(p.key, stored_pruned)
    lag = p.opened_at - p.first_seen
    step = (p.last_seen - p.first_seen) / max(p.alerts - 1, 1)
    kept_aged = 0
    for n in range(p.alerts):
        occurred = p.first_seen + step * n
        received = p.opened_at if n == 0 else max(occurred + lag, p.opened_at)
        if p.key.source == "sentry":
            ident = f"{rng.getrandbits(128):032x}"
            who = f"user-{p.id}-{n if n < p.users else rng.randrange(p.users)}"
        else:
            ident = p.key.fingerprint(0 if n == 0 else rng.getrandbits(31) + 1)
            who = f"{n:05x}"
        delivery_key, dedup_key = full.keys(ident, occurred)
        if n == 0:
            p.dedup_key = dedup_key
            first = json.loads(full(ident, occurred, who))
            p.links, p.runbook_url = first["links"], first["runbook_url"]
        if received < aged:
            document, pruned_at = (
                pruned(ident, occurred, who),
                received + retention + timedelta(minutes=rng.uniform(0, 60)),
            )
        else:
            document, pruned_at = full(ident, occurred, who), None
            kept_aged += received < aged + timedelta(days=1)
        load.add_alert(
            (
                p.first_alert_id + n,
                delivery_key,
                dedup_key,
                template.source,
                template.event_type,
                "firing",
                template.title,
                template.service,
                template.endpoint,
                template.environment,
                template.level,
                sqlite_time(occurred),
                sqlite_time(received),
                1,
                p.id,
                document,
                sqlite_time(pruned_at) if pruned_at else None,
            )
        )
    return kept_aged


def _year_rows(load: Loader, planned: list[Planned], now: datetime, days: int) -> None:
    """What the year leaves outside any incident: the status page's components and start, the
    ticket syncs every 15 minutes, the Monday digests and the hourly retention runs."""
    start = now - timedelta(days=days)
    load.add("page_marks", {"name": "started", "at": start})
    components: dict[str, tuple[str, datetime]] = {}
    for p in planned:
        if p.severity.pages_customers:
            status = "operational" if p.resolved_at else "major_outage"
            components[p.key.topic.component] = (status, p.resolved_at or p.opened_at)
    for name, (status, at) in components.items():
        load.add("page_components", {"name": name, "status": status, "updated_at": at})

    def job(key: str, kind: JobKind, due: datetime, payload: dict[str, Any]) -> None:
        load.add(
            "jobs",
            {
                "key": key, "kind": kind.value, "lane": None, "payload": payload, "state": "done", "due_at": due,
                "lease_until": None, "lease_owner": None, "incident_id": None, "attempts": 1,
                "done_at": due + timedelta(milliseconds=40), "last_error": None,
            },
        )  # fmt: skip

    slot = int(start.timestamp() // 900) + 1
    while slot * 900 < now.timestamp():
        job(keys.tickets_sync(slot), JobKind.TICKETS_SYNC, datetime.fromtimestamp(slot * 900, UTC), {})
        slot += 1
    hour = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while hour < now:
        job(keys.raw_payload_prune(hour), JobKind.RETENTION_PRUNE, hour, {})
        if hour.weekday() == 0 and hour.hour == 9:
            job(keys.weekly_digest(hour.date().isoformat()), JobKind.DIGEST, hour, {"monday": hour.date().isoformat()})
        hour += timedelta(hours=1)


@contextmanager
def _bulk(url: str) -> Iterator[tuple[Connection, list[str]]]:
    """One connection tuned for loading (no journal, no fsync, a big cache), the secondary indexes
    dropped; they are created again, sorted once, when the load ends."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-524288", "temp_store=MEMORY"):
                conn.exec_driver_sql(f"PRAGMA {pragma}")
            indexes = [
                (name, sql)
                for name, sql in conn.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                )
            ]
            for name, _ in indexes:
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
            conn.commit()
            yield conn, [sql for _, sql in indexes]
            for sql in [sql for _, sql in indexes]:
                conn.exec_driver_sql(sql)
            conn.commit()
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    finally:
        engine.dispose()


def generate(path: Path, config: YearConfig, now: datetime, *, keep_days: int | None = None) -> YearSummary:
    """Write the year (or its last `keep_days`) into a new database at `path`."""
    began = time.monotonic()
    if path.exists():
        raise FileExistsError(f"{path} exists: the generator writes a new database")
    url = f"sqlite:///{path}"
    upgrade(url)
    planned = plan(config, now)
    keep_from = now - timedelta(days=keep_days) if keep_days is not None else None
    retention = timedelta(days=config.retention_days)
    aged = now - retention - timedelta(days=1)
    unpruned = 0
    with _bulk(url) as (conn, _):
        load = Loader(conn)
        rows = load.add
        for p in planned:
            if keep_from is not None and p.opened_at < keep_from:
                continue
            unpruned += _alerts(p, load, aged, retention)
            records(p, rows, now)
        _year_rows(load, [p for p in planned if keep_from is None or p.opened_at >= keep_from], now, config.days)
        load.flush()
        conn.commit()
    kept = [p for p in planned if keep_from is None or p.opened_at >= keep_from]
    week = [p for p in kept if p.resolved_at and p.severity.pages_customers and p.opened_at > now - timedelta(days=7)]
    deep = [p.id for p in kept if p.opened_at < now - timedelta(days=182)]
    return YearSummary(
        path=str(path),
        now=now,
        keep_days=keep_days,
        seconds=round(time.monotonic() - began, 1),
        rows={name: count for name, count in sorted(load.rows.items())},
        bytes=path.stat().st_size,
        newest_storm=max(week, key=lambda p: p.alerts).id if week else None,
        open_incident=next((p.id for p in reversed(kept) if p.resolved_at is None), None),
        deep_cursor=deep[-1] if deep else None,
        unpruned_aged=unpruned,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.year", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="the new SQLite file")
    parser.add_argument("--scale", type=float, default=1.0, help="of 20,000 incidents and 2,000,000 alerts")
    parser.add_argument("--keep-days", type=int, help="only the incidents of the year's last N days")
    parser.add_argument("--now", type=datetime.fromisoformat, help="the year's end (default: now, UTC)")
    parser.add_argument("--seed", type=int, default=YearConfig.seed)
    args = parser.parse_args(argv)
    now = (args.now or datetime.now(UTC)).astimezone(UTC)
    config = YearConfig(seed=args.seed)
    config = config.scaled(args.scale) if args.scale != 1 else config
    summary = generate(args.out, config, now, keep_days=args.keep_days)
    print(summary.model_dump_json(indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
