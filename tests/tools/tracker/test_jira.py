"""Jira Cloud through its real client against a fake that checks every request against
Atlassian's REST v3 OpenAPI and the ADF schema."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from tests.fakes.jira_server import FakeJira
from tests.tools.tracker.conftest import OWNER_EMAIL, ticket_request
from tools.tracker.adf import adf_text
from tools.tracker.jira import JiraTracker, key_label
from tools.tracker.port import FOLLOW_UP_LABEL, TicketState, TrackerError
from warroom.severity import Severity


@pytest.fixture
def fake() -> Iterator[FakeJira]:
    fake = FakeJira()
    fake.add_user(OWNER_EMAIL, "Dana Lee")
    yield fake
    assert fake.violations == []


def _jira(fake: FakeJira, *, issue_type: str = "Task", priorities: dict[Severity, str] | None = None) -> JiraTracker:
    client = httpx.Client(transport=fake.transport)
    return JiraTracker(
        client, fake.site, fake.email, fake.api_token, "OPS", issue_type=issue_type, priorities=priorities
    )


@pytest.fixture
def jira(fake: FakeJira) -> JiraTracker:
    return _jira(fake)


def _calls(fake: FakeJira) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests]


def test_create_files_a_task_in_the_project_with_owner_due_priority_labels_and_adf_description(
    fake: FakeJira, jira: JiraTracker
) -> None:
    ticket = jira.create_ticket(ticket_request())

    fields = fake.issues[ticket.id]["fields"]
    assert (fields["project"], fields["issuetype"]) == ({"key": "OPS"}, {"name": "Task"})
    assert fields["summary"] == "Fix the checkout root cause: connection pool exhausted under retries"
    assert (fields["duedate"], fields["priority"]) == ("2026-12-04", {"name": "Highest"})
    assert fields["labels"] == [FOLLOW_UP_LABEL, key_label("incident:12:action:1")]
    assert fields["assignee"]["accountId"] == fake.users[0]["accountId"]
    text = adf_text(fields["description"])
    assert text.startswith("Cap retries on the payment client.\nadd a circuit breaker\nalert on pool saturation")
    assert "Postmortem: postmortem of incident #12" in text
    links = [
        mark["attrs"]["href"]
        for block in fields["description"]["content"]
        if block["type"] == "bulletList"
        for item in block["content"]
        for node in item["content"][0]["content"]
        for mark in node.get("marks", [])
    ]
    assert links == [
        "https://warroom.acme.example/incidents/12",
        "https://warroom.acme.example/incidents/12/postmortem",
    ]
    assert (ticket.identifier, ticket.url) == ("OPS-1", "https://acme.atlassian.net/browse/OPS-1")
    assert (ticket.state, ticket.assignee, ticket.due) == (TicketState.OPEN, OWNER_EMAIL, date(2026, 12, 4))
    assert fake.requests[0].headers["authorization"].startswith("Basic ")


def test_issue_type_and_priority_names_follow_the_sites_configuration(fake: FakeJira) -> None:
    jira = _jira(fake, issue_type="Bug", priorities={Severity.P2: "Lowest"})

    ticket = jira.create_ticket(ticket_request(priority=Severity.P2))

    fields = fake.issues[ticket.id]["fields"]
    assert (fields["issuetype"], fields["priority"]) == ({"name": "Bug"}, {"name": "Lowest"})


def test_a_long_title_is_cut_to_jiras_summary_limit(fake: FakeJira, jira: JiraTracker) -> None:
    ticket = jira.create_ticket(ticket_request(title="Retry budget " * 40))

    summary = fake.issues[ticket.id]["fields"]["summary"]
    assert len(summary) == 255 and summary.endswith("…")


def test_the_owner_is_found_once_per_client_even_when_jira_hides_emails(fake: FakeJira) -> None:
    fake.users.clear()
    fake.add_user("sam@acme.example", "Sam Ortiz", email_visible=False)
    jira = _jira(fake)

    first = jira.create_ticket(ticket_request(owner_email="sam@acme.example"))
    jira.create_ticket(ticket_request(key="incident:12:action:2", owner_email="sam@acme.example"))

    assert fake.issues[first.id]["fields"]["assignee"]["accountId"] == fake.users[0]["accountId"]
    assert _calls(fake).count("GET /rest/api/3/user/search") == 1


def test_an_owner_jira_does_not_know_leaves_the_ticket_unassigned(fake: FakeJira, jira: JiraTracker) -> None:
    ticket = jira.create_ticket(ticket_request(owner_email="nobody@elsewhere.example"))

    assert fake.issues[ticket.id]["fields"]["assignee"] is None
    assert ticket.assignee is None


def test_creating_again_finds_the_ticket_by_its_key_label_instead_of_filing_another(
    fake: FakeJira, jira: JiraTracker
) -> None:
    first = jira.create_ticket(ticket_request())
    fake.requests.clear()

    again = jira.create_ticket(ticket_request())

    assert again.id == first.id and len(fake.issues) == 1
    assert _calls(fake) == ["POST /rest/api/3/search/jql"]
    assert fake.requests[0].body["jql"] == f'project = "OPS" AND labels = "{key_label("incident:12:action:1")}"'


def test_a_create_whose_answer_was_lost_is_found_by_search_before_create(fake: FakeJira, jira: JiraTracker) -> None:
    fake.lose_next_answer("POST", "/rest/api/3/issue")
    with pytest.raises(TrackerError) as lost:
        jira.create_ticket(ticket_request())
    assert lost.value.retryable

    again = jira.create_ticket(ticket_request())

    assert list(fake.issues) == [again.id]
    assert again.identifier == "OPS-1"


@pytest.mark.parametrize(
    ("status", "resolution", "state"),
    [
        ("To Do", None, TicketState.OPEN),
        ("In Progress", None, TicketState.IN_PROGRESS),
        ("Done", "Done", TicketState.DONE),
        ("Done", "Won't Do", TicketState.CANCELED),
        ("Cancelled", None, TicketState.CANCELED),
    ],
)
def test_status_categories_and_resolutions_read_as_our_ticket_states(
    fake: FakeJira, jira: JiraTracker, status: str, resolution: str | None, state: TicketState
) -> None:
    ticket = jira.create_ticket(ticket_request())
    fake.transition(ticket.id, status, resolution)

    assert jira.tickets([ticket.id])[ticket.id].state == state


def test_states_come_back_in_one_search_followed_across_pages(fake: FakeJira, jira: JiraTracker) -> None:
    tickets = [jira.create_ticket(ticket_request(key=f"incident:12:action:{n}")) for n in range(5)]
    fake.transition(tickets[0].id, "In Progress")
    fake.transition(tickets[3].id, "Done", "Done")
    fake.max_results = 2
    fake.requests.clear()

    found = jira.tickets([t.id for t in tickets])

    assert {t.identifier: found[t.id].state for t in tickets} == {
        "OPS-1": TicketState.IN_PROGRESS,
        "OPS-2": TicketState.OPEN,
        "OPS-3": TicketState.OPEN,
        "OPS-4": TicketState.DONE,
        "OPS-5": TicketState.OPEN,
    }
    bodies = [r.body for r in fake.requests]
    assert [b.get("nextPageToken") for b in bodies] == [None, "2", "4"]
    assert {b["jql"] for b in bodies} == {f"id in ({', '.join(t.id for t in tickets)})"}
    assert found[tickets[0].id].assignee == OWNER_EMAIL


def test_ids_that_are_not_jira_issue_ids_are_refused_before_any_jql_is_written(jira: JiraTracker) -> None:
    with pytest.raises(ValueError):
        jira.tickets(["10001) OR project = SECRET"])


def test_a_comment_is_added_once_per_key_even_when_its_answer_was_lost(fake: FakeJira, jira: JiraTracker) -> None:
    ticket = jira.create_ticket(ticket_request())
    fake.lose_next_answer("POST", f"/rest/api/3/issue/{ticket.id}/comment")
    with pytest.raises(TrackerError):
        jira.add_comment(ticket.id, key="reminder:2026-12-03", markdown="Due **tomorrow**.")

    jira.add_comment(ticket.id, key="reminder:2026-12-03", markdown="Due **tomorrow**.")
    jira.add_comment(ticket.id, key="escalation:2026-12-05", markdown="Overdue: escalated to the founder.")

    comments = [adf_text(c["body"]) for c in fake.issues[ticket.id]["fields"]["comment"]["comments"]]
    assert comments == [
        f"Due **tomorrow**.\n{key_label(f'{ticket.id}:reminder:2026-12-03')}",
        f"Overdue: escalated to the founder.\n{key_label(f'{ticket.id}:escalation:2026-12-05')}",
    ]


def test_links_back_are_remote_links_upserted_on_their_global_id(fake: FakeJira, jira: JiraTracker) -> None:
    request = ticket_request()
    ticket = jira.create_ticket(request)
    assert request.postmortem_url is not None

    for _ in range(2):
        jira.add_link(ticket.id, url=request.incident_url, title="Incident #12")
        jira.add_link(ticket.id, url=request.postmortem_url, title="Postmortem of incident #12")

    assert sorted(link["object"]["title"] for link in fake.remote_links.values()) == [
        "Incident #12",
        "Postmortem of incident #12",
    ]


def test_a_rate_limit_is_a_retryable_error_carrying_retry_after(fake: FakeJira, jira: JiraTracker) -> None:
    fake.fail_next(status=429, retry_after=13, path="/rest/api/3/search/jql")

    with pytest.raises(TrackerError) as refused:
        jira.create_ticket(ticket_request())

    assert (refused.value.status, refused.value.retry_after, refused.value.retryable) == (429, 13.0, True)
    assert fake.issues == {}


def test_a_bad_token_is_a_permanent_error_that_says_so(fake: FakeJira) -> None:
    jira = JiraTracker(httpx.Client(transport=fake.transport), fake.site, fake.email, "revoked", "OPS")

    with pytest.raises(TrackerError) as refused:
        jira.create_ticket(ticket_request())

    assert (refused.value.status, refused.value.retryable) == (401, False)
    assert "must be authenticated" in str(refused.value)


def test_an_unknown_project_is_a_permanent_error_naming_it(fake: FakeJira) -> None:
    jira = JiraTracker(httpx.Client(transport=fake.transport), fake.site, fake.email, fake.api_token, "NOPE")

    with pytest.raises(TrackerError) as refused:
        jira.create_ticket(ticket_request())

    assert (refused.value.status, refused.value.retryable) == (400, False)
    assert "'NOPE' does not exist for the field 'project'" in str(refused.value)
