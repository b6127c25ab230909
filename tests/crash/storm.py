"""The checkout storm, delivered the way Sentry delivers it: every event is retried until warroom
answers 202, through crashes and restarts, so "no alert lost" can be counted exactly."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import httpx

from api.scenarios import Delivery, checkout_outage
from warroom.clock import utcnow

__all__ = ["Storm"]


class Storm:
    def __init__(self, url: str, secret: str, *, events: int, per_second: float) -> None:
        self.url = url
        self.deliveries: list[Delivery] = checkout_outage(
            secret, events=events, minutes=2.0, start=utcnow() - timedelta(minutes=2)
        )
        self.per_second = per_second
        self.accepted: set[int] = set()
        self.deduplicated = 0
        self.refused = 0
        self.incident_id: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._client = httpx.Client(timeout=httpx.Timeout(5.0, connect=1.0))

    def deliver_first(self, timeout: float = 30.0) -> int:
        """The first error of the outage, delivered (retried) until accepted; its incident id."""
        self._deliver(0, time.monotonic() + timeout)
        assert self.incident_id is not None
        return self.incident_id

    def start(self) -> None:
        """The rest of the storm, in the background, at `per_second`."""
        self._thread = threading.Thread(target=self._run, name="storm", daemon=True)
        self._thread.start()

    def wait(self, timeout: float = 60.0) -> None:
        assert self._thread is not None
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"storm not delivered in {timeout} s: {len(self.accepted)}/{len(self.deliveries)}")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        self._client.close()

    def _run(self) -> None:
        interval = 1.0 / self.per_second
        for index in range(1, len(self.deliveries)):
            if self._stop.is_set():
                return
            self._deliver(index, time.monotonic() + 120)
            time.sleep(interval)

    def _deliver(self, index: int, deadline: float) -> None:
        delivery = self.deliveries[index]
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                response = self._client.post(
                    f"{self.url}/webhooks/sentry", content=delivery.body, headers=delivery.headers
                )
            except httpx.HTTPError:
                time.sleep(0.05)
                continue
            if response.status_code == 202:
                body = response.json()
                self.accepted.add(index)
                self.deduplicated += bool(body.get("deduplicated"))
                self.incident_id = self.incident_id or body["incident_id"]
                return
            self.refused += 1
            time.sleep(0.05)
        raise TimeoutError(f"delivery {index} never accepted")
