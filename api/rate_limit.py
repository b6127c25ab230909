"""How often one client may submit the status page's subscribe form."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

__all__ = ["PER_WINDOW", "WINDOW", "SubscribeLimiter"]

PER_WINDOW = 5
WINDOW = timedelta(minutes=10)


class SubscribeLimiter:
    """Submissions per client address in a sliding window, process-local (enough to keep one
    client from mailing a list of strangers through the form; the daily key per subscription
    bounds what any one address receives)."""

    def __init__(self, per_window: int = PER_WINDOW, window: timedelta = WINDOW) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, list[datetime]] = {}
        self._per_window = per_window
        self._window = window

    def allow(self, client: str, now: datetime) -> bool:
        with self._lock:
            recent = [t for t in self._seen.get(client, []) if now - t < self._window]
            if len(recent) >= self._per_window:
                self._seen[client] = recent
                return False
            self._seen[client] = [*recent, now]
            if len(self._seen) > 10_000:  # forget the quiet ones rather than grow without end
                self._seen = {k: v for k, v in self._seen.items() if now - v[-1] < self._window}
            return True
