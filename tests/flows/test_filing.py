"""The COO's first duty: every action item of a postmortem becomes one ticket in the configured
tracker, exactly once, through the outbox. Against a fake Linear that executes each request on
Linear's published schema, and against the built-in table (the default)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.composition import Warroom
from tests.conftest import open_outage
from tests.fakes.linear_server import FakeLinear
from warroom.outbox import store as outbox
from warroom.settings import Person, Settings

DANA = "dana@acme.example"


def _resolve(client: TestClient, warroom: Warroom, auth: dict[str, str], incident_id: int) -> list[dict]:
    note = {"author": "Dana Reyes", "text": "cause: a bad deploy\naction: add a contract test for the order payload"}
    client.post(f"/api/incidents/{incident_id}/notes", json=note, headers=auth)
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "Dana Reyes"}, headers=auth)
    warroom.scheduler.run_pending()
    items = client.get("/api/action-items", params={"incident_id": incident_id}, headers=auth).json()
    assert len(items) >= 2
    return items


def test_the_built_in_tracker_files_each_item_as_its_own_ticket_once(client, warroom, clock, auth):
    incident_id = open_outage(client, warroom, clock)
    items = _resolve(client, warroom, auth, incident_id)
    assert all(i["tracker_ref"] and i["tracker_ref"].startswith(f"AI-{i['id']} ") for i in items)
    timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
    filed = [e for e in timeline if e["text"].startswith("Action item filed in builtin as AI-")]
    assert len(filed) == len(items)


@pytest.fixture
def linear() -> Iterator[FakeLinear]:
    fake = FakeLinear()
    fake.add_user(DANA, "Dana Reyes")
    yield fake
    assert fake.violations == []


@pytest.fixture
def linear_warroom(settings: Settings, clock, linear: FakeLinear) -> Iterator[tuple[Warroom, TestClient]]:
    configured = settings.model_copy(
        update={
            "linear_api_key": SecretStr(linear.api_key),
            "linear_team_id": linear.team_id,
            "linear_api_url": linear.url,
            "on_call": Person(name="Dana Reyes", email=DANA),
        }
    )
    warroom = Warroom.build(configured, clock, transport=linear.transport)
    with TestClient(create_app(warroom, run_worker=False)) as client:
        yield warroom, client
    warroom.close()


def test_each_action_item_becomes_one_linear_issue_with_owner_due_date_and_priority(
    linear_warroom, linear, clock, auth
):
    warroom, client = linear_warroom
    incident_id = open_outage(client, warroom, clock)
    items = _resolve(client, warroom, auth, incident_id)

    assert len(linear.issues) == len(items)
    by_title = {i["title"]: i for i in linear.issues.values()}
    for item in items:
        issue = by_title[item["title"]]
        assert item["tracker_ref"] == f"{issue['identifier']} {issue['url']}"
        assert issue["dueDate"] == item["due"][:10]
    assert any(i["assignee"] and i["assignee"]["email"] == DANA for i in linear.issues.values())
    assert all(i["priority"] in (1, 2, 3, 4) for i in linear.issues.values())


def test_a_refusing_linear_is_retried_and_a_repeated_filing_makes_no_second_issue(linear_warroom, linear, clock, auth):
    warroom, client = linear_warroom
    incident_id = open_outage(client, warroom, clock)
    linear.fail_next(1, status=429, retry_after=30)
    items = _resolve(client, warroom, auth, incident_id)
    with warroom.engine.connect() as conn:
        rows = [r for r in outbox.list_rows(conn, incident_id=incident_id) if r.kind == "tracker.file"]
    assert any(r.state == "pending" and r.attempts == 1 for r in rows), "the refused filing waits to be retried"
    clock.advance(timedelta(seconds=31))
    warroom.scheduler.run_pending()
    assert len(linear.issues) == len(items)

    with warroom.engine.begin() as conn:  # a human sends every filing again (as after a lost answer)
        for row in rows:
            outbox.mark_failed(conn, row.id, "a human asked to file it again")
            assert outbox.retry(conn, row.id, clock.now())
    warroom.scheduler.run_pending()
    assert len(linear.issues) == len(items), "filing is idempotent by the item's key"


def test_ticket_states_are_read_back_on_schedule_and_on_demand(linear_warroom, linear, clock, auth):
    warroom, client = linear_warroom
    incident_id = open_outage(client, warroom, clock)
    items = _resolve(client, warroom, auth, incident_id)
    by_title = {i["title"]: i for i in linear.issues.values()}
    first, second = items[0], items[1]
    linear.set_state(by_title[first["title"]]["id"], "completed")
    linear.set_state(by_title[second["title"]]["id"], "started")

    clock.advance(timedelta(minutes=warroom.settings.ticket_sync_minutes + 1))
    warroom.scheduler.run_pending()  # the scheduled sync
    states = {i["id"]: i["status"] for i in client.get("/api/action-items", headers=auth).json()}
    assert states[first["id"]] == "done" and states[second["id"]] == "in_progress"
    timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
    assert sum(" is done in linear" in e["text"] for e in timeline) == 1

    linear.set_state(by_title[second["title"]]["id"], "canceled")
    synced = client.post("/api/action-items/sync", headers=auth).json()
    assert synced["changed"] == 1 and synced["checked"] == len(items) - 1
    assert client.post("/api/action-items/sync", headers=auth).json()["changed"] == 0


def test_the_weekly_digest_counts_items_by_state_names_the_overdue_and_is_mailed_on_monday(linear_warroom, clock, auth):
    warroom, client = linear_warroom
    incident_id = open_outage(client, warroom, clock)
    client.post(f"/api/incidents/{incident_id}/acknowledge", json={"actor": "dana"}, headers=auth)
    items = _resolve(client, warroom, auth, incident_id)
    client.post(f"/api/action-items/{items[0]['id']}/complete", headers=auth)

    digest = client.get("/api/action-items/digest", headers=auth).json()
    assert digest["incidents"] == 1 and digest["by_severity"] == {"P0": 1}
    assert digest["closed"] == 1 and digest["open"] == len(items) - 1 and digest["overdue"] == []
    assert (
        f"Action items from 1 past incident: 1 closed, 0 in progress, {len(items) - 1} open and not started, 0 overdue"
        in digest["text"]
    )

    clock.advance(timedelta(days=40))  # every open item is past due by now
    later = client.get("/api/action-items/digest", params={"days": 60}, headers=auth).json()
    assert len(later["overdue"]) == len(items) - 1
    assert len([line for line in later["text"].splitlines() if line.startswith("- OVERDUE")]) == len(items) - 1

    warroom.scheduler.run_pending()  # the Monday 09:00 digest queued at resolution has come due
    mails = [m.read_text() for m in (warroom.settings.data_dir / "outbox-email").glob("*.eml")]
    [mail] = [m for m in mails if "warroom weekly digest" in m]
    assert f"To: {DANA}" in mail and "Action items from 1 past incident" in mail


@pytest.fixture
def chased_warroom(settings: Settings, clock) -> Iterator[tuple[Warroom, TestClient]]:
    configured = settings.model_copy(
        update={
            "on_call": Person(name="Dana Reyes", email=DANA),
            "escalation": [Person(name="Fay Founder", email="fay@acme.example")],
        }
    )
    warroom = Warroom.build(configured, clock)
    with TestClient(create_app(warroom, run_worker=False)) as client:
        yield warroom, client
    warroom.close()


def _mails(warroom: Warroom) -> list[str]:
    return [m.read_text() for m in (warroom.settings.data_dir / "outbox-email").glob("*.eml")]


def test_owners_are_reminded_the_day_before_and_an_overdue_p0_item_goes_to_the_founder_once_a_day(
    chased_warroom, clock, auth
):
    warroom, client = chased_warroom
    incident_id = open_outage(client, warroom, clock)
    items = _resolve(client, warroom, auth, incident_id)
    mine = [i for i in items if i["owner"].startswith("Dana Reyes") and i["priority"] in ("P0", "P1")]
    assert mine, items
    item = min(mine, key=lambda i: i["due"])
    due = datetime.fromisoformat(item["due"])

    clock.advance(due - clock.now() - timedelta(hours=20))
    warroom.scheduler.run_pending()
    clock.advance(timedelta(minutes=30))
    warroom.scheduler.run_pending()  # a second sync the same day reminds nobody again
    tomorrow = [m for m in _mails(warroom) if f"Subject: Due tomorrow: {item['title']}" in m]
    assert len(tomorrow) == 1 and f"To: {DANA}" in tomorrow[0]

    clock.advance((due + timedelta(days=1)).replace(hour=10, minute=0) - clock.now())  # overdue, mid-morning
    warroom.scheduler.run_pending()
    clock.advance(timedelta(hours=1))
    warroom.scheduler.run_pending()
    overdue = [m for m in _mails(warroom) if "Subject: OVERDUE" in m and item["title"] in m]
    assert sorted(m.split("To: ", 1)[1].split("\n", 1)[0].strip() for m in overdue) == sorted(
        [DANA, "fay@acme.example"]
    )
    clock.advance(timedelta(days=1))
    warroom.scheduler.run_pending()
    assert (
        len([m for m in _mails(warroom) if "Subject: OVERDUE" in m and item["title"] in m]) == 4
    )  # once more, a day later
