"""The postmortem published where the team reads it: a Notion page (through the outbox, the real
client against a fake Notion judged by Notion's OpenAPI), updated in place on every later edit;
without Notion configured, the built-in editor alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.composition import Warroom
from api.scenarios import checkout_outage
from tests.conftest import SENTRY_SECRET
from tests.fakes.notion_server import FakeNotion
from warroom.db import table_of
from warroom.outbox.tables import OutboxRow
from warroom.settings import Settings

OUTBOX = table_of(OutboxRow)


@pytest.fixture
def notion() -> Iterator[FakeNotion]:
    fake = FakeNotion()
    yield fake
    assert fake.violations == []


def _resolved(
    settings: Settings, clock, notion: FakeNotion | None, auth, parent: str = ""
) -> tuple[Warroom, TestClient, int]:
    if notion is not None:
        settings = settings.model_copy(
            update={"notion_token": SecretStr(notion.token), "notion_parent_page_id": parent}
        )
    warroom = Warroom.build(settings, clock, transport=notion.transport if notion else None)
    client = TestClient(create_app(warroom, run_worker=False))
    for delivery in checkout_outage(SENTRY_SECRET, events=20, minutes=1, start=clock.now() - timedelta(minutes=1)):
        incident_id = client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers).json()[
            "incident_id"
        ]
    warroom.scheduler.run_pending()
    client.post(f"/api/incidents/{incident_id}/notes", json={"text": "cause: the payment key expired"}, headers=auth)
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "alice"}, headers=auth)
    warroom.scheduler.run_pending()
    return warroom, client, incident_id


def _pages(notion: FakeNotion, parent: str) -> list[str]:
    return [block.id for block in notion.listed(parent) if block.type == "child_page"]


def test_the_draft_is_published_to_notion_and_an_edit_updates_the_same_page(settings, clock, auth, notion):
    parent = notion.add_page("Postmortems")
    warroom, client, incident_id = _resolved(settings, clock, notion, auth, parent)
    try:
        [page] = _pages(notion, parent)
        assert notion.title(page).startswith(f"Postmortem #{incident_id}: ")
        headings = [text for kind, text in notion.text(page) if kind == "heading_2"]
        assert headings[:5] == ["Summary", "Impact", "Timeline", "Trigger, detection and resolution", "Root cause"]
        assert ("paragraph", "the payment key expired") in notion.text(page)
        timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
        [published] = [e for e in timeline if e["kind"] == "postmortem_published"]
        assert published["data"]["page_id"] == page and page.replace("-", "") in published["text"]

        markdown = client.get(f"/api/incidents/{incident_id}/postmortem", headers=auth).json()["markdown"]
        edited = markdown.replace("the payment key expired", "the payment provider key expired unnoticed")
        saved = client.put(
            f"/api/incidents/{incident_id}/postmortem", json={"markdown": edited, "author": "alice"}, headers=auth
        )
        assert saved.status_code == 200
        warroom.scheduler.run_pending()
        assert _pages(notion, parent) == [page]
        assert ("paragraph", "the payment provider key expired unnoticed") in notion.text(page)
        assert ("paragraph", "the payment key expired") not in notion.text(page)
        timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
        assert sum(e["kind"] == "postmortem_published" for e in timeline) == 1
    finally:
        client.close()
        warroom.close()


def test_a_notion_outage_is_retried_and_never_makes_a_second_page(settings, clock, auth, notion):
    parent = notion.add_page("Postmortems")
    notion.fail_next(2, status=503, code="service_unavailable")
    warroom, client, incident_id = _resolved(settings, clock, notion, auth, parent)
    try:
        for _ in range(3):
            clock.advance(timedelta(seconds=10))
            warroom.scheduler.run_pending()
        assert len(_pages(notion, parent)) == 1
        with warroom.engine.connect() as conn:
            [row] = conn.execute(OUTBOX.select().where(OUTBOX.c.kind == "postmortem.publish")).all()
        assert (row.state, row.attempts) == ("sent", 3)
    finally:
        client.close()
        warroom.close()


def test_without_notion_the_postmortem_stays_in_the_built_in_editor(settings, clock, auth):
    warroom, client, incident_id = _resolved(settings, clock, None, auth)
    try:
        assert client.get(f"/api/incidents/{incident_id}/postmortem", headers=auth).status_code == 200
        with warroom.engine.connect() as conn:
            assert conn.execute(OUTBOX.select().where(OUTBOX.c.kind == "postmortem.publish")).all() == []
        assert "built-in editor" in warroom.defaults["postmortems"]
    finally:
        client.close()
        warroom.close()


def test_a_credential_in_the_alert_s_title_is_not_in_the_notion_page_s_title(settings, clock, auth, notion):
    parent = notion.add_page("Postmortems")
    settings = settings.model_copy(update={"notion_token": SecretStr(notion.token), "notion_parent_page_id": parent})
    warroom = Warroom.build(settings, clock, transport=notion.transport)
    client = TestClient(create_app(warroom, run_worker=False))
    key = "AKIA" + "IOSFODNN7EXAMPLE"
    try:
        alert = {"title": f"IAM key {key} exposed: customer data exported", "level": "critical", "dedup_key": "n:key"}
        incident_id = client.post("/api/alerts", json=alert, headers=auth).json()["incident_id"]
        warroom.scheduler.run_pending()
        client.post(f"/api/incidents/{incident_id}/notes", json={"text": "cause: a key in a public repo"}, headers=auth)
        client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "alice"}, headers=auth)
        warroom.scheduler.run_pending()

        [page] = _pages(notion, parent)
        assert key not in notion.title(page) and key not in str(notion.text(page))
        assert "[redacted AWS Access Key]" in notion.title(page)
    finally:
        client.close()
        warroom.close()
