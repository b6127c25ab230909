"""Our Markdown subset as Atlassian Document Format, which Jira Cloud's REST v3 requires for
descriptions and comments (it refuses a plain string there).

The subset is what warroom writes: `#`..`######` headings, `-`/`*` bullet lists, paragraphs
(their lines joined by hard breaks) and `[text](url)` links. Anything else stays literal text;
nothing is dropped.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["adf_text", "markdown_to_adf"]

_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_BULLET = re.compile(r"^\s*[-*]\s+(.*\S)\s*$")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")

Node = dict[str, Any]


def _inline(text: str) -> list[Node]:
    nodes: list[Node] = []
    position = 0
    for match in _LINK.finditer(text):
        if match.start() > position:
            nodes.append({"type": "text", "text": text[position : match.start()]})
        nodes.append({"type": "text", "text": match[1], "marks": [{"type": "link", "attrs": {"href": match[2]}}]})
        position = match.end()
    if position < len(text):
        nodes.append({"type": "text", "text": text[position:]})
    return nodes


def _paragraph(lines: list[str]) -> Node:
    content: list[Node] = []
    for n, line in enumerate(lines):
        if n:
            content.append({"type": "hardBreak"})
        content += _inline(line)
    return {"type": "paragraph", "content": content}


def _bullets(items: list[str]) -> Node:
    return {
        "type": "bulletList",
        "content": [{"type": "listItem", "content": [{"type": "paragraph", "content": _inline(i)}]} for i in items],
    }


def markdown_to_adf(markdown: str) -> Node:
    """A version-1 ADF document for `markdown`."""
    blocks: list[Node] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(_paragraph(paragraph))
            paragraph.clear()
        if items:
            blocks.append(_bullets(items))
            items.clear()

    for line in markdown.splitlines():
        heading, bullet = _HEADING.match(line), _BULLET.match(line)
        if not line.strip():
            flush()
        elif heading:
            flush()
            blocks.append({"type": "heading", "attrs": {"level": len(heading[1])}, "content": _inline(heading[2])})
        elif bullet:
            if paragraph:
                flush()
            items.append(bullet[1])
        else:
            if items:
                flush()
            paragraph.append(line.strip())
    flush()
    return {"type": "doc", "version": 1, "content": blocks}


def adf_text(node: Node) -> str:
    """The words of an ADF document, one line per block, for comparing what a ticket says."""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    children = node.get("content") or []
    joiner = "" if node.get("type") in {"paragraph", "heading"} else "\n"
    return joiner.join(adf_text(child) for child in children)
