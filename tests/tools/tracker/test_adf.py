"""Our Markdown subset as ADF that Atlassian's own JSON schema accepts."""

from __future__ import annotations

import pytest

from tests.fakes.spec import load_spec, schema_errors
from tools.tracker.adf import adf_text, markdown_to_adf


@pytest.mark.parametrize(
    "markdown",
    [
        "",
        "One line.",
        "# Heading\n\nBody text\nover two lines.",
        "- one\n- [two](https://example.com/two)\n* three",
        "Intro\n- a list right after a line\nand a line right after it",
        "###### Deepest heading with a [link](https://x.example) inside",
        "Brackets [not a link] and (parens) stay text; [empty]() too.",
    ],
)
def test_every_document_fits_atlassians_adf_schema(markdown: str) -> None:
    assert schema_errors(load_spec("adf-schema-full.json"), markdown_to_adf(markdown)) == []


def test_headings_paragraphs_lists_and_links_keep_their_shape_and_words() -> None:
    doc = markdown_to_adf(
        "## Why\n\nThe pool ran dry.\nTwice.\n\n- see [the runbook](https://runbooks.example/pool)\n- cap retries"
    )

    heading, paragraph, bullets = doc["content"]
    assert heading == {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Why"}]}
    assert [n["type"] for n in paragraph["content"]] == ["text", "hardBreak", "text"]
    link = bullets["content"][0]["content"][0]["content"][1]
    assert link == {
        "type": "text",
        "text": "the runbook",
        "marks": [{"type": "link", "attrs": {"href": "https://runbooks.example/pool"}}],
    }
    assert adf_text(doc) == "Why\nThe pool ran dry.\nTwice.\nsee the runbook\ncap retries"


def test_text_outside_the_subset_is_kept_literally() -> None:
    assert adf_text(markdown_to_adf("**bold** and `code` | a table?")) == "**bold** and `code` | a table?"
