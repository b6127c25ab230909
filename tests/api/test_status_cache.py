"""The public status page under a refresh surge: rendered once per change, not per request;
validators on every answer; a conditional GET answered 304; a new post visible on the next
request; the Atom feed of updates from the same cache."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest

from api.routers import status_page
from api.status_cache import StatusFastPath, StatusPageCache
from tests.conftest import open_outage
from warroom.status_page.store import set_component

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = status_page.summary

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(status_page, "summary", counted)
    return calls


@pytest.mark.parametrize("path", ["/status.json", "/status", "/status/feed.atom"])
def test_each_form_is_built_once_per_change_and_revalidates_with_304(client, warroom, clock, builds, path):
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["cache-control"].startswith("public, max-age=")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for _ in range(5):
        assert client.get(path).headers["etag"] == etag
    assert len(builds) == 1, "rendered again although nothing changed"

    again = client.get(path, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(path, headers={"if-modified-since": modified}).status_code == 304
    assert client.get(path, headers={"if-none-match": '"something-else"'}).status_code == 200

    open_outage(client, warroom, clock)  # posts "investigating" to the page
    changed = client.get(path, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert len(builds) == 2
    assert "checkout" in changed.text.lower()


def test_the_atom_feed_has_one_entry_per_update_newest_first(client, warroom, clock):
    open_outage(client, warroom, clock)
    page = client.get("/status.json").json()
    updates = [u for i in page["active_incidents"] for u in i["updates"]]
    feed = ET.fromstring(client.get("/status/feed.atom").content)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(updates) >= 1
    stamps = [e.find(f"{ATOM}updated").text for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    assert all(e.find(f"{ATOM}content").text for e in entries)


def test_an_unreadable_if_modified_since_is_no_condition(client):
    assert client.get("/status.json", headers={"if-modified-since": "yesterday-ish"}).status_code == 200


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _page(body: bytes = b"page") -> tuple[bytes, str, datetime]:
    return body, "application/json", datetime(2026, 12, 4, tzinfo=UTC)


def _key(value: object, asked: list[int] | None = None):
    def key_of() -> object:
        if asked is not None:
            asked.append(1)
        return value

    return key_of


def test_when_the_recheck_lapses_one_request_checks_and_the_others_keep_the_held_rendering():
    ticks = Ticks()
    cache = StatusPageCache(recheck_seconds=1.0, grace_seconds=2.0, monotonic=ticks)
    held = cache.check("json", _key("v1"), _page)
    assert cache.recent("json") == held
    ticks.now += 1.5
    assert cache.recent("json") is None, "nobody asked the database after the second lapsed"
    assert [cache.recent("json") for _ in range(3)] == [held] * 3, "the surge queued behind the check"
    ticks.now += 2.1
    assert cache.recent("json") is None, "a check that never came back held the page for ever"
    ticks.now += 0.1
    assert cache.check("json", _key("v1"), _page) == held  # the check: unchanged
    assert cache.recent("json") == held and cache.recent("json") == held


def test_a_changed_page_is_served_by_the_request_that_checks():
    ticks = Ticks()
    cache = StatusPageCache(recheck_seconds=1.0, monotonic=ticks)
    cache.check("json", _key("v1"), _page)
    ticks.now += 1.5
    assert cache.recent("json") is None
    ticks.now += 0.1
    new = cache.check("json", _key("v2"), lambda: _page(b"posted"))
    assert new.body == b"posted" and cache.recent("json") == new


def test_a_rendering_whose_version_was_read_before_a_post_is_answered_but_not_kept():
    cache = StatusPageCache()

    def read_then_post() -> object:
        cache.invalidate()  # the post lands (and drops the cache) just after the version was read
        return "v1"

    assert cache.check("json", read_then_post, _page).body == b"page"
    assert cache.recent("json") is None, "a page from before the post would be served for a second"
    assert cache.check("json", _key("v2"), _page) and cache.recent("json") is not None


def test_a_post_while_requests_wait_costs_one_rendering_not_one_each():
    """Requests queued behind a check when a post lands read the new version after it: the first
    to get its turn renders and keeps it, the rest take that."""
    cache = StatusPageCache()
    built: list[int] = []
    release = threading.Event()
    started = threading.Event()

    def blocked_key() -> object:
        started.set()
        release.wait(5)
        return "v1"

    def build() -> tuple[bytes, str, datetime]:
        built.append(1)
        return _page()

    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(cache.check, "json", blocked_key, build)
        started.wait(5)
        rest = [pool.submit(cache.check, "json", _key("v2"), build) for _ in range(5)]
        time.sleep(0.2)  # all five wait behind the first check
        cache.invalidate()  # the post
        release.set()
        first.result()
        answers = [f.result() for f in rest]
    assert len(built) == 2, f"{len(built)} renderings: the one before the post and one after"
    assert len({a.etag for a in answers}) == 1 and cache.recent("json") is not None


def test_requests_waiting_behind_a_check_take_its_answer():
    """A checks; seven more arrive meanwhile. They cannot trust A's answer (A read the version
    before they arrived), so one of them asks again and the other six take that answer: two
    queries and one rendering for eight requests, not eight of each."""
    cache = StatusPageCache()
    asked: list[int] = []
    built: list[int] = []
    release = threading.Event()

    def first_key() -> object:
        asked.append(1)
        release.wait(5)
        return "v1"

    def build() -> tuple[bytes, str, datetime]:
        built.append(1)
        return _page()

    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(cache.check, "html", first_key, build)
        while not asked:
            time.sleep(0.001)
        rest = [pool.submit(cache.check, "html", _key("v1", asked), build) for _ in range(7)]
        time.sleep(0.2)  # all seven are waiting behind the first check
        release.set()
        answers = [first.result(), *(f.result() for f in rest)]
    assert (len(asked), len(built)) == (2, 1), f"{len(asked)} queries, {len(built)} renderings"
    assert len({a.etag for a in answers}) == 1


def test_a_change_another_process_made_shows_once_the_recheck_lapses(client, warroom, clock, monkeypatch):
    """No nudge (a separate worker whose nudge was lost): the held page is served for the recheck
    second, then the request that checks goes through the route and sees the change."""
    ticks = Ticks()
    monkeypatch.setattr(warroom, "status_cache", StatusPageCache(recheck_seconds=1.0, monotonic=ticks))
    fast_path = client.app.middleware_stack
    while not isinstance(fast_path, StatusFastPath):
        fast_path = fast_path.app
    monkeypatch.setattr(fast_path, "cache", warroom.status_cache)
    before = client.get("/status.json").json()
    with warroom.engine.begin() as conn:
        set_component(conn, "search", "major_outage", clock.now())  # not through this process's outbox
    assert client.get("/status.json").json() == before
    ticks.now += 1.5
    after = client.get("/status.json").json()
    assert {c["name"]: c["status"] for c in after["components"]}["search"] == "major_outage"
