"""Notion's REST API as a publish target: one page per document, updated in place.

Every request carries `Authorization: Bearer <token>` and the pinned `Notion-Version` (Notion
refuses a request without it, and the field names changed in 2026-03-11: `position`, `in_trash`).
The token only sees pages shared with the integration; anything else answers 404.

Publishing is safe to repeat, which is what the outbox needs: `publish` finds the page by its
title under the parent when no page id is known yet, and replacing content lists the page's
blocks afresh, deletes them and appends the new ones, so a run cut short by an error is finished
by the next. Child pages and databases inside the page are left alone; text edited in Notion by
hand is replaced (the built-in postmortem is the source). Requests carry at most 100 top-level
blocks, 1000 block elements and about 450 KB each, under Notion's limits.

A 429 (with `Retry-After`), a 409 conflict, 5xx and 529 (overload) are `NotionError`s with
`retryable` set; 400/401/403/404 are permanent and carry Notion's `code` and message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
from pydantic import BaseModel

from tools.notion_markdown import NotionBlock, plain_rich_text
from tools.retry_after import retry_after_seconds

__all__ = ["NOTION_VERSION", "Notion", "NotionChild", "NotionError", "NotionPage"]

NOTION_VERSION = "2026-03-11"
BLOCKS_PER_REQUEST = 100
ELEMENTS_PER_REQUEST = 1000
BYTES_PER_REQUEST = 450_000
_KEPT_ON_REPLACE = frozenset({"child_page", "child_database"})


class NotionError(Exception):
    """Notion refused or failed a request. `code` is Notion's (`validation_error`,
    `object_not_found`, `rate_limited`, …); `retry_after` is in seconds when Notion said."""

    def __init__(
        self, message: str, *, status: int | None = None, code: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Worth trying again later: unreachable, rate limited, conflicting, or failing on Notion's side."""
        return self.status is None or self.status in {409, 429} or self.status >= 500


class NotionPage(BaseModel):
    id: str
    url: str | None = None


class NotionChild(BaseModel):
    """One block directly inside a page; `title` is set for child pages."""

    id: str
    type: str | None = None
    has_children: bool = False
    title: str | None = None


class Notion:
    """One integration token. The client's base URL is `https://api.notion.com`."""

    def __init__(self, client: httpx.Client, token: str, *, version: str = NOTION_VERSION) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {token}", "Notion-Version": version}

    def publish(
        self, parent_page_id: str, title: str, blocks: Sequence[NotionBlock], *, page_id: str | None = None
    ) -> NotionPage:
        """The page `page_id` (or the parent's child page titled `title`) made to hold exactly
        `blocks` under `title`; created under the parent when there is none."""
        page_id = page_id or self.find_child_page(parent_page_id, title)
        if page_id is None:
            return self.create_page(parent_page_id, title, blocks)
        return self.replace_content(page_id, title, blocks)

    def create_page(self, parent_page_id: str, title: str, blocks: Sequence[NotionBlock]) -> NotionPage:
        """A new page under `parent_page_id`; content beyond the first request is appended."""
        chunks = list(_chunks(blocks))
        first = chunks[0] if chunks else []
        body = {
            "parent": {"page_id": parent_page_id},
            "properties": {"title": {"title": plain_rich_text(title)}},
            "children": first,
        }
        page = _page(self._request("POST", "/v1/pages", json=body))
        for chunk in chunks[1:]:
            self._append(page.id, chunk)
        return page

    def replace_content(self, page_id: str, title: str, blocks: Sequence[NotionBlock]) -> NotionPage:
        """The same page (same id and URL) retitled and holding `blocks` instead of what it had."""
        page = _page(
            self._request(
                "PATCH", f"/v1/pages/{page_id}", json={"properties": {"title": {"title": plain_rich_text(title)}}}
            )
        )
        for child in self.children(page_id):
            if child.type not in _KEPT_ON_REPLACE:
                self.delete_block(child.id)
        self.append_blocks(page_id, blocks)
        return page

    def children(self, block_id: str) -> list[NotionChild]:
        """Every block directly inside `block_id` (a page is a block), following the cursor."""
        found: list[NotionChild] = []
        params: dict[str, Any] = {"page_size": 100}
        while True:
            data = self._request("GET", f"/v1/blocks/{block_id}/children", params=params)
            found += [_child(result) for result in data.get("results", [])]
            cursor = data.get("next_cursor")
            if not data.get("has_more") or not cursor:
                return found
            params = {"page_size": 100, "start_cursor": cursor}

    def find_child_page(self, parent_page_id: str, title: str) -> str | None:
        """The id of the first page directly under the parent with exactly this title."""
        return next((c.id for c in self.children(parent_page_id) if c.type == "child_page" and c.title == title), None)

    def append_blocks(self, block_id: str, blocks: Sequence[NotionBlock]) -> list[str]:
        """Append at the end, in as many requests as Notion's limits need; the new blocks' ids."""
        ids: list[str] = []
        for chunk in _chunks(blocks):
            ids += self._append(block_id, chunk)
        return ids

    def delete_block(self, block_id: str) -> None:
        """Move one block to Notion's trash (the API cannot delete for good)."""
        self._request("DELETE", f"/v1/blocks/{block_id}")

    def _append(self, block_id: str, chunk: list[NotionBlock]) -> list[str]:
        data = self._request(
            "PATCH", f"/v1/blocks/{block_id}/children", json={"children": chunk, "position": {"type": "end"}}
        )
        return [str(result["id"]) for result in data.get("results", [])]

    def _request(
        self, method: str, path: str, *, json: dict[str, Any] | None = None, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        try:
            response = self._client.request(method, path, json=json, params=params, headers=self._headers)
        except httpx.HTTPError as exc:
            raise NotionError(f"Notion {method} {path} unreachable ({type(exc).__name__})") from None
        if not response.is_success:
            raise _error(response)
        try:
            data = response.json()
        except ValueError:
            raise NotionError(f"Notion {method} {path} answered without JSON", status=response.status_code) from None
        if not isinstance(data, dict):
            raise NotionError(f"Notion {method} {path} answered {type(data).__name__}", status=response.status_code)
        return data


def _error(response: httpx.Response) -> NotionError:
    try:
        payload = response.json()
    except ValueError:
        payload = None
    code = message = None
    if isinstance(payload, dict):
        code = payload.get("code") if isinstance(payload.get("code"), str) else None
        message = payload.get("message") if isinstance(payload.get("message"), str) else None
    status = response.status_code
    retry_after = retry_after_seconds(response.headers.get("Retry-After")) if status in {429, 503, 529} else None
    request = response.request
    return NotionError(
        f"Notion {request.method} {request.url.path} -> {status} {code or ''}: {message or response.text[:300]}",
        status=status,
        code=code,
        retry_after=retry_after,
    )


def _page(data: dict[str, Any]) -> NotionPage:
    return NotionPage(id=str(data["id"]), url=data.get("url"))


def _child(data: dict[str, Any]) -> NotionChild:
    kind = data.get("type")
    title = data.get("child_page", {}).get("title") if kind == "child_page" else None
    return NotionChild(id=str(data["id"]), type=kind, has_children=bool(data.get("has_children")), title=title)


def _elements(block: NotionBlock) -> int:
    body = block.get(block.get("type", ""), {})
    children = body.get("children", []) if isinstance(body, dict) else []
    return 1 + sum(_elements(child) for child in children)


def _chunks(blocks: Sequence[NotionBlock]) -> Iterator[list[NotionBlock]]:
    """`blocks` in request-sized runs: ≤ 100 top-level blocks, ≤ 1000 elements, ≤ ~450 KB."""
    chunk: list[NotionBlock] = []
    elements = size = 0
    for block in blocks:
        block_elements = _elements(block)
        block_size = len(json.dumps(block, ensure_ascii=False, separators=(",", ":")).encode()) + 1
        if chunk and (
            len(chunk) == BLOCKS_PER_REQUEST
            or elements + block_elements > ELEMENTS_PER_REQUEST
            or size + block_size > BYTES_PER_REQUEST
        ):
            yield chunk
            chunk, elements, size = [], 0, 0
        chunk.append(block)
        elements += block_elements
        size += block_size
    if chunk:
        yield chunk
