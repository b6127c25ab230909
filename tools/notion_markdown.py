"""Our Markdown (the postmortem's) as the blocks Notion's API creates.

CommonMark plus GFM tables and strikethrough, parsed by markdown-it-py, becomes: headings 1–3
(4–6 become heading 3, Notion has no deeper ones), paragraphs, bulleted and numbered items,
to-do items (`- [ ] …` / `- [x] …`), code (the fence's language when Notion knows it, else plain
text), quotes, dividers and tables. Inline bold, italic, strikethrough and code become
annotations; links become links when they are http(s) or mailto (Notion refuses relative ones).

Notion's limits are kept here, so a page that converts never fails on length: a text item holds
at most 2000 characters counted as JavaScript counts them (UTF-16 units), a block at most 100
items (longer text continues in a second block of the same type), a table at most 100 rows (the
rest continue in a new table under the same header row), and nesting stops at the two levels of
children one request may carry (deeper items follow their ancestor as siblings; a table inside a
list follows the top-level block it was in). Nothing is dropped except raw HTML tags' markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

__all__ = ["ITEMS_MAX", "NEST_MAX", "ROWS_MAX", "TEXT_MAX", "NotionBlock", "markdown_to_blocks", "plain_rich_text"]

NotionBlock = dict[str, Any]

TEXT_MAX = 2000
ITEMS_MAX = 100
ROWS_MAX = 100
#: Levels of `children` below a top-level block that one append or create request may carry.
NEST_MAX = 2

#: Notion's `languageRequest` enum (notion-api-subset.openapi.json).
_LANGUAGES = frozenset(
    "abap abc agda arduino assembly bash basic bnf c c# c++ clojure coffeescript coq css dart dhall diff "
    "docker ebnf elixir elm erlang f# flow fortran gherkin glsl go graphql groovy haskell hcl html idris java "
    "javascript json julia kotlin latex less lisp livescript lua makefile markdown markup matlab mathematica "
    "mermaid nix objective-c ocaml pascal perl php powershell prolog protobuf purescript python r racket reason "
    "ruby rust sass scala scheme scss shell smalltalk solidity sql swift toml typescript verilog vhdl webassembly "
    "xml yaml".split()
) | {"ascii art", "llvm ir", "notion formula", "plain text", "vb.net", "visual basic", "java/c/c++/c#"}
_LANGUAGE_ALIASES = {
    "py": "python",
    "sh": "shell",
    "console": "shell",
    "zsh": "bash",
    "js": "javascript",
    "ts": "typescript",
    "yml": "yaml",
    "md": "markdown",
    "golang": "go",
    "dockerfile": "docker",
    "rb": "ruby",
    "rs": "rust",
    "kt": "kotlin",
    "cs": "c#",
    "cpp": "c++",
    "text": "plain text",
    "txt": "plain text",
    "plaintext": "plain text",
}
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_TODO_MARKS = {"[ ]": False, "[x]": True, "[X]": True}


@dataclass(frozen=True)
class _Style:
    bold: bool = False
    italic: bool = False
    strikethrough: bool = False
    code: bool = False
    url: str | None = None


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def markdown_to_blocks(markdown: str) -> list[NotionBlock]:
    """The document as Notion block requests, in order, each within Notion's limits."""
    blocks = _blocks(SyntaxTreeNode(_parser().parse(markdown)).children)
    fitted: list[NotionBlock] = []
    for block in blocks:
        hoisted: list[NotionBlock] = []
        fitted += _fit([block], NEST_MAX, hoisted)
        fitted += hoisted
    return fitted


def plain_rich_text(text: str) -> list[dict[str, Any]]:
    """Unstyled text as rich-text items of at most 2000 characters (e.g. a page title)."""
    return [{"type": "text", "text": {"content": piece}} for piece in _utf16_chunks(text)]


def _blocks(nodes: list[SyntaxTreeNode]) -> list[NotionBlock]:
    return [block for node in nodes for block in _block(node)]


def _block(node: SyntaxTreeNode) -> list[NotionBlock]:
    match node.type:
        case "heading":
            return _text_blocks(f"heading_{min(int(node.tag[1]), 3)}", _inline_text(node))
        case "paragraph":
            return _text_blocks("paragraph", _inline_text(node))
        case "bullet_list" | "ordered_list":
            return [block for item in node.children for block in _list_item(item, node.type == "ordered_list")]
        case "fence" | "code_block":
            return _code(node)
        case "blockquote":
            return _quote(node)
        case "table":
            return _tables(node)
        case "hr":
            return [{"type": "divider", "divider": {}}]
        case _:
            return _text_blocks("paragraph", plain_rich_text(node.content.strip()))


def _text_blocks(kind: str, items: list[dict[str, Any]], **fields: Any) -> list[NotionBlock]:
    """One block, or several of the same kind when the text needs more than 100 items."""
    groups = [items[start : start + ITEMS_MAX] for start in range(0, len(items), ITEMS_MAX)] or [[]]
    return [{"type": kind, kind: {"rich_text": group, **fields}} for group in groups]


def _list_item(item: SyntaxTreeNode, ordered: bool) -> list[NotionBlock]:
    children = list(item.children)
    segments: list[tuple[str, _Style]] = []
    if children and children[0].type == "paragraph":
        segments = _merge(_segments(children.pop(0).children[0], _Style()))
    kind, fields = ("numbered_list_item" if ordered else "bulleted_list_item"), {}
    if segments:
        text, style = segments[0]
        mark = text[:3]
        if mark in _TODO_MARKS and (len(text) == 3 or text[3] == " "):
            kind, fields = "to_do", {"checked": _TODO_MARKS[mark]}
            segments = [(text[4:], style), *segments[1:]] if text[4:] else segments[1:]
    blocks = _text_blocks(kind, _rich_text(segments), **fields)
    nested = _blocks(children)
    if nested:
        blocks[-1][kind]["children"] = nested
    return blocks


def _code(node: SyntaxTreeNode) -> list[NotionBlock]:
    info = node.info.strip().split(maxsplit=1)[0].lower() if node.info.strip() else ""
    language = _LANGUAGE_ALIASES.get(info, info if info in _LANGUAGES else "plain text")
    return _text_blocks("code", plain_rich_text(node.content.removesuffix("\n")), language=language)


def _quote(node: SyntaxTreeNode) -> list[NotionBlock]:
    """The first paragraph is the quote's text; what follows it in the quote nests under it."""
    inner = _blocks(node.children)
    if inner and inner[0]["type"] == "paragraph":
        first = inner.pop(0)["paragraph"]["rich_text"]
    else:
        first = []
    quote: NotionBlock = {"type": "quote", "quote": {"rich_text": first}}
    if inner:
        quote["quote"]["children"] = inner
    return [quote]


def _tables(node: SyntaxTreeNode) -> list[NotionBlock]:
    """A GFM table as one Notion table per 100 rows, each repeating the header row."""
    header: list[list[dict[str, Any]]] | None = None
    body: list[list[list[dict[str, Any]]]] = []
    for section in node.children:
        for row in section.children:
            cells = [_cell(cell) for cell in row.children]
            if section.type == "thead" and header is None:
                header = cells
            else:
                body.append(cells)
    rows = ([header] if header else []) + body
    width = max((len(row) for row in rows), default=1) or 1
    per_table = ROWS_MAX - (1 if header else 0)
    tables = []
    for start in range(0, max(len(body), 1), per_table):
        chunk = ([header] if header else []) + body[start : start + per_table]
        tables.append(
            {
                "type": "table",
                "table": {
                    "table_width": width,
                    "has_column_header": header is not None,
                    "has_row_header": False,
                    "children": [
                        {"type": "table_row", "table_row": {"cells": row + [[]] * (width - len(row))}} for row in chunk
                    ],
                },
            }
        )
    return tables


def _cell(cell: SyntaxTreeNode) -> list[dict[str, Any]]:
    """A cell holds one rich-text array: past 100 items its styling gives way to plain text."""
    items = _inline_text(cell)
    if len(items) <= ITEMS_MAX:
        return items
    return plain_rich_text("".join(item["text"]["content"] for item in items))[:ITEMS_MAX]


def _inline_text(node: SyntaxTreeNode) -> list[dict[str, Any]]:
    inline = node.children[0] if node.children else None
    return _rich_text(_merge(_segments(inline, _Style()))) if inline is not None else []


def _segments(node: SyntaxTreeNode, style: _Style) -> Iterator[tuple[str, _Style]]:
    for child in node.children:
        match child.type:
            case "text" | "html_inline":
                yield child.content, style
            case "softbreak":
                yield " ", style
            case "hardbreak":
                yield "\n", style
            case "code_inline":
                yield child.content, replace(style, code=True)
            case "strong":
                yield from _segments(child, replace(style, bold=True))
            case "em":
                yield from _segments(child, replace(style, italic=True))
            case "s":
                yield from _segments(child, replace(style, strikethrough=True))
            case "link":
                href = str(child.attrs.get("href", ""))
                linkable = href.startswith(_LINK_SCHEMES) and len(href) <= TEXT_MAX
                yield from _segments(child, replace(style, url=href) if linkable else style)
            case _:
                yield from _segments(child, style) if child.children else iter([(child.content, style)])


def _merge(segments: Iterator[tuple[str, _Style]]) -> list[tuple[str, _Style]]:
    merged: list[tuple[str, _Style]] = []
    for text, style in segments:
        if not text:
            continue
        if merged and merged[-1][1] == style:
            merged[-1] = (merged[-1][0] + text, style)
        else:
            merged.append((text, style))
    return merged


def _rich_text(segments: list[tuple[str, _Style]]) -> list[dict[str, Any]]:
    items = []
    for text, style in segments:
        annotations = {name: True for name in ("bold", "italic", "strikethrough", "code") if getattr(style, name)}
        for piece in _utf16_chunks(text):
            content: dict[str, Any] = {"content": piece}
            if style.url:
                content["link"] = {"url": style.url}
            item: dict[str, Any] = {"type": "text", "text": content}
            if annotations:
                item["annotations"] = annotations
            items.append(item)
    return items


def _utf16_chunks(text: str, limit: int = TEXT_MAX) -> list[str]:
    """`text` in pieces of at most `limit` UTF-16 units, never splitting a character."""
    chunks: list[str] = []
    start = units = 0
    for index, char in enumerate(text):
        width = 2 if ord(char) > 0xFFFF else 1
        if units + width > limit:
            chunks.append(text[start:index])
            start, units = index, 0
        units += width
    if start < len(text):
        chunks.append(text[start:])
    return chunks


def _fit(blocks: list[NotionBlock], levels_left: int, hoisted: list[NotionBlock]) -> list[NotionBlock]:
    """`blocks` at a level that may still carry `levels_left` levels of children: deeper blocks
    follow their ancestor as siblings, and a table below the top level goes to `hoisted`."""
    fitted: list[NotionBlock] = []
    for block in blocks:
        kind = block["type"]
        if kind == "table":
            (fitted if levels_left == NEST_MAX else hoisted).append(block)
            continue
        children = block[kind].pop("children", [])
        fitted.append(block)
        if levels_left > 0:
            kept = _fit(children, levels_left - 1, hoisted)
            if kept:
                block[kind]["children"] = kept
        else:
            fitted += _fit(children, 0, hoisted)
    return fitted
