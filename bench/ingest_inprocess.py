"""The ingest transaction alone, in-process: a storm's alerts written by `GroupCommit.write` in
batches, on a fresh SQLite file, without HTTP, normalising or the event loop.

    uv run python -m bench.ingest_inprocess --alerts 4000 --batch 4

Prints µs per alert; what the group commit costs per alert at a given batch size, to compare
changes to `warroom/alerts/store.py` on the same machine in one sitting.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from api.composition import Warroom
from api.scenarios import checkout_outage
from tools.webhooks import sentry
from warroom.clock import FakeClock
from warroom.settings import Settings
from warroom.untrusted import parse_json


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=4, help="deliveries per transaction")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    clock = FakeClock()
    for round_ in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory() as scratch:
            settings = Settings(database_url=f"sqlite:///{scratch}/bench.db", data_dir=Path(scratch) / "data")
            warroom = Warroom.build(settings, clock)
            try:
                deliveries = checkout_outage("bench", events=args.alerts + 1, start=clock.now(), seed=round_)
                alerts = [sentry.normalise(parse_json(d.body), d.headers, clock.now()) for d in deliveries]
                warroom.group_commit.write([alerts[0]])  # opens the incident; the rest join it
                started = time.perf_counter()
                for at in range(1, len(alerts), args.batch):
                    warroom.group_commit.write(alerts[at : at + args.batch])
                elapsed = time.perf_counter() - started
            finally:
                warroom.close()
        print(f"round {round_}: {elapsed / args.alerts * 1e6:.0f} µs an alert in batches of {args.batch}")


if __name__ == "__main__":
    main()
