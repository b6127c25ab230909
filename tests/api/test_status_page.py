"""The public status page as customers see it: whose page it is, every component, the incidents."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.composition import Warroom
from warroom.settings import Settings


@pytest.fixture
def branded(settings: Settings, clock) -> Iterator[tuple[Warroom, TestClient]]:
    configured = settings.model_copy(
        update={"company_name": "Northwind", "status_page_logo_url": "https://cdn.northwind.example/logo.svg"}
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
