"""The 2am path on a phone (390 x 844), against its own live outage: the needs-you strip counts down
and approves inline, the stage is set with an update posted now, a new incident appears in the list
without a reload, and Resolve asks first from the sticky quick-actions bar. Nothing is wider than
the screen on any page it passes; screenshots go to `screenshots/` (ignored)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.ui.conftest import API_TOKEN, Live, wait_until

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def _fits(page: Page, name: str) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{name} is {wide} px wider than the phone"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.png"), full_page=True)


def test_the_whole_path_on_a_phone(page: Page, live: Live) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live.base_url}/login")
    page.get_by_label("API token").fill(API_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live.base_url}/incidents")
    detail = f"{live.base_url}/incidents/{live.incident_id}"

    page.goto(detail)
    strip = page.locator(f"#needs-you-{live.incident_id}")
    countdown = strip.locator(".countdown")
    expect(countdown).to_have_text(re.compile(r"^(in|overdue by) \d+:\d\d$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=3_000)
    _fits(page, "incident")
    [email] = [d for d in live.drafts() if d["channel"] == "email"]
    strip.locator(f"#waiting-{email['id']}").get_by_role("button", name="Approve and send").click()
    wait_until(lambda: next(d for d in live.drafts() if d["id"] == email["id"])["state"] == "sent", "the email")

    page.goto(detail)
    page.get_by_label("Where it stands").select_option("identified")
    page.get_by_role("button", name="Set stage and post update now").click()
    expect(page.locator("#notice")).to_contain_text("Update queued")
    expect(page.locator("#status")).to_have_text("identified")

    page.goto(f"{live.base_url}/incidents")
    page.evaluate("window.__sameDocument = true")
    alert = {"title": "search suggestions failing", "service": "search", "level": "error", "dedup_key": "phone:1"}
    new_id = live.api.post("/api/alerts", json=alert).raise_for_status().json()["incident_id"]
    expect(page.locator(f"#open-incidents #incident-{new_id}")).to_be_visible(timeout=12_000)
    assert page.evaluate("window.__sameDocument === true"), "the list reloaded instead of refreshing itself"
    _fits(page, "incidents")

    page.goto(detail)
    bar = page.get_by_role("navigation", name="Quick actions")
    bar.get_by_role("link", name="Resolve").click()
    expect(page.get_by_label("Resolution summary (optional)")).to_be_hidden()  # one tap cannot resolve
    page.locator("#resolve").click()
    page.get_by_label("Resolution summary (optional)").fill("fixed: rolled back")
    page.get_by_role("button", name="Resolve and close out").click()
    expect(page.locator("#notice")).to_contain_text("Resolution queued")
    wait_until(lambda: live.incident()["status"] == "resolved", "the resolution")
    _fits(page, "resolved")
