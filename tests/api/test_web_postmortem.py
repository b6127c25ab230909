"""The postmortem editor's routes: the browser's session downloads the export the API keeps behind
its token, restore needs the form's CSRF token, a version that is not there is a 4xx page, and
the preview shows HTML from the text as text."""

from __future__ import annotations

import json
import re

import pytest

from flows.actions import incidents as actions
from tests.conftest import API_TOKEN
from warroom.actors import Actor, ActorKind


@pytest.fixture
def resolved(client, warroom, p0_incident, auth) -> tuple[int, str]:
    """A resolved incident with versions 1 (the draft) and 2 (an edit), and a signed-in client's CSRF token."""
    actions.resolve(warroom.context, p0_incident, Actor(kind=ActorKind.API, name="bob"), summary="fixed")
    warroom.scheduler.run_pending()
    url = f"/api/incidents/{p0_incident}/postmortem"
    draft = client.get(url, headers=auth).json()["markdown"]
    edit = {"markdown": draft + "\nDetection took four minutes.\n", "author": "Ana"}
    assert client.put(url, json=edit, headers=auth).status_code == 200
    assert client.post("/login", data={"token": API_TOKEN, "next": "/incidents"}, follow_redirects=False).is_redirect
    page = client.get(f"/incidents/{p0_incident}/postmortem/edit")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    return p0_incident, csrf.group(1)


def test_the_editor_lists_each_version_with_who_wrote_it_and_a_time_without_seconds(client, resolved):
    incident_id, _ = resolved
    page = client.get(f"/incidents/{incident_id}/postmortem/edit").text
    rows = re.findall(r'<tr id="version-(\d+)">(.*?)</tr>', page, re.S)
    assert [n for n, _ in rows] == ["2", "1"]
    assert "Ana" in rows[0][1] and "(a person)" in rows[0][1] and "drafting agent" in rows[1][1]
    saved = re.findall(r'data-role="saved"><time datetime="[^"]+" title="[^"]+">([^<]+)</time>', page)
    assert len(saved) == 2 and all(re.fullmatch(r"\d\d:\d\d UTC, \d{1,2} [A-Z][a-z]{2}", s) for s in saved), saved
    assert 'id="restore-1"' in page and 'id="restore-2"' not in page


def test_the_diff_marks_the_added_line_and_defaults_to_the_last_change(client, resolved):
    incident_id, _ = resolved
    page = client.get(f"/incidents/{incident_id}/postmortem/diff")
    assert page.status_code == 200
    assert "Changes from version 1 to version 2" in page.text
    added = re.findall(r'<tr class="added" data-change="added">.*?<ins>(.*?)</ins>', page.text)
    assert added == ["", "Detection took four minutes."]
    same = client.get(f"/incidents/{incident_id}/postmortem/diff?a=2&b=2").text
    assert 'id="no-changes"' in same


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("a=1&b=9", 404, "the postmortem has no version 9 (versions 1 to 2)"),
        ("a=5", 404, "the postmortem has no version 5"),
        ("a=0&b=2", 422, "a:"),
        ("a=one", 422, "a:"),
        ("b=99999999999999999999999", 422, "b:"),
    ],
)
def test_a_version_that_is_not_there_is_a_clear_4xx(client, resolved, query, status, says):
    incident_id, _ = resolved
    answer = client.get(f"/incidents/{incident_id}/postmortem/diff?{query}")
    assert answer.status_code == status and says in answer.text


def test_restore_from_the_page_appends_version_1_as_version_3(client, resolved, auth):
    incident_id, csrf = resolved
    url = f"/incidents/{incident_id}/postmortem/versions/1/restore"
    assert client.post(url, data={"csrf": "forged"}).status_code == 403
    restored = client.post(url, data={"csrf": csrf}, follow_redirects=False)
    assert restored.status_code == 303
    assert restored.headers["location"] == f"/incidents/{incident_id}/postmortem/edit?done=restored&from=1"
    versions = client.get(f"/api/incidents/{incident_id}/postmortem/versions", headers=auth).json()
    assert [(v["version"], v["author"]) for v in versions] == [(1, "warroom"), (2, "Ana"), (3, "web")]
    assert versions[2]["markdown"] == versions[0]["markdown"]
    page = client.get(restored.headers["location"]).text
    assert "Version 1 restored as version 3" in page
    again = client.post(f"/incidents/{incident_id}/postmortem/versions/3/restore", data={"csrf": csrf})
    assert again.status_code == 409 and "version 3 is already the latest" in again.text
    missing = client.post(f"/incidents/{incident_id}/postmortem/versions/8/restore", data={"csrf": csrf})
    assert missing.status_code == 404


def test_the_api_restores_as_the_named_author_and_refuses_the_latest(client, resolved, auth):
    incident_id, _ = resolved
    url = f"/api/incidents/{incident_id}/postmortem/versions"
    restored = client.post(f"{url}/1/restore", json={"author": "Cleo"}, headers=auth)
    assert restored.status_code == 200
    assert (restored.json()["version"], restored.json()["author"]) == (3, "Cleo")
    assert client.post(f"{url}/3/restore", json={"author": "Cleo"}, headers=auth).status_code == 409
    assert client.post(f"{url}/4/restore", json={"author": "Cleo"}, headers=auth).status_code == 404
    assert client.post(f"{url}/1/restore", json={"author": "Cleo"}).status_code == 401


def test_the_exports_download_with_the_session_cookie_alone(client, resolved, auth):
    incident_id, _ = resolved
    latest = client.get(f"/api/incidents/{incident_id}/postmortem", headers=auth).json()
    markdown = client.get(f"/incidents/{incident_id}/postmortem/export.md")
    assert markdown.status_code == 200 and markdown.text == latest["markdown"]
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.headers["content-disposition"] == f'attachment; filename="postmortem-{incident_id}-v2.md"'
    exported = client.get(f"/incidents/{incident_id}/postmortem/export.json")
    assert exported.headers["content-disposition"] == f'attachment; filename="postmortem-{incident_id}-v2.json"'
    assert json.loads(exported.text) == latest
    client.cookies.clear()
    anonymous = client.get(f"/incidents/{incident_id}/postmortem/export.md", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_the_preview_renders_markdown_and_shows_html_from_an_alert_as_text(client, resolved):
    incident_id, csrf = resolved
    text = "## Impact\n\nAlert said: <img src=x onerror=alert(1)> and <script>alert(2)</script>\n\n[x](javascript:alert(3))"
    url = f"/incidents/{incident_id}/postmortem/preview"
    fragment = client.post(url, data={"csrf": csrf, "markdown": text}, headers={"hx-request": "true"}).text
    assert "<h2>Impact</h2>" in fragment
    assert "&lt;img src=x onerror=alert(1)&gt;" in fragment and "&lt;script&gt;" in fragment
    assert "<img" not in fragment and "<script" not in fragment and 'href="javascript' not in fragment
    whole = client.post(url, data={"csrf": csrf, "markdown": text})
    assert whole.status_code == 200 and "Unsaved edit of version 2" in whole.text and "<h2>Impact</h2>" in whole.text


def test_an_incident_without_a_postmortem_says_when_it_comes(client, p0_incident):
    assert client.post("/login", data={"token": API_TOKEN, "next": "/incidents"}, follow_redirects=False).is_redirect
    page = client.get(f"/incidents/{p0_incident}/postmortem/edit")
    assert page.status_code == 404 and "drafted when the incident is resolved" in page.text
    assert client.get(f"/incidents/{p0_incident}/postmortem/export.md").status_code == 404
    assert client.get(f"/incidents/{p0_incident}/postmortem/diff").status_code == 404
