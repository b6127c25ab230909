"""Group commit on ingest: the deliveries that arrive while a write transaction is open are
written together in the next one (one `BEGIN IMMEDIATE` for many alerts), and each request is
answered only after the transaction holding its rows has committed.

On the event loop, with no thread: the first delivery queued on an idle loop schedules the write
with `call_soon`, so every request the loop reads before that callback runs joins it. The write
itself is synchronous, as the inline transaction was before, so whatever arrives while it runs
waits in the socket buffers and makes up the next batch: the batch grows with the load and is
one delivery when the server is quiet (bench/README.md, "Group commit", has the measurements, and
the inline transaction and the writer thread it beat).

Within a batch the deliveries are written one after another in the transaction, so a
redelivery sees its original (a duplicate, not a second row) and the tenth event of a new issue
sees the incident the first one opened; what the batch's alerts add to one incident (counts,
endpoints, users) is written once (`warroom.alerts.store.ingest_alerts`). If the batch fails, each delivery is written again in a
transaction of its own: only the bad one gets the error, every request is answered once.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable, Sequence
from datetime import timedelta

from prometheus_client import Histogram
from sqlalchemy import Engine

from warroom.accounts import with_account
from warroom.alerts.models import Alert
from warroom.alerts.store import IngestOutcome, ingest_alerts, lock_correlation_keys
from warroom.clock import Clock
from warroom.settings import Settings

__all__ = ["GroupCommit", "Written"]

log = logging.getLogger(__name__)

Written = list[IngestOutcome] | Exception
"""One delivery's outcomes, or the error that kept it out of the database."""

BATCH_SIZE = Histogram(
    "warroom_ingest_batch_deliveries",
    "Webhook deliveries written by one ingest transaction (group commit)",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)


class GroupCommit:
    """Writes deliveries (each a list of alerts) for the webhook routes; `wake` is called once per
    batch whose transaction scheduled work due now."""

    def __init__(self, engine: Engine, clock: Clock, settings: Settings, wake: Callable[[], None]) -> None:
        self._engine = engine
        self._clock = clock
        self._settings = settings
        self._wake = wake
        self._queued: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, list[tuple[list[Alert], asyncio.Future[list[IngestOutcome]]]]
        ] = weakref.WeakKeyDictionary()

    async def submit(self, alerts: list[Alert]) -> list[IngestOutcome]:
        """Store one delivery with whatever else is queued; returns once its rows are committed.

        A cancelled request is still written (shielded), so a client that gave up and redelivers
        finds its original: nothing lost, nothing stored twice."""
        alerts = self._prepared(alerts)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[IngestOutcome]] = loop.create_future()
        queued = self._queued.get(loop)
        if queued is None:
            queued = self._queued[loop] = []
            loop.call_soon(self._flush, loop)
        queued.append((alerts, future))
        return await asyncio.shield(future)

    def write_now(self, alerts: list[Alert]) -> list[IngestOutcome]:
        """Store one delivery in a transaction of its own, from any thread (no event loop)."""
        [written] = self.write([self._prepared(alerts)])
        if isinstance(written, Exception):
            raise written
        return written

    def write(self, deliveries: Sequence[list[Alert]]) -> list[Written]:
        """Every delivery in one transaction, or, if that fails, each in its own; then wake the
        scheduler once if any of them scheduled work due now."""
        BATCH_SIZE.observe(len(deliveries))
        try:
            written: list[Written] = list(self._transaction(deliveries))
        except Exception as exc:
            if len(deliveries) == 1:
                written = [exc]
            else:
                log.warning("a batch of %d deliveries failed (%r); writing each alone", len(deliveries), exc)
                written = [self._alone(delivery) for delivery in deliveries]
        if any(o.scheduled for outcomes in written if not isinstance(outcomes, Exception) for o in outcomes):
            self._wake()
        return written

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._queued.pop(loop)
        try:
            written = self.write([alerts for alerts, _ in batch])
        except BaseException:  # write() answers errors per delivery: this is an interrupt
            for _, future in batch:
                future.cancel()
            raise
        for (_, future), result in zip(batch, written, strict=True):
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    def _alone(self, delivery: list[Alert]) -> Written:
        try:
            return self._transaction([delivery])[0]
        except Exception as exc:
            return exc

    def _transaction(self, deliveries: Sequence[list[Alert]]) -> list[list[IngestOutcome]]:
        now = self._clock.now()
        window = timedelta(minutes=self._settings.correlation_window_minutes)
        with self._engine.begin() as conn:
            lock_correlation_keys(conn, [alert for alerts in deliveries for alert in alerts])
            return ingest_alerts(conn, deliveries, now, window)

    def _prepared(self, alerts: list[Alert]) -> list[Alert]:
        return [with_account(alert, self._settings.accounts) for alert in alerts]
