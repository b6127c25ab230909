"""Incidents page by keyset: `GET /api/incidents` newest first with the next page in a `Link`
header (`?before=<id>`), the web list's resolved incidents the same way; every incident once,
none skipped, a malformed cursor refused with a 422 naming it, and the queries walk an index."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from api.scenarios import BROWSERS, sentry_event_alert
from tests.conftest import API_TOKEN
from warroom.incidents import store as incidents
from warroom.incidents.models import IncidentStatus

LINK = re.compile(r'^<(/api/incidents\?[^>]+)>; rel="next"$')


def _open(post_sentry: Any, clock: Any, n: int) -> int:
    """An incident of its own: a new Sentry issue on a path nothing else uses."""
    payload = sentry_event_alert(
        event_id=uuid.uuid4().hex,
        issue_id=str(8_100_000 + n),
        at=clock.now() - timedelta(seconds=5),
        path=f"/api/widget-{n}",
        user_id=f"user-{n}",
        browser=BROWSERS[0],
        region="eu-west-1",
        title=f"WidgetError {n}: the widget answered 500",
    )
    response = post_sentry(payload)
    assert response.status_code == 202 and response.json()["deduplicated"] is False
    return int(response.json()["incident_id"])


@pytest.fixture
def seven(post_sentry, clock, warroom) -> list[int]:
    ids = [_open(post_sentry, clock, n) for n in range(7)]
    warroom.scheduler.run_pending()
    assert len(set(ids)) == 7
    return ids


def _walk(client: Any, auth: dict[str, str], first: str) -> tuple[list[list[int]], list[str]]:
    pages, links, url = [], [], first
    while url:
        response = client.get(url, headers=auth)
        assert response.status_code == 200, response.text
        pages.append([i["id"] for i in response.json()])
        link = response.headers.get("link")
        links.append(link or "")
        url = LINK.match(link).group(1) if link else ""
        assert len(pages) < 20
    return pages, links


def test_the_api_pages_through_every_incident_once_newest_first(client, auth, seven) -> None:
    pages, links = _walk(client, auth, "/api/incidents?limit=3")
    assert pages == [sorted(seven, reverse=True)[n : n + 3] for n in (0, 3, 6)]
    assert [i for page in pages for i in page] == sorted(seven, reverse=True)  # no duplicate, no gap
    assert links[0] == f'</api/incidents?limit=3&before={pages[0][-1]}>; rel="next"'
    assert links[-1] == ""  # the last page says there is no next one

    exact, _ = _walk(client, auth, "/api/incidents?limit=7")
    assert exact == [sorted(seven, reverse=True)]  # a full last page has no Link to an empty one
    assert client.get(f"/api/incidents?before={min(seven)}", headers=auth).json() == []


def test_the_next_link_keeps_the_filters(client, auth, seven) -> None:
    pages, links = _walk(client, auth, "/api/incidents?open_only=true&limit=4")
    assert [i for page in pages for i in page] == sorted(seven, reverse=True)
    assert "open_only=true" in links[0] and "limit=4" in links[0]
    by_status, _ = _walk(client, auth, "/api/incidents?status=resolved&limit=2")
    assert by_status == [[]]


@pytest.mark.parametrize("cursor", ["abc", "0", "-3", "1.5", str(2**63), ""])
def test_a_malformed_cursor_is_a_422_naming_it(client, auth, cursor) -> None:
    response = client.get("/api/incidents", params={"before": cursor}, headers=auth)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("query.before: ")


def test_the_list_queries_walk_an_index_never_the_table(warroom, seven) -> None:
    seen: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().startswith("SELECT") and "FROM incidents" in statement and "LIMIT" in statement:
            seen.append((statement, parameters))

    event.listen(warroom.engine, "before_cursor_execute", capture)
    try:
        with warroom.engine.connect() as conn:
            incidents.list_incidents(conn, limit=3, before=max(seven))
            incidents.list_incidents(conn, open_only=True, limit=3, before=max(seven))
            incidents.list_incidents(conn, status=IncidentStatus.RESOLVED, limit=3, before=max(seven))
            plans = [
                " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
                for sql, params in seen
            ]
    finally:
        event.remove(warroom.engine, "before_cursor_execute", capture)
    assert len(plans) == 3
    assert "USING INTEGER PRIMARY KEY (rowid<?)" in plans[0]
    for plan in plans[1:]:
        assert "USING INDEX ix_incidents_status" in plan, plan
    assert not any(re.search(r"\bSCAN incidents\b(?! USING)", plan) for plan in plans), plans


def _web_ids(page: str, section: str) -> list[int]:
    part = page.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    return [int(n) for n in re.findall(r'<tr id="incident-(\d+)"', part)]


def test_the_web_list_pages_resolved_incidents_by_cursor(client, auth, seven, warroom, monkeypatch) -> None:
    monkeypatch.setattr("api.routers.web.incidents.RESOLVED_PAGE", 2)
    for incident_id in seven[:5]:
        client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=auth)
    warroom.scheduler.run_pending()
    assert client.post("/login", data={"token": API_TOKEN, "next": "/incidents"}, follow_redirects=False).is_redirect

    first = client.get("/incidents").text
    assert sorted(_web_ids(first, "open-incidents")) == sorted(seven[5:])  # every open one, always
    seen, url = [], "/incidents"
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen.append(_web_ids(page.text, "recent-incidents"))
        older = re.search(r'href="(/incidents\?before=\d+)" id="older-page"', page.text)
        url = older.group(1) if older else ""
    assert seen == [sorted(seven[:5], reverse=True)[n : n + 2] for n in (0, 2, 4)]
    assert 'id="newest-page"' in client.get(f"/incidents?before={seven[2]}").text
    assert 'hx-get="/incidents/rows?before=' in client.get(f"/incidents?before={seven[2]}").text
    assert _web_ids(client.get(f"/incidents/rows?before={seven[2]}").text, "recent-incidents") == sorted(
        seven[:2], reverse=True
    )
    refused = client.get("/incidents?before=nope")
    assert refused.status_code == 422 and "before" in refused.text
