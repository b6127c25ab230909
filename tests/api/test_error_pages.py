"""A browser gets its refusals as a page to read and a missing sign-in as the sign-in form, keeping
where it was going; the API, webhooks and machine-read documents keep their JSON `Problem`."""

from __future__ import annotations

from tests.conftest import API_TOKEN

PAGE = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _sign_in(client) -> None:
    assert client.post("/login", data={"token": API_TOKEN, "next": "/incidents"}, follow_redirects=False).is_redirect


def test_a_browser_gets_a_page_for_a_missing_incident_and_a_bad_address(client):
    _sign_in(client)
    missing = client.get("/incidents/999", headers=PAGE)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "Not found" in missing.text and "incident 999 not found" in missing.text
    assert 'href="/incidents"' in missing.text
    bad = client.get("/incidents/abc", headers=PAGE)
    assert bad.status_code == 422 and "path.incident_id" in bad.text and "<html" in bad.text
    nowhere = client.get("/no-such-page", headers=PAGE)
    assert nowhere.status_code == 404 and "<html" in nowhere.text


def test_the_api_and_machine_documents_keep_json_even_for_a_browser(client, auth):
    for path in ("/api/incidents/999", "/status.json", "/api/no-such-thing"):
        response = client.get(path, headers={**PAGE, **(auth if path.startswith("/api/incidents") else {})})
        assert response.headers["content-type"].startswith("application/json"), path
    assert client.get("/api/incidents/999", headers={**PAGE, **auth}).json()["detail"] == "incident 999 not found"
    assert client.get("/api/incidents", headers=PAGE).status_code == 401  # no redirect for the API


def test_signing_in_returns_a_browser_where_it_was_going_query_included(client):
    docs = client.get("/docs", headers=PAGE, follow_redirects=False)
    assert docs.status_code == 303 and docs.headers["location"] == "/login?next=/docs"
    digest = client.get("/digest?week=2026-W48", headers=PAGE, follow_redirects=False)
    assert digest.headers["location"] == "/login?next=/digest%3Fweek%3D2026-W48"
    back = client.post("/login", data={"token": API_TOKEN, "next": "/digest?week=2026-W48"}, follow_redirects=False)
    assert back.headers["location"] == "/digest?week=2026-W48"
