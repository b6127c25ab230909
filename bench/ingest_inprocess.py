"""Ingest in-process, without sockets: what a delivery costs the API process itself.

    uv run python -m bench.ingest_inprocess --alerts 4000 --batch 4   # the ingest transaction alone
    uv run python -m bench.ingest_inprocess --app --alerts 3000      # whole deliveries through the app

The first mode writes a storm's alerts with `GroupCommit.write` in batches on a fresh SQLite
file: no HTTP, normalising or event loop. `--app` posts signed Sentry deliveries to the ASGI app
itself (`create_app`, 16 at a time on one event loop, as uvicorn would hand them over): fast
path, signature, JSON, normalising, the group commit and the answer, without uvicorn's HTTP
parsing or the load generator. Both print µs per alert (CPU time of this process for `--app`),
to compare changes on the same machine in one sitting; the HTTP figures are `bench.ingest`'s.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from api.app import create_app
from api.composition import Warroom
from api.scenarios import Delivery, checkout_outage
from tools.webhooks import sentry
from warroom.clock import FakeClock, utcnow
from warroom.settings import Settings
from warroom.untrusted import parse_json

SECRET = "bench-secret-" + "0" * 19
CONCURRENCY = 16


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=4, help="deliveries per transaction")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--app", action="store_true", help="whole deliveries through the ASGI app")
    args = parser.parse_args()
    for round_ in range(1, args.rounds + 1):
        if args.app:
            cpu = _through_the_app(args.alerts, round_)
            print(f"round {round_}: {cpu / args.alerts * 1e6:.0f} µs of CPU a delivery through the app")
        else:
            elapsed = _transactions(args.alerts, args.batch, round_)
            print(f"round {round_}: {elapsed / args.alerts * 1e6:.0f} µs an alert in batches of {args.batch}")


def _transactions(count: int, batch: int, seed: int) -> float:
    clock = FakeClock()
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(database_url=f"sqlite:///{scratch}/bench.db", data_dir=Path(scratch) / "data")
        warroom = Warroom.build(settings, clock)
        try:
            deliveries = checkout_outage("bench", events=count + 1, start=clock.now(), seed=seed)
            alerts = [sentry.normalise(parse_json(d.body), d.headers, clock.now()) for d in deliveries]
            warroom.group_commit.write([alerts[0]])  # opens the incident; the rest join it
            started = time.perf_counter()
            for at in range(1, len(alerts), batch):
                warroom.group_commit.write(alerts[at : at + batch])
            return time.perf_counter() - started
        finally:
            warroom.close()


def _through_the_app(count: int, seed: int) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            database_url=f"sqlite:///{scratch}/bench.db",
            data_dir=Path(scratch) / "data",
            sentry_client_secret=SECRET,
        )
        warroom = Warroom.build(settings)
        try:
            app = create_app(warroom, run_worker=False)
            deliveries = checkout_outage(SECRET, events=count + 50, start=utcnow() - timedelta(minutes=3), seed=seed)

            async def run() -> float:
                await _post_all(app, deliveries[:50])  # the incident opened, the statements cached
                gc.collect()
                started = time.process_time()
                await _post_all(app, deliveries[50:])
                return time.process_time() - started

            return asyncio.run(run())
        finally:
            warroom.close()


async def _post_all(app, deliveries: Sequence[Delivery]) -> None:  # noqa: ANN001 (an ASGI app)
    pending = list(reversed(deliveries))

    async def connection() -> None:
        while pending:
            status = await _post(app, pending.pop())
            if status != 202:
                raise RuntimeError(f"a delivery was answered {status}")

    await asyncio.gather(*(connection() for _ in range(CONCURRENCY)))


async def _post(app, delivery: Delivery) -> int:  # noqa: ANN001
    headers = [(k.lower().encode(), v.encode()) for k, v in delivery.headers.items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/webhooks/sentry",
        "raw_path": b"/webhooks/sentry",
        "query_string": b"",
        "root_path": "",
        "headers": [*headers, (b"content-length", str(len(delivery.body)).encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent = False
    status = 0

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": delivery.body, "more_body": False}
        await asyncio.Event().wait()  # the client stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


if __name__ == "__main__":
    main()
