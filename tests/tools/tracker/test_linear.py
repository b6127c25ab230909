"""Linear through its real client against a fake that executes every request on Linear's schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from graphql import parse, validate
from sqlalchemy import select

import tools.tracker.linear as linear_module
from tests.fakes.linear_server import FakeLinear, linear_schema
from tests.tools.tracker.conftest import OWNER_EMAIL, ticket_request
from tools.tracker.linear import DOCUMENTS, LinearTracker, linear_id
from tools.tracker.port import FOLLOW_UP_LABEL, TicketState, TrackerError
from warroom.clock import FakeClock
from warroom.db import make_engine, table_of
from warroom.migrations import upgrade
from warroom.outbox.store import OutboxItem, enqueue
from warroom.outbox.tables import OutboxRow
from warroom.outbox.worker import OutboxWorker
from warroom.severity import Severity


@pytest.fixture
def fake() -> Iterator[FakeLinear]:
    fake = FakeLinear()
    fake.add_user(OWNER_EMAIL, "Dana Lee")
    yield fake
    assert fake.violations == []


@pytest.fixture
def linear(fake: FakeLinear) -> LinearTracker:
    return LinearTracker(httpx.Client(transport=fake.transport), fake.api_key, fake.team_id, api_url=fake.url)


def _operations(fake: FakeLinear) -> list[str]:
    return [r.body["operationName"] for r in fake.requests]


def test_every_document_the_client_can_send_fits_linears_schema() -> None:
    defined = {
        name: value
        for name, value in vars(linear_module).items()
        if isinstance(value, str) and value.lstrip().startswith(("query ", "mutation "))
    }
    assert set(defined.values()) <= set(DOCUMENTS), "a document the client defines is missing from DOCUMENTS"
    for document in DOCUMENTS:
        assert validate(linear_schema(), parse(document)) == [], document


def test_the_fake_refuses_a_document_that_does_not_fit_the_schema(fake: FakeLinear) -> None:
    client = httpx.Client(transport=fake.transport)
    body = {"query": "query Bad { issues { nodes { id colour } } }", "operationName": "Bad"}
    answer = client.post(fake.url, json=body, headers={"Authorization": fake.api_key})

    assert answer.status_code == 400
    assert fake.violations == ["Bad: Cannot query field 'colour' on type 'Issue'."]
    fake.violations.clear()


def test_create_files_an_issue_for_the_team_with_owner_due_priority_label_and_links(
    fake: FakeLinear, linear: LinearTracker
) -> None:
    ticket = linear.create_ticket(ticket_request())

    issue = fake.issues[ticket.id]
    assert issue["team"]["id"] == fake.team_id
    assert issue["title"] == "Fix the checkout root cause: connection pool exhausted under retries"
    assert issue["assignee"]["email"] == OWNER_EMAIL
    assert (issue["dueDate"], issue["priority"]) == ("2026-12-04", 1)
    assert [fake.labels[i]["name"] for i in issue["labelIds"]] == [FOLLOW_UP_LABEL]
    assert "[postmortem of incident #12](https://warroom.acme.example/incidents/12/postmortem)" in issue["description"]
    assert issue["description"].startswith("Cap retries on the payment client.")
    assert (ticket.identifier, ticket.state, ticket.assignee) == ("ENG-1", TicketState.OPEN, OWNER_EMAIL)
    assert ticket.url.startswith("https://linear.app/acme/issue/ENG-1/")
    assert fake.requests[0].headers["authorization"] == fake.api_key


@pytest.mark.parametrize(
    ("severity", "priority"), [(Severity.P0, 1), (Severity.P1, 2), (Severity.P2, 3), (Severity.P3, 4)]
)
def test_an_items_priority_becomes_linears_urgent_high_medium_low(
    fake: FakeLinear, linear: LinearTracker, severity: Severity, priority: int
) -> None:
    ticket = linear.create_ticket(ticket_request(priority=severity))

    assert fake.issues[ticket.id]["priority"] == priority


def test_an_owner_linear_does_not_know_leaves_the_issue_unassigned(fake: FakeLinear, linear: LinearTracker) -> None:
    ticket = linear.create_ticket(ticket_request(owner_email="someone@elsewhere.example"))

    assert fake.issues[ticket.id]["assignee"] is None
    assert ticket.assignee is None


def test_users_and_the_label_are_looked_up_once_per_client(fake: FakeLinear, linear: LinearTracker) -> None:
    for n in range(1, 4):
        linear.create_ticket(ticket_request(key=f"incident:12:action:{n}"))

    operations = _operations(fake)
    assert operations.count("UserByEmail") == 1
    assert operations.count("LabelsByName") == 1
    assert operations.count("LabelCreate") == 1
    assert [label["name"] for label in fake.labels.values()] == [FOLLOW_UP_LABEL]
    assert len(fake.issues) == 3


def test_an_existing_label_is_used_and_a_workspace_one_only_when_the_team_has_none(
    fake: FakeLinear, linear: LinearTracker
) -> None:
    fake.add_label(FOLLOW_UP_LABEL, team=False)
    team_label = fake.add_label(FOLLOW_UP_LABEL)

    ticket = linear.create_ticket(ticket_request())

    assert fake.issues[ticket.id]["labelIds"] == [team_label]
    assert "LabelCreate" not in _operations(fake)


def test_a_label_another_worker_created_meanwhile_is_found_not_duplicated(
    fake: FakeLinear, linear: LinearTracker
) -> None:
    fake.before_next("LabelCreate", lambda: fake.add_label(FOLLOW_UP_LABEL))

    ticket = linear.create_ticket(ticket_request())

    (label,) = fake.labels
    assert fake.issues[ticket.id]["labelIds"] == [label]
    assert _operations(fake).count("LabelsByName") == 2


def test_the_issue_id_is_a_v4_uuid_fixed_by_the_items_key() -> None:
    first = linear_id("incident:12:action:1")

    assert first == linear_id("incident:12:action:1")
    assert first != linear_id("incident:12:action:2")
    assert uuid.UUID(first).version == 4


def test_a_create_whose_answer_was_lost_is_found_again_not_filed_twice(fake: FakeLinear, linear: LinearTracker) -> None:
    fake.lose_next_answer("TicketCreate")
    with pytest.raises(TrackerError) as lost:
        linear.create_ticket(ticket_request())
    assert lost.value.retryable

    again = linear.create_ticket(ticket_request())

    assert list(fake.issues) == [again.id] == [linear_id("incident:12:action:1")]
    assert again.identifier == "ENG-1"


def test_a_second_client_asking_for_the_same_item_gets_the_same_issue(fake: FakeLinear, linear: LinearTracker) -> None:
    first = linear.create_ticket(ticket_request())
    other = LinearTracker(httpx.Client(transport=fake.transport), fake.api_key, fake.team_id, api_url=fake.url)

    assert other.create_ticket(ticket_request()) == first
    assert len(fake.issues) == 1


@pytest.mark.parametrize(
    ("state_type", "state"),
    [
        ("triage", TicketState.OPEN),
        ("backlog", TicketState.OPEN),
        ("unstarted", TicketState.OPEN),
        ("started", TicketState.IN_PROGRESS),
        ("completed", TicketState.DONE),
        ("canceled", TicketState.CANCELED),
        ("duplicate", TicketState.CANCELED),
    ],
)
def test_linears_state_types_read_as_our_ticket_states(
    fake: FakeLinear, linear: LinearTracker, state_type: str, state: TicketState
) -> None:
    ticket = linear.create_ticket(ticket_request())
    fake.set_state(ticket.id, state_type)

    assert linear.tickets([ticket.id])[ticket.id].state == state


def test_states_come_back_in_one_batch_across_pages(fake: FakeLinear, linear: LinearTracker) -> None:
    tickets = [linear.create_ticket(ticket_request(key=f"incident:12:action:{n}")) for n in range(5)]
    fake.set_state(tickets[1].id, "started")
    fake.set_state(tickets[4].id, "completed")
    fake.max_page_size = 2
    fake.requests.clear()

    found = linear.tickets([t.id for t in tickets])

    assert {t.identifier: found[t.id].state for t in tickets} == {
        "ENG-1": TicketState.OPEN,
        "ENG-2": TicketState.IN_PROGRESS,
        "ENG-3": TicketState.OPEN,
        "ENG-4": TicketState.OPEN,
        "ENG-5": TicketState.DONE,
    }
    assert _operations(fake) == ["TicketsById"] * 3
    assert [r.body["variables"]["after"] for r in fake.requests] == [None, "2", "4"]


def test_many_ids_are_asked_fifty_at_a_time_and_unknown_ones_left_out(fake: FakeLinear, linear: LinearTracker) -> None:
    ticket = linear.create_ticket(ticket_request())
    unknown = [str(uuid.uuid4()) for _ in range(119)]
    fake.requests.clear()

    found = linear.tickets([ticket.id, *unknown])

    assert list(found) == [ticket.id]
    assert [len(r.body["variables"]["ids"]) for r in fake.requests] == [50, 50, 20]


def test_a_comment_is_added_once_per_key_even_when_its_answer_was_lost(fake: FakeLinear, linear: LinearTracker) -> None:
    ticket = linear.create_ticket(ticket_request())
    fake.lose_next_answer("CommentCreate")
    with pytest.raises(TrackerError):
        linear.add_comment(ticket.id, key="reminder:2026-12-03", markdown="Due tomorrow.")

    linear.add_comment(ticket.id, key="reminder:2026-12-03", markdown="Due tomorrow.")
    linear.add_comment(ticket.id, key="escalation:2026-12-05", markdown="Overdue: escalated to the founder.")

    assert [(c["issueId"], c["body"]) for c in fake.comments.values()] == [
        (ticket.id, "Due tomorrow."),
        (ticket.id, "Overdue: escalated to the founder."),
    ]


def test_links_back_to_the_incident_and_postmortem_stay_one_attachment_per_url(
    fake: FakeLinear, linear: LinearTracker
) -> None:
    request = ticket_request()
    ticket = linear.create_ticket(request)
    assert request.postmortem_url is not None

    for _ in range(2):
        linear.add_link(ticket.id, url=request.incident_url, title="Incident #12")
        linear.add_link(ticket.id, url=request.postmortem_url, title="Postmortem of incident #12")

    assert sorted(a["title"] for a in fake.attachments.values()) == ["Incident #12", "Postmortem of incident #12"]


def test_a_rate_limit_is_a_retryable_error_carrying_retry_after(fake: FakeLinear, linear: LinearTracker) -> None:
    fake.fail_next(status=429, retry_after=42)

    with pytest.raises(TrackerError) as refused:
        linear.create_ticket(ticket_request())

    assert (refused.value.status, refused.value.retry_after, refused.value.retryable) == (429, 42.0, True)
    assert "Rate limit exceeded" in str(refused.value)
    assert fake.issues == {}


def test_a_ratelimited_error_under_http_400_is_still_a_rate_limit(fake: FakeLinear, linear: LinearTracker) -> None:
    fake.fail_next(status=400, retry_after=5, error_type="ratelimited")

    with pytest.raises(TrackerError) as refused:
        linear.create_ticket(ticket_request())

    assert (refused.value.status, refused.value.retry_after, refused.value.retryable) == (429, 5.0, True)


def test_a_server_error_is_retryable(fake: FakeLinear, linear: LinearTracker) -> None:
    fake.fail_next(status=500, retry_after=None, operation="TicketCreate")

    with pytest.raises(TrackerError) as failed:
        linear.create_ticket(ticket_request())

    assert (failed.value.status, failed.value.retryable) == (500, True)


def test_a_bad_api_key_is_a_permanent_error_that_says_so(fake: FakeLinear) -> None:
    linear = LinearTracker(httpx.Client(transport=fake.transport), "lin_api_revoked", fake.team_id, api_url=fake.url)

    with pytest.raises(TrackerError) as refused:
        linear.create_ticket(ticket_request())

    assert (refused.value.status, refused.value.retryable) == (401, False)
    assert "Authentication required" in str(refused.value)


def test_an_unknown_team_is_a_permanent_error_naming_the_team(fake: FakeLinear) -> None:
    fake.add_label(FOLLOW_UP_LABEL, team=False)
    wrong_team = "00000000-0000-4000-8000-000000000000"
    linear = LinearTracker(httpx.Client(transport=fake.transport), fake.api_key, wrong_team, api_url=fake.url)

    with pytest.raises(TrackerError) as refused:
        linear.create_ticket(ticket_request())

    assert (refused.value.status, refused.value.retryable) == (400, False)
    assert "Team" in str(refused.value) and wrong_team in str(refused.value)


def test_the_outbox_waits_out_a_rate_limit_and_keeps_a_refused_key_visible(
    tmp_path: Path, fake: FakeLinear, linear: LinearTracker
) -> None:
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    upgrade(url)
    engine, clock = make_engine(url), FakeClock()
    worker = OutboxWorker(engine, clock)
    revoked = LinearTracker(httpx.Client(transport=fake.transport), "lin_api_revoked", fake.team_id, api_url=fake.url)

    def file_ticket(item: OutboxItem) -> dict[str, str]:
        tracker = revoked if item.payload["revoked"] else linear
        return {"ticket": tracker.create_ticket(ticket_request(key=item.idempotency_key)).id}

    worker.register("tracker.create", file_ticket)
    with engine.begin() as conn:
        enqueue(conn, key="incident:12:action:1", kind="tracker.create", payload={"revoked": False}, now=clock.now())
        enqueue(conn, key="incident:12:action:2", kind="tracker.create", payload={"revoked": True}, now=clock.now())
    fake.fail_next(status=429, retry_after=30, operation="UserByEmail")

    worker.run_due()
    clock.advance(timedelta(seconds=29))
    assert worker.run_due() == 0
    clock.advance(timedelta(seconds=1))
    worker.run_due()

    outbox = table_of(OutboxRow)
    with engine.connect() as conn:
        rows = {r.idempotency_key: r for r in conn.execute(select(outbox))}
    assert rows["incident:12:action:1"].state == "sent"
    assert rows["incident:12:action:2"].state == "failed"
    assert (
        "401" in rows["incident:12:action:2"].last_error and "Authentication" in rows["incident:12:action:2"].last_error
    )
    assert len(fake.issues) == 1
