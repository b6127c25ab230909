"""A person signs in with their own token in a real Chromium and what they do carries their name; a
viewer sees the incident and is refused when they try to act (desktop and phone)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import Live
from warroom.users import store as users
from warroom.users.store import Role


def _token(live: Live, name: str, role: Role) -> str:
    with live.engine.begin() as conn:
        _, token = users.add_user(conn, name=name, email=None, role=role, now=datetime.now(UTC))
    return token


def _sign_in(page: Page, live: Live, token: str) -> None:
    page.goto(f"{live.base_url}/login")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live.base_url}/incidents")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_person_signs_in_with_their_own_token_and_acts_by_name(page: Page, live: Live, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    if width == 1366:
        _sign_in(page, live, _token(live, "Dana Reyes", Role.RESPONDER))
        page.goto(f"{live.base_url}/incidents/{live.incident_id}")
        expect(page.locator("#sign-out")).to_have_text("Sign out Dana Reyes")
        page.locator("#acknowledge").click()
        expect(page.locator("#acknowledged")).to_contain_text("Dana Reyes")
        assert live.incident()["acknowledged_by"] == "Dana Reyes"
    else:
        _sign_in(page, live, _token(live, "Vic Viewer", Role.VIEWER))
        page.goto(f"{live.base_url}/incidents/{live.incident_id}")
        expect(page.locator("#sign-out")).to_have_text("Sign out Vic Viewer (viewer)")
        page.get_by_label("Where it stands").select_option("monitoring")
        page.get_by_role("button", name="Set stage", exact=True).click()
        expect(page.locator("body")).to_contain_text("viewers can look, not act")
        assert live.incident()["status"] != "monitoring"
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0
