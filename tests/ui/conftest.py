"""A real warroom server with a real checkout outage in it, and a real headless Chromium.

Module-scoped: the tests of a module work one incident in order, as a founder would (look,
post, decide, acknowledge, resolve), which keeps the whole browser suite well under a minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright
from sqlalchemy import Engine

from api.composition import Warroom
from api.scenarios import checkout_outage
from api.server import serve_in_thread
from warroom.clock import SystemClock
from warroom.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SENTRY_SECRET = "ui-sentry-secret"
API_TOKEN = "ui-api-token"


def wait_until(check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    """Poll a real server running on the system clock (no FakeClock can reach its threads)."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.05)
    return result


@dataclass
class Live:
    base_url: str
    api: httpx.Client
    incident_id: int
    data_dir: Path
    engine: Engine

    def incident(self) -> dict[str, Any]:
        return self.api.get(f"/api/incidents/{self.incident_id}").raise_for_status().json()

    def drafts(self) -> list[dict[str, Any]]:
        return (
            self.api.get(
                "/api/approvals",
                params={
                    "incident_id": self.incident_id,
                    "state": ["pending_approval", "blocked", "approved", "sent", "rejected"],
                },
            )
            .raise_for_status()
            .json()
        )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server with one P0 checkout outage delivered through the signed Sentry webhook."""
    tmp = tmp_path_factory.mktemp("ui")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'warroom.db'}",
        data_dir=tmp / "data",
        sentry_client_secret=SENTRY_SECRET,
        api_token=API_TOKEN,
    )
    clock = SystemClock()
    warroom = Warroom.build(settings, clock)
    try:
        with (
            serve_in_thread(warroom) as base_url,
            httpx.Client(base_url=base_url, headers={"authorization": f"Bearer {API_TOKEN}"}, timeout=10) as api,
        ):
            incident_id = 0
            for delivery in checkout_outage(
                SENTRY_SECRET, events=90, minutes=3, start=clock.now() - timedelta(minutes=3)
            ):
                response = api.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers)
                assert response.status_code == 202, response.text
                incident_id = response.json()["incident_id"]
            live = Live(base_url, api, incident_id, settings.data_dir, warroom.engine)
            wait_until(lambda: any(d["channel"] == "email" for d in live.drafts()), "the email draft")
            wait_until(lambda: api.get(f"/api/incidents/{incident_id}/war-room").json(), "the war room to open")
            yield live
    finally:
        warroom.close()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the web UI tests drive a real Chromium. Install it with "
            "`sudo tests/system-deps.sh` (apt-get install chromium), which `make test` runs.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1366, "height": 1000},
        )
        context.set_default_timeout(10_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[Page]:
    """Fails the test on a script error or a console error (a CSP violation shows as one); refusals
    answered with 4xx are expected and only logged by Chromium as failed loads."""
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: msg.type == "error" and "Failed to load resource" not in msg.text and errors.append(msg.text),
    )
    yield page
    page.close()
    assert not errors, f"the browser reported errors: {errors}"
