"""The built-in web UI driven by a real headless Chromium against a real server and a real
outage: sign in, read the incident, post in the war room, decide comms, acknowledge, resolve and
edit the postmortem. The tests share one incident and run in the order a founder would work it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from agents.cto.resemblance import look
from agents.cto.resemblance.detector import Neighbour, Resemblance
from api.web_sessions import SESSION_COOKIE
from tests.ui.conftest import API_TOKEN, Live, wait_until
from warroom.clock import utcnow
from warroom.outbox import store as outbox
from warroom.outbox.store import enqueue, mark_unknown
from warroom.scheduler import store as jobs
from warroom.scheduler.store import retry_later, schedule


def _detail(live: Live) -> str:
    return f"{live.base_url}/incidents/{live.incident_id}"


def _sign_in(page: Page, live: Live) -> None:
    page.goto(f"{live.base_url}/login")
    page.get_by_label("API token").fill(API_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live.base_url}/incidents")


@pytest.fixture
def signed_in(page: Page, browser_context: BrowserContext, live: Live) -> Page:
    if not any(c["name"] == SESSION_COOKIE for c in browser_context.cookies()):
        _sign_in(page, live)
    return page


def _shot(page: Page, name: str) -> None:
    """A screenshot for the record, in the ignored `screenshots/` folder."""
    folder = Path(__file__).resolve().parents[2] / "screenshots"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _rated(live: Live, alert: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Post `alert` to the alerts API; its incident's id and the rules' classification, once there is one."""
    incident_id = live.api.post("/api/alerts", json=alert).raise_for_status().json()["incident_id"]
    rated = wait_until(
        lambda: (c := live.api.get(f"/api/incidents/{incident_id}").json()["classification"]) and c, "the rules"
    )
    return incident_id, rated


@contextmanager
def _on_a_phone(page: Page) -> Iterator[None]:
    """A 390 x 844 screen for the block, then the desktop width the other tests expect."""
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        yield
    finally:
        page.set_viewport_size({"width": 1366, "height": 1000})


def _within_a_phone(element: Locator) -> None:
    box = element.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390, box


def _same_document(page: Page) -> None:
    """Marks the loaded document; `_still_same_document` fails if the page was reloaded since."""
    page.evaluate("window.__sameDocument = true")


def _still_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded instead of swapping a fragment"


def test_a_page_redirects_to_login_and_the_api_token_signs_in(
    page: Page, browser_context: BrowserContext, live: Live
) -> None:
    browser_context.clear_cookies()
    page.goto(_detail(live))
    expect(page).to_have_url(re.compile(rf"/login\?next=/incidents/{live.incident_id}$"))
    page.get_by_label("API token").fill("not-the-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#login-error")).to_have_text("That is not the API token or a user's sign-in token.")
    page.get_by_label("API token").fill(API_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(_detail(live))
    [cookie] = [c for c in browser_context.cookies() if c["name"] == SESSION_COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"


def test_state_changes_need_the_session_and_its_csrf_token(browser_context: BrowserContext, live: Live) -> None:
    anonymous = httpx.post(f"{_detail(live)}/acknowledge", data={"csrf": "x"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    forged = browser_context.request.post(f"{_detail(live)}/war-room", form={"text": "forged", "csrf": "guess"})
    assert forged.status == 403
    room = live.api.get(f"/api/incidents/{live.incident_id}/war-room").json()
    assert not any(m["text"] == "forged" for m in room)
    assert live.incident()["acknowledged_by"] is None


def test_the_incident_list_shows_the_p0_with_its_counts(signed_in: Page, live: Live) -> None:
    signed_in.goto(f"{live.base_url}/incidents")
    row = signed_in.locator(f"#open-incidents #incident-{live.incident_id}")
    expect(row.locator(".badge")).to_have_text("P0")
    expect(row).to_contain_text("investigating")
    expect(row.locator("td").nth(5)).to_have_text(str(live.incident()["event_count"]))
    expect(row.locator('td[data-label="Waiting"]')).to_have_text(str(len(_waiting(live))))
    expect(row.locator("td.title a")).to_contain_text("Checkout is failing")  # as on its own page, not "Shop"
    row.locator("td.title a").click()
    expect(signed_in).to_have_url(_detail(live))


def test_the_incident_page_shows_the_evidence_and_the_war_room(signed_in: Page, live: Live) -> None:
    signed_in.goto(_detail(live))
    expect(signed_in.locator("#severity")).to_have_text("P0")
    expect(signed_in.locator("#title")).to_contain_text("Checkout is failing")  # what broke, not the exception
    expect(signed_in.locator("#alert-title")).to_contain_text("TypeError")
    expect(signed_in.locator("#reason")).to_contain_text("outage volume (traffic unknown): checkout")
    failing = signed_in.locator("#evidence tr", has_text="critical_path_error_storm").first
    expect(failing.locator(".badge")).to_have_text("P0")
    question = signed_in.locator("#severity-question")  # traffic unknown: the rules ask, and it pages either way
    expect(question).to_contain_text("Is this P0?")
    expect(question.get_by_role("button")).to_have_text(["Confirm P0", "Lower to P1"])
    expect(signed_in.locator("#counts")).to_contain_text(f"Users affected {live.incident()['users_affected']}")
    expect(signed_in.locator("#war-room-messages")).to_contain_text(f"Incident #{live.incident_id}")
    expect(signed_in.locator('article[data-channel="email"] [data-role="state"]')).to_have_text("pending approval")


def test_on_a_phone_nothing_runs_off_the_side_and_table_rows_become_cards(signed_in: Page, live: Live) -> None:
    with _on_a_phone(signed_in):
        for url in (
            f"{live.base_url}/incidents",
            _detail(live),
            f"{live.base_url}/attention",
            f"{live.base_url}/approvals",
        ):
            signed_in.goto(url)
            wide = signed_in.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 0, f"{url} is {wide} px wider than a 390 px screen"
        signed_in.goto(f"{live.base_url}/incidents")
        row = signed_in.locator(f"#open-incidents #incident-{live.incident_id}")
        expect(row.locator("thead")).to_have_count(0)
        assert signed_in.locator("#open-incidents thead").first.is_hidden()
        box = row.bounding_box()
        assert box is not None and box["width"] <= 390


def test_a_message_posted_from_another_tab_shows_on_the_open_page_without_reload(
    signed_in: Page, browser_context: BrowserContext, live: Live
) -> None:
    signed_in.goto(_detail(live))
    _same_document(signed_in)
    other = browser_context.new_page()
    try:
        other.goto(_detail(live))
        other.get_by_label("Message").fill("looking at the payment provider dashboard now")
        other.get_by_role("button", name="Post", exact=True).click()
        expect(other.locator("#war-room-messages")).to_contain_text("looking at the payment provider dashboard")
    finally:
        other.close()
    expect(signed_in.locator("#war-room-messages")).to_contain_text(
        "looking at the payment provider dashboard", timeout=15_000
    )
    _still_same_document(signed_in)


def test_the_ai_hypothesis_is_shown_as_such_with_its_citations_and_a_responder_judges_it(
    signed_in: Page, live: Live
) -> None:
    wait_until(lambda: live.api.get(f"/api/incidents/{live.incident_id}/findings").json(), "the first look")
    signed_in.goto(_detail(live))
    _same_document(signed_in)
    findings = signed_in.locator("#findings")
    expect(findings.locator(".ai-tag")).to_have_text("AI hypothesis · not verified")
    finding = findings.locator("article.finding").first
    expect(finding).to_contain_text("First look by rules")
    expect(finding.locator(".hypothesis")).to_contain_text("TypeError")
    expect(finding.locator("code.cite").first).to_have_text(re.compile(r"^alert:\d+$"))
    finding.get_by_label("Was it right?").fill("right error, no cause yet")
    finding.get_by_role("button", name="Partly").click()
    expect(signed_in.locator("#findings .verdict")).to_contain_text("Marked partly by web")
    _still_same_document(signed_in)
    [judged] = live.api.get(f"/api/incidents/{live.incident_id}/findings").json()
    assert (judged["verdict"], judged["verdict_note"]) == ("partly", "right error, no cause yet")


def test_a_labelled_war_room_post_appears_without_reload_and_lands_on_the_timeline(signed_in: Page, live: Live) -> None:
    signed_in.goto(_detail(live))
    _same_document(signed_in)
    signed_in.get_by_label("Message").fill("tried: rolled back shop@2026.11.2")
    signed_in.get_by_role("button", name="Post", exact=True).click()
    expect(signed_in.locator("#war-room-messages")).to_contain_text("tried: rolled back shop@2026.11.2")
    expect(signed_in.locator('#timeline li[data-kind="note"]')).to_contain_text("tried: rolled back shop@2026.11.2")
    expect(signed_in.get_by_label("Message")).to_have_value("")
    _still_same_document(signed_in)
    notes = [e for e in live.incident()["timeline"] if e["kind"] == "note"]
    assert [(n["actor"], n["text"]) for n in notes] == [("web", "tried: rolled back shop@2026.11.2")]


def test_an_unlabelled_war_room_post_stays_off_the_timeline(signed_in: Page, live: Live) -> None:
    signed_in.goto(_detail(live))
    signed_in.get_by_label("Message").fill("looking at the last deploy")
    signed_in.get_by_role("button", name="Post", exact=True).click()
    expect(signed_in.locator("#war-room-messages")).to_contain_text("looking at the last deploy")
    assert not any("last deploy" in e["text"] for e in live.incident()["timeline"])


def test_an_edit_with_an_invented_number_is_refused_with_the_problem_shown(signed_in: Page, live: Live) -> None:
    signed_in.goto(_detail(live))
    _same_document(signed_in)
    draft = signed_in.locator('article[data-channel="email"]')
    draft.get_by_text("Edit before approving").click()
    text = draft.get_by_label("Text to send")
    text.fill(text.input_value() + "\nAbout 40% of all orders failed.")
    draft.get_by_role("button", name="Approve edited text").click()
    refusal = draft.locator('[data-role="refusal"]')
    expect(refusal).to_contain_text("the edited text states something the incident's facts do not support")
    expect(refusal.locator("li", has_text="'40%' is not in the facts")).to_have_count(1)
    expect(draft.get_by_label("Text to send")).to_have_value(re.compile("About 40% of all orders failed"))
    expect(draft.locator('[data-role="state"]')).to_have_text("pending approval")
    _still_same_document(signed_in)
    [email] = [d for d in live.drafts() if d["channel"] == "email"]
    assert email["state"] == "pending_approval" and "40%" not in email["body"]


def _waiting(live: Live) -> list[dict]:
    return [d for d in live.drafts() if d["state"] in ("pending_approval", "blocked")]


def test_the_needs_you_strip_counts_down_to_the_next_update_and_names_what_waits(signed_in: Page, live: Live) -> None:
    signed_in.goto(_detail(live))
    strip = signed_in.locator(f"#needs-you-{live.incident_id}")
    [email] = [d for d in live.drafts() if d["channel"] == "email"]
    expect(strip.locator(f"#waiting-{email['id']}")).to_contain_text(f"email #{email['id']} to {email['audience']}")
    expect(strip.locator(f"#ask-acknowledge-{live.incident_id}")).to_contain_text("Nobody has acknowledged it yet")
    expect(strip.locator(f"#ask-paging-{live.incident_id}")).to_contain_text("Nobody can be paged")
    countdown = strip.locator(".countdown")
    expect(countdown).to_have_text(re.compile(r"^(in|overdue by) \d+:\d\d$"))  # the script runs under the CSP
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=3_000)
    expect(strip.locator('[data-role="count"]')).to_have_text(str(len(_waiting(live)) + 2))
    expect(signed_in.locator('#nav-approvals [data-role="waiting-count"]')).to_have_text(str(len(_waiting(live))))
    _shot(signed_in, "needs-you-1366")


def test_the_email_draft_is_approved_from_the_approvals_inbox_then_sent(signed_in: Page, live: Live) -> None:
    signed_in.goto(f"{live.base_url}/incidents")
    signed_in.locator("#nav-approvals").click()
    expect(signed_in).to_have_url(f"{live.base_url}/approvals")
    [email] = [d for d in live.drafts() if d["channel"] == "email"]
    ask = signed_in.locator(f"#waiting-{email['id']}")
    expect(ask).to_contain_text("You're receiving this")
    ask.get_by_role("button", name="Approve and send").click()
    expect(signed_in.locator("#notice")).to_have_text(f"Draft #{email['id']} approved: it goes out now.")
    expect(signed_in.locator(f"#waiting-{email['id']}")).to_have_count(0)
    signed_in.goto(_detail(live))
    draft = signed_in.locator('article[data-channel="email"]')
    expect(draft.locator('[data-role="state"]')).to_have_text("sent", timeout=15_000)
    expect(draft).to_contain_text("by web")
    [email] = [d for d in live.drafts() if d["channel"] == "email"]
    assert (email["state"], email["decided_by"]) == ("sent", "web")
    assert len(list((live.data_dir / "outbox-email").glob("*.eml"))) == len(email["recipients"])


def test_acknowledging_shows_who_acknowledged(signed_in: Page, live: Live) -> None:
    signed_in.goto(_detail(live))
    expect(signed_in.locator("#acknowledged")).to_have_text("not acknowledged")
    signed_in.locator("#acknowledge").click()
    expect(signed_in.locator("#notice")).to_have_text("Acknowledged.")
    expect(signed_in.locator("#acknowledged")).to_contain_text("acknowledged by web")
    expect(signed_in.get_by_role("button", name="Acknowledge")).to_have_count(0)
    assert live.incident()["acknowledged_by"] == "web"
    signed_in.goto(f"{live.base_url}/incidents")
    expect(signed_in.locator(f"#incident-{live.incident_id} td").nth(8)).to_have_text("web")


def test_changing_the_severity_goes_through_the_incident_graph(signed_in: Page, live: Live) -> None:
    signed_in.goto(_detail(live))
    signed_in.get_by_label("Severity", exact=True).select_option("P1")
    signed_in.get_by_role("button", name="Change severity").click()
    expect(signed_in.locator("#notice")).to_contain_text("Severity change queued")
    wait_until(lambda: live.incident()["severity"] == "P1", "the graph to apply the new severity")
    signed_in.reload()
    expect(signed_in.locator("#severity")).to_have_text("P1")


def test_work_that_gave_up_and_a_send_of_unknown_outcome_are_shown_with_retry_buttons(
    signed_in: Page, live: Live
) -> None:
    now = utcnow()
    with live.engine.begin() as conn:
        schedule(conn, key="ui:stuck", kind="incident.enrich", due_at=now, payload={"incident_id": live.incident_id})
        [job] = jobs.list_jobs(conn, incident_id=live.incident_id, states=["pending"], limit=1000)[:1]
        retry_later(conn, job.id, now, "RuntimeError: the enrichment kept failing", give_up=True)
        enqueue(
            conn,
            key="ui:maybe-sent",
            kind="comms.unregistered",
            now=now,
            incident_id=live.incident_id,
            payload={"to": "ana@customers.example.com"},
        )
        [row] = outbox.list_rows(conn, incident_id=live.incident_id, states=["pending"])[:1]
        mark_unknown(conn, row.id, "an attempt began and its outcome was lost")
    assert httpx.get(f"{live.base_url}/healthz").json()["status"] == "attention"

    signed_in.goto(_detail(live))
    panel = signed_in.locator("#needs-human")
    expect(panel.locator(f"#job-{job.id}")).to_contain_text("the enrichment kept failing")
    expect(panel.locator(f"#send-{row.id}")).to_contain_text("outcome unknown")
    panel.screenshot(path=str(live.data_dir / "needs-a-human.png"))
    panel.locator(f"#send-{row.id}").get_by_role("button", name="Send again").click()
    expect(signed_in).to_have_url(_detail(live))
    with live.engine.connect() as conn:
        assert outbox.get_row(conn, row.id).state != "unknown"
    signed_in.goto(f"{live.base_url}/attention")
    expect(signed_in.locator(f"#job-{job.id}")).to_be_visible()
    signed_in.locator(f"#job-{job.id}").get_by_role("button", name="Run again").click()
    expect(signed_in).to_have_url(f"{live.base_url}/attention")
    with live.engine.connect() as conn:
        assert jobs.get_job(conn, job.id).state != "failed"


def test_an_uncertain_p1_is_put_to_the_on_call_and_one_click_confirms_it(signed_in: Page, live: Live) -> None:
    alert = {"title": "login failures 22% over 10m", "service": "auth", "level": "warning", "dedup_key": "ui:login"}
    incident_id, rated = _rated(live, alert)
    url = f"{live.base_url}/incidents/{incident_id}"
    assert (rated["severity"], rated["confidence"]) == ("P1", "uncertain")
    signed_in.goto(url)
    question = signed_in.locator("#severity-question")
    expect(question).to_contain_text("Is this P1?")
    expect(question).to_contain_text("critical_path_degraded")
    expect(question.get_by_role("button")).to_have_text(["Confirm P1", "Raise to P0", "Lower to P2"])
    expect(signed_in.locator("#decided-by")).to_contain_text("uncertain")
    expect(signed_in.locator("#page-note")).to_have_count(0)  # the page speaks already: nothing to warn of
    question.get_by_role("button", name="Confirm P1").click()
    expect(signed_in.locator("#notice")).to_contain_text("Severity change queued")
    wait_until(
        lambda: live.api.get(f"/api/incidents/{incident_id}").json()["classification"]["decided_by"] == "human:web",
        "the graph to record the confirmation",
    )
    signed_in.reload()
    expect(signed_in.locator("#severity")).to_have_text("P1")
    expect(signed_in.locator("#severity-question")).to_have_count(0)
    expect(signed_in.locator("#reason")).to_contain_text("confirmed by web")


def test_a_p0_only_resemblance_raised_offers_the_rules_level_back_and_keeps_the_page_quiet(
    signed_in: Page, live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = Resemblance(p0_probability=0.97, nearest=[Neighbour(case="some-p0", p0=True, similarity=0.8)])
    monkeypatch.setattr(look, "resemblance", lambda text: read)
    alert = {"title": "Nightly export job slow", "service": "reports", "level": "warning", "dedup_key": "ui:export"}
    incident_id, rated = _rated(live, alert)
    assert (rated["severity"], rated["rule"]) == ("P0", "resembles_p0")
    rules_level = rated["floor"]
    signed_in.goto(f"{live.base_url}/incidents/{incident_id}")
    question = signed_in.locator("#severity-question")
    expect(question).to_contain_text("Is this P0?")
    expect(question.get_by_role("button")).to_have_text(
        ["Confirm P0", "Lower to P1", f"Back to {rules_level} (the rules' level)"]
    )
    expect(question.locator("#page-note")).to_have_text(
        f"The public status page is quiet: the rules alone said {rules_level}. Confirming P0 or lowering it to P1 "
        f"tells customers on it now; {rules_level} keeps it quiet."
    )
    wait_until(
        lambda: any(
            m["text"].startswith("Not on the public status page yet")
            for m in live.api.get(f"/api/incidents/{incident_id}/war-room").json()
        ),
        "the war room to be told why the page is quiet",
    )
    question.get_by_role("button", name=f"Back to {rules_level} (the rules' level)").click()
    expect(signed_in.locator("#notice")).to_contain_text("Severity change queued")
    wait_until(
        lambda: live.api.get(f"/api/incidents/{incident_id}").json()["severity"] == rules_level,
        "the graph to record the rules' level",
    )
    timeline = live.api.get(f"/api/incidents/{incident_id}").json()["timeline"]
    assert not [e for e in timeline if e["kind"] == "status_page"]


def test_confirming_a_warning_before_impact_says_first_that_it_tells_customers(signed_in: Page, live: Live) -> None:
    """A certificate expiring within hours is an uncertain P1 whose page is quiet; Confirm P1 opens it,
    and the card says so before the click, not after."""
    alert = {
        "title": "TLS certificate for shop.example.com expires in 6 hours",
        "service": "shop",
        "level": "critical",
        "dedup_key": "ui:cert",
    }
    incident_id, rated = _rated(live, alert)
    assert (rated["severity"], rated["rule"], rated["confidence"]) == ("P1", "expiry_imminent", "uncertain")
    signed_in.goto(f"{live.base_url}/incidents/{incident_id}")
    question = signed_in.locator("#severity-question")
    expect(question.get_by_role("button")).to_have_text(["Confirm P1", "Raise to P0", "Lower to P2"])
    expect(question.locator("#page-note")).to_have_text(
        "Nothing has failed yet, so the public status page is quiet. Setting P0 or P1 tells customers on it now "
        "that it is at risk; P2 keeps it quiet until someone raises the level."
    )
    _shot(signed_in, "before-impact-question-1366")
    with _on_a_phone(signed_in):
        signed_in.reload()
        _within_a_phone(question.locator("#page-note"))
        _shot(signed_in, "before-impact-question-390")


def test_a_p0_read_on_a_guessed_surface_says_on_the_page_what_each_surface_would_make_it(
    signed_in: Page, live: Live
) -> None:
    """Only the service's name said 'api' is the whole product: the reason says what the level would be if it were
    a core feature instead, so whoever reads the incident knows what to check."""
    alert = {"title": "api unreachable from all probe sites", "service": "api", "dedup_key": "ui:guessed"}
    incident_id, rated = _rated(live, alert)
    assert (rated["severity"], rated["rule"], rated["confidence"]) == ("P0", "product_down", "uncertain")
    signed_in.goto(f"{live.base_url}/incidents/{incident_id}")
    reason = signed_in.locator("#reason")
    expect(reason).to_contain_text(
        "what is failing was guessed from the service name alone: "
        "P0 if it is the whole product or a revenue or access path, P1 if it is a core feature"
    )
    _shot(signed_in, "guessed-surface-reason-1366")
    with _on_a_phone(signed_in):
        signed_in.reload()
        _within_a_phone(reason)
        _shot(signed_in, "guessed-surface-reason-390")


def test_the_stage_picker_moves_the_incident_and_the_page_label_follows(signed_in: Page, live: Live) -> None:
    signed_in.goto(_detail(live))
    signed_in.get_by_label("Where it stands").select_option("identified")
    signed_in.get_by_role("button", name="Set stage", exact=True).click()
    expect(signed_in.locator("#notice")).to_contain_text("Stage set")
    expect(signed_in.locator("#status")).to_have_text("identified")
    assert live.incident()["status"] == "identified"


def test_the_incident_shows_its_events_per_minute_as_a_picture(signed_in: Page, live: Live) -> None:
    signed_in.goto(_detail(live))
    chart = signed_in.locator("#activity-chart")
    expect(chart).to_be_visible()
    wait_until(lambda: chart.evaluate("img => img.complete && img.naturalWidth > 0"), "the chart image to load")
    expect(signed_in.locator("#activity-caption")).to_contain_text("events/min")
    with _on_a_phone(signed_in):
        signed_in.goto(_detail(live))
        _within_a_phone(chart)


def test_the_api_docs_render_with_no_internet(signed_in: Page, live: Live) -> None:
    outside: list[str] = []
    signed_in.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live.base_url) else None)
    signed_in.goto(f"{live.base_url}/docs")
    expect(signed_in.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15_000)
    expect(signed_in.locator(".swagger-ui")).to_contain_text("/api/incidents")
    assert outside == []


def test_posting_an_update_now_sets_the_stage_and_the_status_page_says_it_at_once(signed_in: Page, live: Live) -> None:
    signed_in.goto(_detail(live))
    signed_in.get_by_label("Where it stands").select_option("monitoring")
    signed_in.get_by_role("button", name="Set stage and post update now").click()
    expect(signed_in.locator("#notice")).to_contain_text("Update queued")
    expect(signed_in.locator("#status")).to_have_text("monitoring")
    page_says = lambda: [  # noqa: E731
        u
        for i in live.api.get("/status.json").json()["active_incidents"]
        for u in i["updates"]
        if u["status"] == "monitoring"
    ]
    wait_until(page_says, "the status page's monitoring update")
    signed_in.goto(f"{live.base_url}/status")
    expect(signed_in.locator("body")).to_contain_text(re.compile("monitoring", re.IGNORECASE))
    _shot(signed_in, "update-now-status-page-1366")


def test_on_a_phone_the_quick_actions_stay_at_the_bottom_of_the_screen(signed_in: Page, live: Live) -> None:
    with _on_a_phone(signed_in):
        signed_in.goto(_detail(live))
        bar = signed_in.get_by_role("navigation", name="Quick actions")
        expect(bar.get_by_role("link", name="Resolve")).to_be_visible()
        signed_in.mouse.wheel(0, 600)
        box = bar.bounding_box()
        assert box is not None and 844 - 80 <= box["y"] + box["height"] <= 844 + 1, box
        bar.get_by_role("link", name="Resolve").click()
        expect(signed_in.locator("#resolve")).to_be_in_viewport()
    expect(signed_in.get_by_role("navigation", name="Quick actions")).to_be_hidden()  # desktop: the actions row


def test_resolving_opens_the_postmortem_editor_and_saving_makes_version_2(signed_in: Page, live: Live) -> None:
    signed_in.goto(_detail(live))
    expect(signed_in.locator("#postmortem")).to_contain_text("drafted when the incident is resolved")
    expect(signed_in.get_by_label("Resolution summary (optional)")).to_be_hidden()  # one click cannot resolve
    signed_in.locator("#resolve").click()
    signed_in.get_by_label("Resolution summary (optional)").fill("fixed: rolled back shop@2026.11.2")
    signed_in.get_by_role("button", name="Resolve and close out").click()
    expect(signed_in.locator("#notice")).to_contain_text("Resolution queued")
    _shot(signed_in, "resolve-confirmed-1366")
    _same_document(signed_in)
    editor = signed_in.get_by_label(re.compile(r"^Markdown \(version 1 by "))
    expect(editor).to_be_visible(timeout=20_000)
    editor.fill(editor.input_value() + "\n\nThe on-call engineer forgot to run the migration.\n")
    signed_in.get_by_role("button", name="Save as a new version").click()
    expect(signed_in.locator("#postmortem [role=status]")).to_have_text("Saved as version 2.")
    expect(signed_in.locator("#postmortem-versions tbody tr").first).to_contain_text("v2")
    expect(signed_in.locator("#blame-flags")).to_contain_text("forgot")
    _still_same_document(signed_in)
    versions = live.api.get(f"/api/incidents/{live.incident_id}/postmortem/versions").json()
    assert [(v["version"], v["author"]) for v in versions][1:] == [(2, "web")]
    assert "forgot to run the migration" in versions[1]["markdown"] and versions[1]["blame_flags"]
    signed_in.reload()
    expect(signed_in.locator("#status")).to_have_text("resolved")
    expect(signed_in.locator("#resolve-box")).to_have_count(0)


def test_the_checkout_all_clear_waits_until_the_approver_says_whether_anyone_was_charged(
    signed_in: Page, live: Live
) -> None:
    signed_in.goto(_detail(live))
    _same_document(signed_in)
    [all_clear] = [d for d in live.drafts() if d["channel"] == "email" and d["kind"] == "all_clear"]
    assert all_clear["state"] == "blocked"
    draft = signed_in.locator(f"#draft-{all_clear['id']}")
    expect(draft.locator('[data-role="state"]')).to_have_text("blocked")
    expect(draft).to_contain_text("say whether customers were charged")
    expect(draft.get_by_role("button", name="Approve and send")).to_have_count(0)
    text = draft.get_by_label("Text to send")
    filled = re.sub(r"\[to be written: were customers charged[^\]]*\]", "No card was charged.", text.input_value())
    text.fill(filled)
    draft.get_by_role("button", name="Approve edited text").click()
    expect(draft.locator('[data-role="state"]')).to_have_text("sent", timeout=15_000)
    _still_same_document(signed_in)
    [sent] = [d for d in live.drafts() if d["id"] == all_clear["id"]]
    assert sent["state"] == "sent" and "No card was charged." in sent["body"] and "[to be written" not in sent["body"]


def test_a_labelled_post_after_resolution_stays_in_the_room_only(signed_in: Page, live: Live) -> None:
    notes_before = [e for e in live.incident()["timeline"] if e["kind"] == "note"]
    signed_in.goto(_detail(live))
    signed_in.get_by_label("Message").fill("cause: a null amount from the new pricing service")
    signed_in.get_by_role("button", name="Post", exact=True).click()
    expect(signed_in.locator("#war-room-messages")).to_contain_text("cause: a null amount")
    assert [e for e in live.incident()["timeline"] if e["kind"] == "note"] == notes_before


def test_links_from_an_alert_open_only_when_they_are_http(signed_in: Page, live: Live) -> None:
    """A `javascript:` runbook from an alert is shown as text, never as something to click."""
    alert = {
        "title": "Search latency above SLO",
        "service": "search",
        "runbook_url": "javascript:alert(document.cookie)",
        "links": [{"label": "Dashboard", "url": "https://grafana.example.com/d/search"}],
    }
    incident_id = live.api.post("/api/alerts", json=alert).raise_for_status().json()["incident_id"]
    signed_in.goto(f"{live.base_url}/incidents/{incident_id}")
    expect(signed_in.locator("#runbook-link")).to_have_text("Runbook: javascript:alert(document.cookie)")
    expect(signed_in.locator("#runbook-link a")).to_have_count(0)
    expect(signed_in.get_by_role("link", name="Dashboard")).to_have_attribute(
        "href", "https://grafana.example.com/d/search"
    )


def test_signing_out_ends_the_session_for_a_copied_cookie_too(
    signed_in: Page, browser_context: BrowserContext, live: Live
) -> None:
    [cookie] = [c["value"] for c in browser_context.cookies() if c["name"] == SESSION_COOKIE]
    signed_in.goto(f"{live.base_url}/incidents")
    signed_in.get_by_role("button", name="Sign out").click()
    expect(signed_in).to_have_url(f"{live.base_url}/login")
    replayed = httpx.get(f"{live.base_url}/incidents", cookies={SESSION_COOKIE: cookie})
    assert replayed.status_code == 303 and replayed.headers["location"].startswith("/login")


def test_a_new_incident_shows_in_the_open_list_without_a_reload(signed_in: Page, live: Live) -> None:
    signed_in.goto(f"{live.base_url}/incidents")
    _same_document(signed_in)
    alert = {"title": "orders export failing", "service": "exports", "level": "error", "dedup_key": "ui:exports"}
    incident_id = live.api.post("/api/alerts", json=alert).raise_for_status().json()["incident_id"]
    expect(signed_in.locator(f"#open-incidents #incident-{incident_id}")).to_be_visible(timeout=12_000)
    _still_same_document(signed_in)
    _shot(signed_in, "new-incident-without-reload-1366")


@pytest.mark.parametrize("width", [1366, 390])
def test_an_incident_declared_by_hand_runs_at_the_chosen_level(signed_in: Page, live: Live, width: int) -> None:
    signed_in.set_viewport_size({"width": width, "height": 900})
    try:
        signed_in.goto(f"{live.base_url}/incidents")
        signed_in.get_by_text("Declare an incident").click()
        signed_in.get_by_label("What is wrong").fill("x")
        signed_in.get_by_role("button", name="Declare incident").click()  # the browser refuses a 1-letter title
        expect(signed_in).to_have_url(f"{live.base_url}/incidents")
        signed_in.get_by_label("What is wrong").fill(f"Payments declined at {width}")
        signed_in.get_by_label("Severity", exact=True).select_option("P1")
        signed_in.get_by_label("Affected service (optional)").fill(f"payments-{width}")
        signed_in.get_by_label("What customers see (optional, internal)").fill("tweets: card declined")
        signed_in.get_by_role("button", name="Declare incident").click()
        expect(signed_in.locator("#notice")).to_contain_text("Incident declared")
        incident_id = int(signed_in.url.split("/incidents/")[1].split("?")[0])
        wide = signed_in.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"the declared incident's page is {wide} px wider than the screen"
        wait_until(lambda: live.api.get(f"/api/incidents/{incident_id}").json()["severity"] == "P1", "the graph")
        incident = live.api.get(f"/api/incidents/{incident_id}").json()
        assert (incident["source"], incident["classification"]["decided_by"]) == ("declared", "human:web")
        assert incident["title"] == f"Payments declined at {width}"
    finally:
        signed_in.set_viewport_size({"width": 1366, "height": 1000})


SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"  # ignored by git


@pytest.mark.parametrize("width", [1366, 390])
def test_the_weekly_digest_page_shows_this_weeks_figures_and_the_playbook(
    signed_in: Page, live: Live, width: int
) -> None:
    signed_in.set_viewport_size({"width": width, "height": 900})
    try:
        signed_in.goto(f"{live.base_url}/incidents")
        signed_in.get_by_role("link", name="Digest").click()
        expected = live.api.get("/api/digest").json()
        expect(signed_in.locator("h1")).to_have_text(f"Weekly digest {expected['label']}")
        signed_in.locator("#previous-week").click()  # the week before, where this outage was not (or was)
        signed_in.locator("#next-week").click()
        week = utcnow().isocalendar()
        label = f"{week[0]}-W{week[1]:02d}"
        signed_in.goto(f"{live.base_url}/digest?week={label}")
        this_week = live.api.get("/api/digest", params={"week": label}).json()
        assert this_week["incidents"] >= 1
        expect(signed_in.locator("#digest-count")).to_have_text(str(this_week["incidents"]))
        expect(signed_in.locator("#digest-targets")).to_contain_text("P0/P1 acknowledged within their SLA")
        expect(signed_in.locator("#digest-measures")).to_contain_text("time to acknowledge")
        expect(signed_in.locator("#digest-items-line")).to_contain_text("Action items from")
        for chart in ("incidents", "resolve", "items"):
            image = signed_in.locator(f"#trend-{chart}")
            loaded = lambda image=image: image.evaluate("i => i.complete && i.naturalWidth > 0")  # noqa: E731
            wait_until(loaded, f"the {chart} trend chart")
        trend = live.api.get("/api/digest/trend", params={"week": label}).json()["weeks"]
        assert len(trend) == 12 and trend[-1]["week"] == label and trend[-1]["incidents"] == this_week["incidents"]
        if width == 1366:  # the download works with the browser's session, not only with the API token
            with signed_in.expect_download() as download:
                signed_in.locator("#digest-markdown").click()
            assert download.value.suggested_filename == f"digest-{label}.md"
            assert Path(download.value.path()).read_text().startswith(f"# warroom weekly digest {label}")
        wide = signed_in.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"the digest is {wide} px wider than the screen"
        SCREENSHOTS.mkdir(exist_ok=True)
        signed_in.screenshot(path=str(SCREENSHOTS / f"digest-{width}.png"), full_page=True)
    finally:
        signed_in.set_viewport_size({"width": 1366, "height": 1000})


@pytest.mark.parametrize("width", [1366, 390])
def test_the_action_item_board_lists_what_the_postmortem_committed_to_and_marks_one_done(
    signed_in: Page, live: Live, width: int
) -> None:
    items = wait_until(lambda: live.api.get("/api/action-items").json(), "the resolved outage's action items")
    signed_in.set_viewport_size({"width": width, "height": 900})
    try:
        signed_in.goto(f"{live.base_url}/incidents")
        signed_in.get_by_role("link", name="Action items").click()
        expect(signed_in.locator("h1")).to_have_text("Action items")
        first = next(i for i in items if i["status"] in ("open", "in_progress"))
        row = signed_in.locator(f"#item-{first['id']}")
        expect(row).to_contain_text(first["title"][:40])
        expect(row).to_contain_text(first["owner"])
        expect(row.get_by_role("link", name=f"#{live.incident_id}")).to_be_visible()
        wide = signed_in.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"the board is {wide} px wider than the screen"
        SCREENSHOTS.mkdir(exist_ok=True)
        signed_in.screenshot(path=str(SCREENSHOTS / f"action-items-{width}.png"), full_page=True)
        if width == 390:
            row.get_by_role("button", name="Mark done").click()
            expect(signed_in.locator("#notice")).to_contain_text("Marked done")
            expect(signed_in.locator("#items-done")).to_contain_text(first["title"][:40])
            done = live.api.get("/api/action-items", params={"status": "done"}).json()
            assert first["id"] in [i["id"] for i in done]
    finally:
        signed_in.set_viewport_size({"width": 1366, "height": 1000})


def test_times_read_as_how_long_ago_with_the_viewers_own_time_on_hover(signed_in: Page, live: Live) -> None:
    signed_in.goto(_detail(live))
    opened = signed_in.locator("#title ~ p time[data-relative]").first
    expect(opened).to_have_text(re.compile(r"^(just now|\d+ min ago|\d+ h ago|\d+ d ago)$"))
    title = opened.get_attribute("title") or ""
    assert "(your time)" in title and title.endswith("UTC"), title
    entry = signed_in.locator("#timeline li time[data-relative]").first
    expect(entry).to_have_text(re.compile(r"ago$|^just now$"))
    signed_in.goto(f"{live.base_url}/incidents")
    expect(signed_in.locator(f"#incident-{live.incident_id} time[data-relative]")).to_have_text(
        re.compile(r"ago$|^just now$")
    )
