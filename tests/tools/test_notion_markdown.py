from typing import Any

import pytest

from agents.cto.postmortem.draft import draft_postmortem, render_markdown
from tests.agents.cto.postmortem.test_draft import demo_input, same_cause_past
from tests.fakes.spec import OpenAPISpec, load_spec
from tools.notion_markdown import ITEMS_MAX, ROWS_MAX, TEXT_MAX, markdown_to_blocks, plain_rich_text

BLOCK_REQUEST = "/components/schemas/blockObjectRequest"


@pytest.fixture(scope="module")
def spec() -> OpenAPISpec:
    return OpenAPISpec(load_spec("notion-api-subset.openapi.json"))


def text(block: dict[str, Any]) -> str:
    return "".join(item["text"]["content"] for item in block[block["type"]]["rich_text"])


def kinds(blocks: list[dict[str, Any]]) -> list[str]:
    return [block["type"] for block in blocks]


def test_headings_one_to_three_and_deeper_ones_become_three() -> None:
    blocks = markdown_to_blocks("# One\n\n## Two\n\n### Three\n\n#### Four\n")

    assert kinds(blocks) == ["heading_1", "heading_2", "heading_3", "heading_3"]
    assert [text(b) for b in blocks] == ["One", "Two", "Three", "Four"]


def test_paragraph_keeps_bold_italic_strikethrough_code_and_links() -> None:
    [block] = markdown_to_blocks(
        "Rolled **back** _fast_ ~~slowly~~ with `kubectl` per [the runbook](https://ex.com/rb)."
    )

    assert block["paragraph"]["rich_text"] == [
        {"type": "text", "text": {"content": "Rolled "}},
        {"type": "text", "text": {"content": "back"}, "annotations": {"bold": True}},
        {"type": "text", "text": {"content": " "}},
        {"type": "text", "text": {"content": "fast"}, "annotations": {"italic": True}},
        {"type": "text", "text": {"content": " "}},
        {"type": "text", "text": {"content": "slowly"}, "annotations": {"strikethrough": True}},
        {"type": "text", "text": {"content": " with "}},
        {"type": "text", "text": {"content": "kubectl"}, "annotations": {"code": True}},
        {"type": "text", "text": {"content": " per "}},
        {"type": "text", "text": {"content": "the runbook", "link": {"url": "https://ex.com/rb"}}},
        {"type": "text", "text": {"content": "."}},
    ]


def test_relative_links_stay_text_because_notion_refuses_them() -> None:
    [block] = markdown_to_blocks("See [incident 3](/incidents/3).")

    assert block["paragraph"]["rich_text"] == [{"type": "text", "text": {"content": "See incident 3."}}]


def test_bullets_numbers_and_todos() -> None:
    blocks = markdown_to_blocks("- cause\n- [ ] add alert\n- [x] roll back\n\n1. first\n2. second\n")

    assert kinds(blocks) == ["bulleted_list_item", "to_do", "to_do", "numbered_list_item", "numbered_list_item"]
    assert [text(b) for b in blocks] == ["cause", "add alert", "roll back", "first", "second"]
    assert [blocks[1]["to_do"]["checked"], blocks[2]["to_do"]["checked"]] == [False, True]


def test_nested_list_becomes_children_and_depth_past_two_levels_is_flattened() -> None:
    blocks = markdown_to_blocks("- a\n  - b\n    - c\n      - d\n")

    [top] = blocks
    [child] = top["bulleted_list_item"]["children"]
    assert (text(top), text(child)) == ("a", "b")
    grandchildren = child["bulleted_list_item"]["children"]
    assert [text(g) for g in grandchildren] == ["c", "d"]
    assert all("children" not in g["bulleted_list_item"] for g in grandchildren)


def test_code_block_keeps_language_or_falls_back_to_plain_text() -> None:
    blocks = markdown_to_blocks("```py\nprint(1)\n```\n\n```weird\nx\n```\n\n```\nraw\n```\n")

    assert [(b["code"]["language"], text(b)) for b in blocks] == [
        ("python", "print(1)"),
        ("plain text", "x"),
        ("plain text", "raw"),
    ]


def test_table_has_a_header_row_and_escaped_pipes_stay_in_their_cell() -> None:
    [table] = markdown_to_blocks("| time | what |\n|---|---|\n| 02:00 | a \\| b |\n| 02:05 |\n")

    body = table["table"]
    assert (body["table_width"], body["has_column_header"]) == (2, True)
    cells = [
        [("".join(i["text"]["content"] for i in cell)) for cell in row["table_row"]["cells"]]
        for row in body["children"]
    ]
    assert cells == [["time", "what"], ["02:00", "a | b"], ["02:05", ""]]


def test_table_over_100_rows_continues_in_a_new_table_under_the_same_header() -> None:
    rows = "".join(f"| {n} | event {n} |\n" for n in range(250))

    tables = markdown_to_blocks("| n | what |\n|---|---|\n" + rows)

    assert [len(t["table"]["children"]) for t in tables] == [ROWS_MAX, ROWS_MAX, 250 - 2 * (ROWS_MAX - 1) + 1]
    firsts = [t["table"]["children"][1]["table_row"]["cells"][0][0]["text"]["content"] for t in tables]
    assert firsts == ["0", "99", "198"]
    assert all(t["table"]["children"][0]["table_row"]["cells"][0][0]["text"]["content"] == "n" for t in tables)


def test_quote_divider_and_html_are_kept() -> None:
    blocks = markdown_to_blocks("> the queue backed up\n\n---\n\n<div>raw</div>\n")

    assert kinds(blocks) == ["quote", "divider", "paragraph"]
    assert text(blocks[0]) == "the queue backed up"
    assert text(blocks[2]) == "<div>raw</div>"


def test_long_text_is_split_into_2000_character_items_and_100_item_blocks() -> None:
    long = "x" * (TEXT_MAX * ITEMS_MAX + 10)

    blocks = markdown_to_blocks(long)

    assert kinds(blocks) == ["paragraph", "paragraph"]
    assert [len(b["paragraph"]["rich_text"]) for b in blocks] == [ITEMS_MAX, 1]
    assert max(len(i["text"]["content"]) for b in blocks for i in b["paragraph"]["rich_text"]) == TEXT_MAX
    assert "".join(text(b) for b in blocks) == long


def test_splitting_counts_utf16_units_and_never_cuts_an_emoji() -> None:
    pieces = plain_rich_text("🚨" * 1500)

    assert [len(p["text"]["content"]) for p in pieces] == [1000, 500]


def test_the_postmortem_draft_converts_into_blocks_notion_accepts(spec: OpenAPISpec) -> None:
    draft = draft_postmortem(demo_input(related=[same_cause_past(["rotate keys quarterly"])]))

    blocks = markdown_to_blocks(render_markdown(draft))

    assert [spec.errors_at(BLOCK_REQUEST, block) for block in blocks] == [[]] * len(blocks)
    assert kinds(blocks)[:2] == ["heading_1", "paragraph"]
    headings = [text(b) for b in blocks if b["type"] == "heading_2"]
    assert headings[:3] == ["Summary", "Impact", "Timeline"]
    assert "table" in kinds(blocks) and "numbered_list_item" in kinds(blocks)
