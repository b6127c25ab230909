"""A batch of deliveries leaves the database exactly as writing each delivery alone does.

`ingest_alerts` sums what a batch's alerts add to one incident and writes it once; these tests
write one mixed stream of deliveries (a storm of one issue crossing the reassessment
thresholds, other issues joining the same path, several alerts per delivery, recoveries,
redeliveries, users and endpoints) both ways, into two fresh databases, and compare every row.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from warroom.alerts.group_commit import GroupCommit
from warroom.alerts.models import AffectedUser, Alert, AlertStatus
from warroom.alerts.tables import AlertRow
from warroom.clock import FakeClock
from warroom.incidents.tables import IncidentEndpointRow, IncidentKeyRow, IncidentRow, IncidentUserRow, TimelineRow
from warroom.scheduler.tables import JobRow

TABLES = (IncidentRow, AlertRow, IncidentKeyRow, IncidentEndpointRow, IncidentUserRow, JobRow, TimelineRow)


def _stream(clock: FakeClock, seed: int) -> list[list[Alert]]:
    """About 300 deliveries of 1-3 alerts: what a busy minute of several sources looks like."""
    rng = random.Random(seed)
    start = clock.now() - timedelta(minutes=5)
    issues = [
        ("sentry", "sentry:checkout-1", "/api/checkout/pay", "checkout"),
        ("sentry", "sentry:checkout-2", "/api/checkout/cart", "checkout"),
        ("alertmanager", "am:disk", None, "db"),
        ("alertmanager", "am:latency", "/api/search", "search"),
        ("grafana", "grafana:search-5xx", "/api/search", "search"),
    ]
    deliveries: list[list[Alert]] = []
    sent: list[list[Alert]] = []
    for n in range(300):
        if sent and rng.random() < 0.08:
            deliveries.append(rng.choice(sent))  # a redelivery of something already sent
            continue
        alerts = []
        for m in range(rng.choice([1, 1, 1, 2, 3])):
            source, dedup, endpoint, service = rng.choice(issues)
            status = AlertStatus.RESOLVED if rng.random() < 0.06 else AlertStatus.FIRING
            user = rng.randrange(40)
            alerts.append(
                Alert(
                    source=source,
                    delivery_key=f"{source}:{n}:{m}",
                    dedup_key=dedup,
                    status=status,
                    title=f"{service} failing",
                    service=service,
                    endpoint=endpoint,
                    level=rng.choice(["error", "critical", "warning"]),
                    occurred_at=start + timedelta(seconds=rng.randrange(300)),
                    event_count=rng.choice([1, 1, 1, 3, 40]),
                    users_affected=rng.choice([None, n, n // 3]),  # growing, so each batch's largest shows
                    user=AffectedUser(id=f"u{user}", email=f"u{user}@example.com") if rng.random() < 0.7 else None,
                )
            )
        deliveries.append(alerts)
        sent.append(alerts)
    return deliveries


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table ingest writes; jobs without their id, which numbers them in the
    order they were scheduled (a batch schedules its threshold reassessments when it writes the
    counts), and nothing reads a job by its id's order."""
    with engine.connect() as conn:
        return {
            row.__tablename__: sorted(
                (tuple(r)[1:] if row is JobRow else tuple(r) for r in conn.execute(select(row.__table__))),
                key=lambda r: tuple(map(str, r)),
            )
            for row in TABLES
        }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batches_write_exactly_what_each_delivery_alone_writes(two_warrooms, clock: FakeClock, seed: int) -> None:
    alone, batched = two_warrooms
    stream = _stream(clock, seed)
    one_by_one = GroupCommit(alone.engine, clock, alone.settings, wake=lambda: None)
    together = GroupCommit(batched.engine, clock, batched.settings, wake=lambda: None)
    rng = random.Random(seed)

    answers_alone: list[Any] = []
    answers_batched: list[Any] = []
    at = 0
    while at < len(stream):
        batch = stream[at : at + rng.choice([1, 2, 5, 8, 16, 40])]
        at += len(batch)
        answers_batched += together.write(batch)
        answers_alone += [one_by_one.write([delivery])[0] for delivery in batch]
        rows = _rows(batched.engine)
        assert rows == _rows(alone.engine), f"after {at} deliveries"

    assert answers_batched == answers_alone  # ids, incidents, duplicates and scheduled work alike
    reassessments = [r for r in rows["jobs"] if ":reassess:" in str(r) or "reassess" in str(r)]
    assert len(reassessments) >= 5  # the stream crossed thresholds and joined sources: tested, not vacuous
    assert sum(a.deduplicated for answer in answers_alone for a in answer) >= 10
