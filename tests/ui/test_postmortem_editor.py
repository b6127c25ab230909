"""The postmortem editor in a real Chromium, on a desktop and on a phone: a founder opens the
resolved outage's postmortem, edits it with the preview following, saves, reads what changed,
restores the agent's draft and downloads the Markdown with the browser's own session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from api.web_sessions import SESSION_COOKIE
from tests.ui.conftest import API_TOKEN, Live, wait_until

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"  # ignored by git
STAMP = re.compile(r"^\d\d:\d\d UTC, \d{1,2} [A-Z][a-z]{2}$")


@pytest.fixture(scope="module")
def resolved(live: Live) -> Live:
    live.api.post(
        f"/api/incidents/{live.incident_id}/resolve", json={"summary": "fixed: rolled back"}
    ).raise_for_status()
    wait_until(lambda: live.api.get(f"/api/incidents/{live.incident_id}/postmortem").status_code == 200, "the draft")
    return live


@pytest.fixture
def signed_in(page: Page, browser_context: BrowserContext, resolved: Live) -> Page:
    if not any(c["name"] == SESSION_COOKIE for c in browser_context.cookies()):
        page.goto(f"{resolved.base_url}/login")
        page.get_by_label("API token").fill(API_TOKEN)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{resolved.base_url}/incidents")
    return page


def _versions(live: Live) -> list[dict]:
    return live.api.get(f"/api/incidents/{live.incident_id}/postmortem/versions").raise_for_status().json()


def _fits(page: Page, what: str) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{what} is {wide} px wider than the screen"


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_edit_compare_restore_and_download_the_postmortem(signed_in: Page, resolved: Live, width: int, height: int):
    live, page = resolved, signed_in
    page.set_viewport_size({"width": width, "height": height})
    try:
        draft, before = _versions(live)[0], len(_versions(live))
        page.goto(f"{live.base_url}/incidents/{live.incident_id}")
        page.locator("#open-postmortem-editor").click()
        editor_url = f"{live.base_url}/incidents/{live.incident_id}/postmortem/edit"
        expect(page).to_have_url(editor_url)

        added = f"Seen at {width} px: the retry queue hid the failures for <b>four</b> minutes."
        text = page.get_by_label(f"Version {before}, Markdown")
        text.fill(text.input_value() + f"\n{added}\n")
        preview = page.locator("#postmortem-preview-body")
        expect(preview).to_contain_text(added)  # the preview follows the text, and shows its HTML as text
        expect(preview.locator("b")).to_have_count(0)
        page.get_by_role("button", name="Save as a new version").click()
        expect(page.locator("#notice")).to_have_text(f"Saved as version {before + 1}.")
        newest = page.locator(f"#version-{before + 1}")
        expect(newest.locator('[data-role="author"]')).to_have_text("web (a person)")
        expect(newest.locator('[data-role="saved"]')).to_have_text(STAMP)
        expect(page.locator('#version-1 [data-role="author"]')).to_have_text("drafting agent")
        _fits(page, "the editor")
        _shot(page, f"postmortem-editor-{width}.png")

        page.locator("#latest-changes").click()
        expect(page.locator("#diff-title")).to_have_text(f"Changes from version {before} to version {before + 1}")
        row = page.locator("#diff tr.added", has_text=added)
        expect(row.locator("td.mark")).to_have_text("+")
        expect(row.locator("ins")).to_have_text(added)
        _fits(page, "the diff")
        _shot(page, f"postmortem-diff-{width}.png")

        page.goto(editor_url)
        page.locator("#restore-1").click()
        restored = before + 2
        expect(page.locator("#notice")).to_contain_text(f"Version 1 restored as version {restored}")
        expect(page.get_by_label(f"Version {restored}, Markdown")).to_have_value(draft["markdown"])
        versions = _versions(live)
        assert [v["version"] for v in versions] == list(range(1, restored + 1))
        assert versions[-1]["markdown"] == draft["markdown"] and versions[before]["markdown"].endswith(f"{added}\n")

        with page.expect_download() as download_info:
            page.locator("#export-md").click()
        download = download_info.value
        assert download.suggested_filename == f"postmortem-{live.incident_id}-v{restored}.md"
        assert Path(download.path()).read_text() == draft["markdown"]
        _fits(page, "the restored editor")
    finally:
        page.set_viewport_size({"width": 1366, "height": 1000})
