"""The public status page in a real Chromium, after a real outage was opened and resolved: the
company's name, every component with its 90-day bar, the past incident, local times, and the
subscribe form, on a laptop and on a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from api.composition import Warroom
from api.scenarios import checkout_outage
from api.server import serve_in_thread
from tests.ui.conftest import API_TOKEN, SENTRY_SECRET, wait_until
from warroom.clock import SystemClock
from warroom.settings import ServiceConfig, Settings

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"  # ignored by git


@pytest.fixture(scope="module")
def status_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("status-ui")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'warroom.db'}",
        data_dir=tmp / "data",
        sentry_client_secret=SENTRY_SECRET,
        api_token=API_TOKEN,
        company_name="Northwind",
        services={"search-api": ServiceConfig(), "shop": ServiceConfig()},
    )
    clock = SystemClock()
    warroom = Warroom.build(settings, clock)
    try:
        with (
            serve_in_thread(warroom) as base_url,
            httpx.Client(base_url=base_url, headers={"authorization": f"Bearer {API_TOKEN}"}, timeout=10) as api,
        ):
            for delivery in checkout_outage(
                SENTRY_SECRET, events=40, minutes=1, start=clock.now() - timedelta(minutes=1)
            ):
                incident_id = api.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers).json()[
                    "incident_id"
                ]
            wait_until(lambda: api.get("/status.json").json()["active_incidents"], "the first post on the page")
            assert api.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}).status_code == 202
            wait_until(lambda: api.get("/status.json").json()["recent_incidents"], "the all-clear on the page")
            yield base_url
    finally:
        warroom.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_status_page_shows_the_company_components_history_and_takes_a_subscription(
    page: Page, status_url: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
    page.goto(f"{status_url}/status")
    expect(page).to_have_title("Northwind status")
    expect(page.locator("#page-name")).to_have_text("Northwind status")
    expect(page.locator("#indicator")).to_have_text("All systems operational")
    components = page.locator("#components > li")
    expect(components).to_have_count(3)
    for name in ("Checkout", "search-api", "shop"):
        expect(page.locator(f'[data-component="{name}"] [data-role="state"]')).to_have_text("Operational")
        expect(page.locator(f'[data-component="{name}"] svg.bars rect')).to_have_count(90)
    checkout = page.locator('[data-component="Checkout"]')
    expect(checkout.locator("rect.day-major_outage")).to_have_count(1)
    expect(checkout.locator("rect.day-major_outage title")).to_have_text(re.compile(r": major outage \d+ min$"))
    expect(checkout.locator('[data-role="uptime"]')).to_have_text("Uptime after a day of history")  # minutes old
    expect(page.locator('[data-component="shop"] rect.day-operational')).to_have_count(1)
    expect(page.locator('[data-component="shop"] rect.day-nodata')).to_have_count(89)

    past = page.locator("#past-incidents article")
    expect(past).to_have_count(1)
    expect(past.locator('[data-role="stage"]')).to_have_text("Resolved")
    expect(past.locator('[data-role="impact"]')).to_have_text("Critical impact")
    updates = past.locator("details .update .update-status")
    expect(updates.first).to_have_text("resolved")  # newest first
    expect(updates.last).to_have_text("investigating")
    expect(past.locator("details .update").first).to_be_hidden()  # collapsed until opened
    past.locator("details summary").click()
    expect(past.locator("details .update").first).to_be_visible()
    first_time = past.locator("time").first
    expect(first_time).to_have_class("local")  # the script put it in the viewer's time ...
    assert first_time.get_attribute("title").endswith(" UTC")  # ... and kept UTC on hover

    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"/status is {wide} px wider than a {width} px screen"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"status-{width}.png"), full_page=True)

    page.get_by_label("Get an email when we post an update").fill(f"reader-{width}@example.com")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator("#message-heading")).to_have_text("Check your email")
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0
    page.screenshot(path=str(SCREENSHOTS / f"status-subscribed-{width}.png"), full_page=True)
