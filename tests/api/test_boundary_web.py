"""The web UI's boundary, on SQLite and on PostgreSQL: sessions end when the browser signs out,
when the API token is rotated or when they expire; the actor of a web action is the server's
view ("web"), whatever the form says; only http(s) URLs from alerts become links; form texts are
normalised before they are stored; ids past the 64-bit range are refused.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.composition import Warroom
from api.web_sessions import SESSION_COOKIE, SESSION_HOURS
from tests.conftest import API_TOKEN
from warroom.clock import FakeClock
from warroom.untrusted import MAX_ID

AUTH = {"authorization": f"Bearer {API_TOKEN}"}


@contextmanager
def browser(warroom: Warroom) -> Iterator[TestClient]:
    """A client of its own (its own cookie jar), as a separate browser would be."""
    with TestClient(create_app(warroom, run_worker=False), follow_redirects=False) as client:
        yield client


def sign_in(client: TestClient, token: str = API_TOKEN) -> str:
    response = client.post("/login", data={"token": token, "next": "/incidents"})
    assert response.status_code == 303, response.text
    return response.cookies[SESSION_COOKIE]


def csrf_of(client: TestClient, path: str = "/incidents") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def is_signed_out(response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.fixture(scope="module")
def incident_id(db_client: TestClient) -> int:
    """An open incident whose alert carried hostile and honest links."""
    alert = {
        "title": "Checkout failing",
        "service": f"checkout-{uuid.uuid4().hex[:8]}",
        "runbook_url": "javascript:alert(document.cookie)",
        "links": [
            {"label": "Dashboard", "url": "https://grafana.example.com/d/checkout"},
            {"label": "Evil", "url": "JaVaScRiPt:alert(1)"},
            {"label": "Data", "url": "data:text/html,<script>alert(1)</script>"},
            {"label": "Relative", "url": "//evil.example/x"},
            {"label": "Spaced", "url": " javascript:alert(1)"},
            {"label": "Plain", "url": "http://status.example.com/"},
        ],
    }
    response = db_client.post("/api/alerts", json=alert, headers=AUTH)
    assert response.status_code == 202, response.text
    return response.json()["incident_id"]


def test_signing_out_ends_the_session_even_for_a_copied_cookie(db_warroom):
    with browser(db_warroom) as client:
        cookie = sign_in(client)
        assert client.post("/logout", data={"csrf": csrf_of(client)}).status_code == 303
    with browser(db_warroom) as thief:
        thief.cookies.set(SESSION_COOKIE, cookie)
        assert is_signed_out(thief.get("/incidents"))


def test_rotating_the_api_token_ends_every_session_opened_with_the_old_one(db_warroom):
    with browser(db_warroom) as client:
        cookie = sign_in(client)
        assert client.get("/incidents").status_code == 200
    rotated = replace(db_warroom, api_token="rotated-api-token")
    with browser(rotated) as client:
        client.cookies.set(SESSION_COOKIE, cookie)
        assert is_signed_out(client.get("/incidents"))
        assert client.post("/login", data={"token": API_TOKEN}).status_code == 401
        sign_in(client, "rotated-api-token")
        assert client.get("/incidents").status_code == 200


def test_a_session_expires_after_its_hours(db_warroom):
    with browser(db_warroom) as client:
        cookie = sign_in(client)
    later = FakeClock(db_warroom.clock.now() + timedelta(hours=SESSION_HOURS, seconds=1))
    with browser(replace(db_warroom, clock=later)) as client:
        client.cookies.set(SESSION_COOKIE, cookie)
        assert is_signed_out(client.get("/incidents"))


@pytest.mark.parametrize("cookie", [b"", b"guess", b"x" * 5000, "é".encode() + b"\xff"])
def test_an_unknown_cookie_is_no_session(db_warroom, cookie):
    with browser(db_warroom) as client:
        assert is_signed_out(client.get("/incidents", headers={"cookie": SESSION_COOKIE.encode() + b"=" + cookie}))


def test_the_csrf_token_of_another_session_is_refused(db_warroom, incident_id):
    with browser(db_warroom) as first, browser(db_warroom) as second:
        sign_in(first)
        sign_in(second)
        response = second.post(f"/incidents/{incident_id}/acknowledge", data={"csrf": csrf_of(first)})
        assert response.status_code == 403


@pytest.mark.parametrize("field", ["actor", "author", "name", "decided_by"])
def test_the_recorded_actor_is_the_server_s_view_not_a_form_field(db_warroom, db_client, incident_id, field):
    text = f"tried: restart {uuid.uuid4().hex}"
    with browser(db_warroom) as client:
        sign_in(client)
        csrf = csrf_of(client, f"/incidents/{incident_id}")
        posted = client.post(f"/incidents/{incident_id}/war-room", data={"csrf": csrf, "text": text, field: "mallory"})
        assert posted.status_code == 303
        client.post(f"/incidents/{incident_id}/acknowledge", data={"csrf": csrf, field: "mallory"})
    room = db_client.get(f"/api/incidents/{incident_id}/war-room", headers=AUTH).json()
    assert [m["author"] for m in room if m["text"] == text] == ["web"]
    assert db_client.get(f"/api/incidents/{incident_id}", headers=AUTH).json()["acknowledged_by"] == "web"


def test_only_http_and_https_urls_become_links(db_warroom, incident_id):
    with browser(db_warroom) as client:
        sign_in(client)
        page = client.get(f"/incidents/{incident_id}").text
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert "https://grafana.example.com/d/checkout" in hrefs and "http://status.example.com/" in hrefs
    assert all(h.startswith(("/", "#", "http://", "https://")) for h in hrefs), hrefs
    assert not any("evil.example" in h or "alert(" in h for h in hrefs)
    assert '<span class="unlinked" id="runbook-link">Runbook: <code>javascript:alert(document.cookie)</code>' in page
    assert "Data: <code>data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</code>" in page


def test_nul_and_lone_surrogates_in_web_forms_are_normalised_before_storing(db_warroom, db_client, incident_id):
    marker = uuid.uuid4().hex
    with browser(db_warroom) as client:
        sign_in(client)
        csrf = csrf_of(client, f"/incidents/{incident_id}")
        body = f"csrf={csrf}&text=note%00{marker}%ED%A0%80end".encode()
        headers = {"content-type": "application/x-www-form-urlencoded"}
        assert client.post(f"/incidents/{incident_id}/war-room", content=body, headers=headers).status_code == 303
    room = db_client.get(f"/api/incidents/{incident_id}/war-room", headers=AUTH).json()
    [stored] = [m["text"] for m in room if marker in m["text"]]
    assert "\x00" not in stored and stored.startswith(f"note{marker}") and stored.endswith("end")


@pytest.mark.parametrize(
    "path", ["/incidents/{id}", "/incidents/{id}/timeline", "/incidents/{id}/war-room", "/incidents/1/drafts/{id}"]
)
def test_web_ids_past_the_database_range_are_refused_not_overflowed(db_warroom, path):
    with browser(db_warroom) as client:
        sign_in(client)
        assert client.get(path.format(id=MAX_ID + 1)).status_code == 422
        assert client.get(path.format(id=MAX_ID)).status_code == 404


def test_a_signed_in_browser_may_read_the_api_docs(db_warroom):
    with browser(db_warroom) as client:
        assert client.get("/docs").status_code == 401
        sign_in(client)
        docs = client.get("/docs")
        assert docs.status_code == 200
        assert client.get("/openapi.json").json()["info"]["title"] == "warroom"
        assert "cdn." not in docs.text and "/docs/assets/swagger-ui-bundle.js" in docs.text  # works offline
        bundle = client.get("/docs/assets/swagger-ui-bundle.js")
        assert bundle.status_code == 200 and "isOAS31" in bundle.text  # a Swagger UI that reads OpenAPI 3.1
