from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.notion_server import FakeNotion
from tests.fakes.spec import load_spec, spec_payload
from tools.notion import NOTION_VERSION, Notion, NotionError
from tools.notion_markdown import markdown_to_blocks

FIRST = """# Postmortem: checkout

## Summary

Checkout failed for **47 minutes**.

## Timeline

| time | what |
|---|---|
| 02:00 | alert fired |
| 02:47 | resolved |

## Action items

- [ ] add an expiry alert for provider keys
"""

SECOND = """# Postmortem: checkout

## Summary

The payment provider key expired; checkout failed for 47 minutes.

## Five whys

1. Why did checkout fail? The provider answered 401.
"""


@pytest.fixture
def fake() -> Iterator[FakeNotion]:
    fake = FakeNotion()
    yield fake
    assert fake.violations == []


@pytest.fixture
def parent(fake: FakeNotion) -> str:
    return fake.add_page("Postmortems")


@pytest.fixture
def notion(fake: FakeNotion) -> Notion:
    return Notion(httpx.Client(base_url="https://api.notion.com", transport=fake.transport), fake.token)


def test_create_page_under_the_parent_with_title_and_content(fake: FakeNotion, notion: Notion, parent: str) -> None:
    page = notion.create_page(parent, "Postmortem #7: checkout", markdown_to_blocks(FIRST))

    assert fake.text(parent) == [("child_page", "Postmortem #7: checkout")]
    assert fake.text(page.id)[:4] == [
        ("heading_1", "Postmortem: checkout"),
        ("heading_2", "Summary"),
        ("paragraph", "Checkout failed for 47 minutes."),
        ("heading_2", "Timeline"),
    ]
    [table] = [block for block in fake.listed(page.id) if block.type == "table"]
    assert fake.text(table.id) == [
        ("table_row", "time | what"),
        ("table_row", "02:00 | alert fired"),
        ("table_row", "02:47 | resolved"),
    ]
    assert page.url and page.id.replace("-", "") in page.url
    request = fake.requests[0]
    assert (request.method, request.path) == ("POST", "/v1/pages")
    assert request.headers["authorization"] == f"Bearer {fake.token}"
    assert request.headers["notion-version"] == NOTION_VERSION


def test_publish_again_updates_the_same_page_in_place(fake: FakeNotion, notion: Notion, parent: str) -> None:
    first = notion.publish(parent, "Postmortem #7: checkout", markdown_to_blocks(FIRST))
    old_ids = {block.id for block in fake.listed(first.id)}

    second = notion.publish(parent, "Postmortem #7: checkout", markdown_to_blocks(SECOND))

    assert second.id == first.id
    assert fake.text(parent) == [("child_page", "Postmortem #7: checkout")]
    assert fake.text(first.id) == [
        ("heading_1", "Postmortem: checkout"),
        ("heading_2", "Summary"),
        ("paragraph", "The payment provider key expired; checkout failed for 47 minutes."),
        ("heading_2", "Five whys"),
        ("numbered_list_item", "Why did checkout fail? The provider answered 401."),
    ]
    assert all(fake.blocks[old].in_trash for old in old_ids)


def test_publish_with_a_known_page_id_retitles_it(fake: FakeNotion, notion: Notion, parent: str) -> None:
    page = notion.publish(parent, "Postmortem #7: checkout", markdown_to_blocks(FIRST))

    again = notion.publish(parent, "Postmortem #7: checkout failing", markdown_to_blocks(SECOND), page_id=page.id)

    assert again.id == page.id
    assert fake.title(page.id) == "Postmortem #7: checkout failing"
    assert len(fake.listed(parent)) == 1


def test_replace_keeps_child_pages_someone_made_inside(fake: FakeNotion, notion: Notion, parent: str) -> None:
    page = notion.create_page(parent, "Postmortem #7", markdown_to_blocks(FIRST))
    notes = notion.create_page(page.id, "Follow-up notes", [])

    notion.replace_content(page.id, "Postmortem #7", markdown_to_blocks(SECOND))

    assert ("child_page", "Follow-up notes") in fake.text(page.id)
    assert not fake.blocks[notes.id].in_trash


def test_more_than_100_blocks_go_in_chunks_and_are_read_back_past_one_page(
    fake: FakeNotion, notion: Notion, parent: str
) -> None:
    markdown = "\n\n".join(f"paragraph {n}" for n in range(250))

    page = notion.create_page(parent, "Long", markdown_to_blocks(markdown))

    assert [text for _, text in fake.text(page.id)] == [f"paragraph {n}" for n in range(250)]
    sizes = [len(r.body["children"]) for r in fake.requests if r.body and "children" in r.body]
    assert sizes == [100, 100, 50]
    assert len(notion.children(page.id)) == 250
    cursors = [r.query.get("start_cursor") for r in fake.requests if r.method == "GET"]
    assert cursors[0] is None and all(cursors[1:]) and len(cursors) == 3


def test_a_long_timeline_stays_under_1000_elements_a_request(fake: FakeNotion, notion: Notion, parent: str) -> None:
    rows = "".join(f"| 02:{n % 60:02d} | event {n} |\n" for n in range(1100))

    page = notion.create_page(parent, "Busy", markdown_to_blocks("| time | what |\n|---|---|\n" + rows))

    tables = fake.listed(page.id)
    assert sum(len(fake.listed(t.id)) - 1 for t in tables) == 1100
    assert len([r for r in fake.requests if r.body and "children" in r.body]) == 2


def test_long_text_is_split_so_notion_accepts_it(fake: FakeNotion, notion: Notion, parent: str) -> None:
    long = "the queue backed up " * 600

    page = notion.create_page(parent, "Wordy", markdown_to_blocks(long))

    [(kind, text)] = fake.text(page.id)
    assert (kind, text) == ("paragraph", long.strip())
    assert len(fake.listed(page.id)[0].content["rich_text"]) == 6


def test_rate_limit_is_a_retryable_error_with_retry_after(fake: FakeNotion, notion: Notion, parent: str) -> None:
    fake.fail_next(retry_after=7)

    with pytest.raises(NotionError) as raised:
        notion.create_page(parent, "Postmortem #7", markdown_to_blocks(FIRST))

    error = raised.value
    assert (error.status, error.code, error.retry_after, error.retryable) == (429, "rate_limited", 7.0, True)
    assert fake.listed(parent) == []


@pytest.mark.parametrize(
    "status, code", [(529, "service_overload"), (503, "service_unavailable"), (409, "conflict_error")]
)
def test_overload_unavailable_and_conflict_are_retryable(
    fake: FakeNotion, notion: Notion, parent: str, status: int, code: str
) -> None:
    fake.fail_next(status=status, code=code)

    with pytest.raises(NotionError) as raised:
        notion.children(parent)

    assert (raised.value.status, raised.value.code, raised.value.retryable) == (status, code, True)


def test_a_publish_cut_short_is_finished_by_the_next(fake: FakeNotion, notion: Notion, parent: str) -> None:
    page = notion.publish(parent, "Postmortem #7", markdown_to_blocks(FIRST))
    third = fake.listed(page.id)[2].id
    fake.fail_next(status=503, code="service_unavailable", only=f"/v1/blocks/{third}")

    with pytest.raises(NotionError) as raised:
        notion.publish(parent, "Postmortem #7", markdown_to_blocks(SECOND))
    assert raised.value.retryable and len(fake.listed(page.id)) == len(markdown_to_blocks(FIRST)) - 2

    notion.publish(parent, "Postmortem #7", markdown_to_blocks(SECOND))

    assert [kind for kind, _ in fake.text(page.id)] == [block["type"] for block in markdown_to_blocks(SECOND)]


def test_unknown_page_is_permanent_with_notions_code_and_message(notion: Notion) -> None:
    with pytest.raises(NotionError) as raised:
        notion.create_page("6f1c1f35-56c5-4a3c-9a55-0e4c0b6a8a11", "Postmortem", [])

    error = raised.value
    assert (error.status, error.code, error.retryable) == (404, "object_not_found", False)
    assert "Could not find block" in str(error)


def test_bad_token_is_permanent_and_never_shows_the_token(fake: FakeNotion, parent: str) -> None:
    client = httpx.Client(base_url="https://api.notion.com", transport=fake.transport)

    with pytest.raises(NotionError) as raised:
        Notion(client, "ntn_wrong_secret").children(parent)

    assert (raised.value.status, raised.value.code, raised.value.retryable) == (401, "unauthorized", False)
    assert "ntn_wrong_secret" not in str(raised.value)


def test_unreachable_notion_is_retryable(fake: FakeNotion) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(base_url="https://api.notion.com", transport=httpx.MockTransport(refuse))

    with pytest.raises(NotionError) as raised:
        Notion(client, fake.token).children("abc")

    assert (raised.value.status, raised.value.retryable) == (None, True)


def test_parent_id_without_dashes_as_copied_from_a_notion_url(fake: FakeNotion, notion: Notion, parent: str) -> None:
    page = notion.publish(parent.replace("-", ""), "Postmortem #7", markdown_to_blocks(FIRST))

    assert fake.text(parent) == [("child_page", "Postmortem #7")]
    assert notion.publish(parent.replace("-", ""), "Postmortem #7", []).id == page.id


def test_fake_refuses_a_request_outside_the_spec(fake: FakeNotion, parent: str) -> None:
    client = httpx.Client(base_url="https://api.notion.com", transport=fake.transport)

    no_version = client.get(f"/v1/blocks/{parent}/children", headers={"Authorization": f"Bearer {fake.token}"})
    too_long = client.patch(
        f"/v1/blocks/{parent}/children",
        headers={"Authorization": f"Bearer {fake.token}", "Notion-Version": NOTION_VERSION},
        json={"children": [{"paragraph": {"rich_text": [{"text": {"content": "x" * 2001}}]}}]},
    )

    assert (no_version.status_code, no_version.json()["code"]) == (400, "missing_version")
    assert (too_long.status_code, too_long.json()["code"]) == (400, "validation_error")
    assert "is too long" in too_long.json()["message"]
    assert len(fake.violations) == 2
    fake.violations.clear()


def test_pinned_version_is_the_one_the_spec_describes() -> None:
    spec = load_spec("notion-api-subset.openapi.json")

    assert spec["components"]["parameters"]["notionVersion"]["schema"]["enum"] == [NOTION_VERSION]
    assert load_spec("notion-api-summary.json")["versioning"]["latest_in_docs"] == NOTION_VERSION


@pytest.mark.parametrize("example", ["example_create_request_constructed", "example_append_request_constructed"])
def test_fake_accepts_the_documented_example_requests(fake: FakeNotion, parent: str, example: str) -> None:
    """The fake is not stricter than Notion: the summary's example requests go through."""
    request = spec_payload("notion-api-summary.json")[example]
    body = request["body"]
    if "parent" in body:
        body["parent"]["page_id"] = parent
    path = request["url"].removeprefix("https://api.notion.com").replace("<page_id>", parent)
    client = httpx.Client(base_url="https://api.notion.com", transport=fake.transport)

    response = client.request(
        request["method"],
        path,
        json=body,
        headers={"Authorization": f"Bearer {fake.token}", "Notion-Version": NOTION_VERSION},
    )

    assert response.status_code == 200, response.text
