"""The web UI's forms run the same actions as the API: a labelled line anywhere makes a war-room
message a note, and a refusal is shown on the page with its status code."""

from __future__ import annotations

import re

import pytest

from tests.conftest import API_TOKEN


@pytest.fixture
def signed_in(client, p0_incident) -> tuple[int, str]:
    incident_id = p0_incident
    assert client.post("/login", data={"token": API_TOKEN, "next": "/incidents"}, follow_redirects=False).is_redirect
    page = client.get(f"/incidents/{incident_id}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    return incident_id, csrf.group(1)


def test_a_labelled_second_line_makes_a_web_message_a_note(client, auth, signed_in):
    incident_id, csrf = signed_in
    text = "looking at the pool\ncause: connection pool exhausted"
    posted = client.post(
        f"/incidents/{incident_id}/war-room", data={"csrf": csrf, "text": text}, follow_redirects=False
    )
    assert posted.status_code == 303
    timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
    assert [(e["actor"], e["text"]) for e in timeline if e["kind"] == "note"] == [("web", text)]


def test_a_refused_action_is_shown_on_the_page_with_its_status(client, signed_in):
    incident_id, csrf = signed_in
    first = client.post(f"/incidents/{incident_id}/acknowledge", data={"csrf": csrf}, follow_redirects=False)
    assert first.status_code == 303
    again = client.post(f"/incidents/{incident_id}/acknowledge", data={"csrf": csrf})
    assert again.status_code == 409
    assert f"incident {incident_id} was already acknowledged by web" in again.text
