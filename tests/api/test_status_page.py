"""The public status page as customers see it: whose page it is, every component, the incidents."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.composition import Warroom
from tests.conftest import open_outage
from warroom.settings import ServiceConfig, Settings


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
