"""The public status page as customers see it: whose page it is, every component, the incidents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.composition import Warroom
from tests.conftest import API_TOKEN, open_outage
from tools.status_page.builtin import BuiltinStatusPage
from tools.status_page.port import PostMark
from warroom.incidents.models import IncidentStatus
from warroom.settings import ServiceConfig, Settings
from warroom.status_page.models import Impact, StatusPost
from warroom.status_page.store import summary

AUTH = {"authorization": f"Bearer {API_TOKEN}"}


@pytest.fixture
def branded(settings: Settings, clock) -> Iterator[tuple[Warroom, TestClient]]:
    configured = settings.model_copy(
        update={
            "company_name": "Northwind",
            "status_page_logo_url": "https://cdn.northwind.example/logo.svg",
            "services": {"shop": ServiceConfig(), "search-api": ServiceConfig()},
        }
    )
    warroom = Warroom.build(configured, clock)
    with TestClient(create_app(warroom, run_worker=False)) as client:
        yield warroom, client
    warroom.close()


def test_the_page_is_titled_with_the_company_and_shows_its_logo(branded):
    _, client = branded
    page = client.get("/status")
    assert "<title>Northwind status</title>" in page.text
    assert 'src="https://cdn.northwind.example/logo.svg"' in page.text
    assert "img-src 'self' data: https:" in page.headers["content-security-policy"]
    assert client.get("/status.json").json()["name"] == "Northwind status"


def test_without_a_company_the_page_keeps_its_plain_title(client):
    assert "<title>Service status</title>" in client.get("/status").text


def test_a_logo_that_is_not_an_http_address_is_refused():
    with pytest.raises(ValueError, match="http"):
        Settings(status_page_logo_url="javascript:alert(1)")


def test_every_component_is_listed_with_its_state_not_only_the_failing_one(branded, clock):
    warroom, client = branded
    page = client.get("/status.json").json()
    assert {c["name"]: c["status"] for c in page["components"]} == {"search-api": "operational", "shop": "operational"}

    open_outage(client, warroom, clock)
    states = {c["name"]: c["status"] for c in client.get("/status.json").json()["components"]}
    assert states == {"Checkout": "major_outage", "search-api": "operational", "shop": "operational"}
    html = client.get("/status").text
    assert html.count('data-role="state"') == 3
    assert "Major outage" in html and html.count(">Operational<") == 2


def _resolve_after(client, warroom, clock, minutes: int) -> int:
    incident_id = open_outage(client, warroom, clock)
    clock.advance(timedelta(minutes=minutes))
    answer = client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=AUTH)
    assert answer.status_code == 202
    warroom.scheduler.run_pending()
    return incident_id


def test_an_active_incident_shows_its_stage_as_the_record_says(client, warroom, clock):
    incident_id = open_outage(client, warroom, clock)
    html = client.get("/status").text
    assert '<span class="stage stage-investigating" data-role="stage">Investigating</span>' in html
    stage = client.post(f"/api/incidents/{incident_id}/stage", json={"stage": "identified"}, headers=AUTH)
    assert stage.status_code == 200
    clock.advance(timedelta(minutes=16))  # the next update carries the stage to the page
    warroom.scheduler.run_pending()
    assert client.get("/status.json").json()["active_incidents"][0]["status"] == "identified"
    assert 'data-role="stage">Identified</span>' in client.get("/status").text


def test_a_resolved_incident_is_listed_with_its_worst_impact_duration_and_trail(client, warroom, clock):
    _resolve_after(client, warroom, clock, minutes=42)
    page = client.get("/status.json").json()
    assert page["active_incidents"] == []
    [past] = page["recent_incidents"]
    assert past["impact"] == "none" and past["peak_impact"] == "critical"
    assert past["component_status"] == {"Checkout": "major_outage"}
    html = client.get("/status").text
    article = html[html.index('<section id="past-incidents">') :]
    assert 'data-role="impact">Critical impact</span>' in article
    assert 'data-role="duration">42 minutes</span>' in article
    assert "<details>" in article and "Resolved</span> —" not in article  # the trail sits in <details>
    assert article.index("<summary>") < article.index('class="update-status">resolved')


def test_past_incidents_are_listed_for_15_days_and_colour_the_bars_for_90(warroom, clock):
    page = BuiltinStatusPage(warroom.engine, clock)
    for incident_id in (101, 102):
        post = StatusPost(
            incident_id=incident_id, title=f"#{incident_id}", status=IncidentStatus.INVESTIGATING, body="Down."
        )
        ref = page.create_incident(post, PostMark(key=f"open-{incident_id}", at=clock.now()))
        clock.advance(timedelta(minutes=20))
        done = post.model_copy(update={"status": IncidentStatus.RESOLVED, "impact": Impact.NONE})
        page.update_incident(ref, done, PostMark(key=f"done-{incident_id}", at=clock.now()), recheck=False)
        clock.advance(timedelta(days=3))
    with warroom.engine.connect() as conn:
        past = summary(conn, name="x", now=clock.now()).recent_incidents
        assert [i.title for i in past] == ["#102", "#101"]
        assert all(len(i.updates) == 2 for i in past)
        later = summary(conn, name="x", now=clock.now() + timedelta(days=10))  # #101 ended 16.7 days before
        assert [i.title for i in later.recent_incidents] == ["#102"]
        assert [(i.title, len(i.updates)) for i in later.history] == [("#102", 2), ("#101", 0)]  # the bars' spans
        assert "history" not in later.model_dump(mode="json")
        gone = summary(conn, name="x", now=clock.now() + timedelta(days=85))
        assert gone.recent_incidents == [] and [i.title for i in gone.history] == ["#102"]


def test_each_component_has_a_90_day_bar_and_its_uptime_from_the_incidents(client, warroom, clock):
    # the page began keeping history when the warroom was built: 3 Nov 02:00 UTC
    clock.advance(timedelta(hours=21, minutes=40))  # opened 3 Nov 23:40, resolved 4 Nov 00:22
    _resolve_after(client, warroom, clock, minutes=42)
    clock.advance(timedelta(hours=25, minutes=38))  # now 5 Nov 02:00
    html = client.get("/status").text
    component = html[html.index('data-component="Checkout"') :]
    component = component[: component.index("</li>")]
    titles = re.findall(r"<title>([^<]+)</title>", component)
    assert len(titles) == 90
    assert titles[-3:] == ["3 Nov: major outage 20 min", "4 Nov: major outage 22 min", "5 Nov: no incidents"]
    assert titles[-4] == "2 Nov: no data" and titles[0] == "8 Aug: no data"
    assert component.count('class="day day-major_outage"') == 2 and component.count("day-nodata") == 87
    # 42 minutes down in the 2 days (2,880 min) since the page started: 98.54…%
    [checkout] = [c for c in client.get("/status.json").json()["components"] if c["name"] == "Checkout"]
    assert checkout["uptime_percent"] == 98.54
    assert 'data-role="uptime">98.54% uptime</span>' in component


def test_times_are_utc_in_the_html_and_marked_for_the_local_time_script(client, warroom, clock):
    open_outage(client, warroom, clock)
    html = client.get("/status").text
    assert '<time datetime="2026-11-03T02:00:00+00:00">3 Nov 2026, 02:00 UTC</time>' in html
    assert '<script src="/static/status-time.js" defer></script>' in html
    script = client.get("/static/status-time.js")  # public, from the page's own origin (its CSP allows 'self')
    assert script.status_code == 200 and "toLocaleString" in script.text
    assert "script-src" not in client.get("/status").headers["content-security-policy"]  # default-src 'self'


def test_an_incident_past_the_listed_days_still_colours_its_day_on_the_bar(client, warroom, clock):
    _resolve_after(client, warroom, clock, minutes=42)  # 3 Nov
    warroom.scheduler.run_pending()
    clock.advance(timedelta(days=20))
    html = client.get("/status").text
    assert 'id="past-incidents"' in html and "No incidents in the last 15 days." in html
    component = html[html.index('data-component="Checkout"') :]
    assert "3 Nov: major outage 42 min" in component[: component.index("</li>")]
    assert client.get("/status.json").json()["recent_incidents"] == []
