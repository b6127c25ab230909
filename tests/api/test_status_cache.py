"""The public status page under a refresh surge: rendered once per change, not per request;
validators on every answer; a conditional GET answered 304; a new post visible on the next
request; the Atom feed of updates from the same cache."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from api.routers import status_page
from tests.conftest import open_outage

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
