"""An in-process Notion API (pages and their blocks) judged by Notion's own OpenAPI.

Use as `httpx.Client(base_url="https://api.notion.com", transport=fake.transport)`. Every request
is checked against `notion-api-subset.openapi.json` (path, method, the required `Notion-Version`
header, query and body: rich-text length, 100 children, two levels of nesting, block shapes) and
against the prose limits in `notion-api-summary.json` (1000 block elements and 500 KB a request).
A request that strays is answered 400 `validation_error`, as Notion answers, and recorded in
`violations` for the test to assert on.

State is kept as Notion keeps it: a page is a `child_page` block in its parent, deleting a block
moves it to the trash (it stops being listed; deleting it again is refused), lists paginate with
`next_cursor` set to the id of the next block. Every answer, errors included, is checked against
the spec too, and each block and page in it against the full `blockObjectResponse` and
`pageObjectResponse` (the operations also allow a bare `{object, id}`, which would check nothing).

One correction is made to the spec for that: it is generated from TypeScript intersections, so
an `allOf` such as `richTextItemResponse`, a page property value or `error_api_404` has a member
(or an alternative inside one) with `additionalProperties: false` that forbids the keys the other
member requires, and nothing could match. `additionalProperties: false` is dropped there, and only
there.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.fakes.spec import FailurePlan, OpenAPISpec, Operation, Recorded, load_spec
from warroom.clock import Clock, FakeClock

__all__ = ["FakeNotion", "StoredBlock"]

_USER = {"object": "user", "id": "00000000-0000-4000-8000-00000000beef"}
_ELEMENTS_MAX = 1000
_BYTES_MAX = 500_000
_PAGE_SIZE_MAX = 100
_HEADING = re.compile(r"heading_[123]")
_PAGE = "/components/schemas/pageObjectResponse"
_BLOCK = "/components/schemas/blockObjectResponse"


@dataclass
class StoredBlock:
    id: str
    type: str
    content: dict[str, Any]
    parent_id: str
    parent_is_page: bool
    created_time: str
    children: list[str] = field(default_factory=list)
    in_trash: bool = False


class FakeNotion:
    """One workspace. `add_page` makes a page shared with the integration, e.g. the parent that
    postmortems go under; `text(page_id)` reads a page back as (type, plain text) rows."""

    def __init__(self, token: str = "ntn_test_token", *, clock: Clock | None = None) -> None:
        self.token = token
        self.clock = clock or FakeClock()
        self.spec = OpenAPISpec(_open_intersections(load_spec("notion-api-subset.openapi.json")))
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.blocks: dict[str, StoredBlock] = {}
        self.failures = FailurePlan()
        self._next_id = 0

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def add_page(self, title: str = "Postmortems") -> str:
        """A workspace-level page shared with the integration."""
        return self._store("child_page", {"title": title}, parent_id="workspace", parent_is_page=False)

    def fail_next(
        self,
        times: int = 1,
        *,
        status: int = 429,
        code: str = "rate_limited",
        retry_after: int | None = None,
        only: str | None = None,
    ) -> None:
        """Answer the next `times` requests (to the path `only`, if given) with this error."""
        self.failures.add(times, only=only, status=status, code=code, retry_after=retry_after)

    def listed(self, block_id: str) -> list[StoredBlock]:
        """The block's children as the API lists them: in order, trashed ones left out."""
        return [
            self.blocks[child] for child in self.blocks[_uuid(block_id)].children if not self.blocks[child].in_trash
        ]

    def text(self, block_id: str) -> list[tuple[str, str]]:
        """(type, plain text) for each listed child; a table row's cells are joined by " | "."""
        rows = []
        for block in self.listed(block_id):
            if block.type == "table_row":
                rows.append((block.type, " | ".join(_plain(cell) for cell in block.content["cells"])))
            elif block.type == "child_page":
                rows.append((block.type, block.content["title"]))
            else:
                rows.append((block.type, _plain(block.content.get("rich_text", []))))
        return rows

    def title(self, page_id: str) -> str:
        return str(self.blocks[_uuid(page_id)].content["title"])

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        query = {key: request.url.params.get_list(key) for key in request.url.params}
        body = json.loads(request.content) if request.content else None
        self.requests.append(Recorded(request.method, path, dict(request.headers), query, body))
        problems = self.spec.check(
            request.method,
            path,
            query=query,
            content_type=request.headers.get("content-type"),
            body=body,
            headers=dict(request.headers),
        )
        problems += self._limit_problems(body)
        if problems:
            self.violations += problems
            code = "missing_version" if "notion-version" not in request.headers else "validation_error"
            return _error(400, code, "body failed validation: " + "; ".join(problems))
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _error(401, "unauthorized", "API token is invalid.")
        op = self.spec.operation(request.method, path)
        assert op is not None
        failure = self.failures.take(path)
        if failure is not None:
            headers = {"Retry-After": str(failure["retry_after"])} if failure["retry_after"] is not None else {}
            return self._answer(
                op, failure["status"], _error_body(failure["status"], failure["code"], "Injected."), headers
            )
        params = {name: _uuid(value) for name, value in op.path_params.items()}
        handler = {
            ("POST", "/v1/pages"): self._create_page,
            ("PATCH", "/v1/pages/{page_id}"): self._update_page,
            ("GET", "/v1/blocks/{block_id}/children"): self._list_children,
            ("PATCH", "/v1/blocks/{block_id}/children"): self._append_children,
            ("DELETE", "/v1/blocks/{block_id}"): self._delete_block,
        }[(op.method, op.template)]
        try:
            status, payload = handler(params, body or {}, query)
        except _NotFound as missing:
            status, payload = 404, _error_body(404, "object_not_found", f"Could not find block with ID: {missing}.")
        return self._answer(op, status, payload)

    def _answer(
        self, op: Operation, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """Answer, noting where the answer strays from the spec (529 is newer than the spec)."""
        if str(status) in op.spec["responses"]:
            self.violations += [f"fake {p}" for p in self.spec.response_errors(op, status, payload)]
        if status == 200:
            if payload.get("object") == "page":
                self.violations += [f"fake {p}" for p in self.spec.errors_at(_PAGE, payload, "page")]
            for block in payload["results"] if payload.get("object") == "list" else [payload]:
                if block.get("object") == "block":
                    self.violations += [f"fake {p}" for p in self.spec.errors_at(_BLOCK, block, "block")]
        return httpx.Response(status, json=payload, headers=headers)

    def _create_page(self, params: dict[str, str], body: dict[str, Any], query: Any) -> tuple[int, dict[str, Any]]:
        parent_id = _uuid(body["parent"]["page_id"])
        self._live(parent_id)
        title = _plain(body["properties"]["title"]["title"])
        page_id = self._store("child_page", {"title": title}, parent_id=parent_id, parent_is_page=True)
        self._add_children(page_id, body.get("children", []))
        return 200, self._page_json(page_id)

    def _update_page(self, params: dict[str, str], body: dict[str, Any], query: Any) -> tuple[int, dict[str, Any]]:
        page = self._live(params["page_id"])
        if page.type != "child_page":
            raise _NotFound(params["page_id"])
        if "title" in body.get("properties", {}):
            page.content["title"] = _plain(body["properties"]["title"]["title"])
        if "in_trash" in body:
            page.in_trash = bool(body["in_trash"])
        return 200, self._page_json(page.id)

    def _list_children(
        self, params: dict[str, str], body: dict[str, Any], query: dict[str, list[str]]
    ) -> tuple[int, dict[str, Any]]:
        self._live(params["block_id"])
        listed = self.listed(params["block_id"])
        size = min(int(float(query.get("page_size", ["100"])[0])), _PAGE_SIZE_MAX)
        ids = [block.id for block in listed]
        cursor = _uuid(query["start_cursor"][0]) if "start_cursor" in query else None
        if cursor is not None and cursor not in ids:
            return 400, _error_body(400, "validation_error", "start_cursor provided is invalid.")
        start = ids.index(cursor) if cursor is not None else 0
        page = listed[start : start + size]
        more = start + size < len(listed)
        return 200, {
            "object": "list",
            "type": "block",
            "block": {},
            "results": [self._block_json(block) for block in page],
            "next_cursor": listed[start + size].id if more else None,
            "has_more": more,
        }

    def _append_children(self, params: dict[str, str], body: dict[str, Any], query: Any) -> tuple[int, dict[str, Any]]:
        self._live(params["block_id"])
        new = self._add_children(params["block_id"], body["children"], body.get("position"))
        return 200, {
            "object": "list",
            "type": "block",
            "block": {},
            "results": [self._block_json(self.blocks[block_id]) for block_id in new],
            "next_cursor": None,
            "has_more": False,
        }

    def _delete_block(self, params: dict[str, str], body: dict[str, Any], query: Any) -> tuple[int, dict[str, Any]]:
        block = self.blocks.get(params["block_id"])
        if block is None:
            raise _NotFound(params["block_id"])
        if block.in_trash:
            return 400, _error_body(400, "validation_error", "Can't edit block that is archived.")
        block.in_trash = True
        return 200, self._block_json(block)

    def _live(self, block_id: str) -> StoredBlock:
        block = self.blocks.get(block_id)
        if block is None or block.in_trash:
            raise _NotFound(block_id)
        return block

    def _store(self, kind: str, content: dict[str, Any], *, parent_id: str, parent_is_page: bool) -> str:
        self._next_id += 1
        block_id = str(uuid.UUID(int=self._next_id, version=4))
        created = self.clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.blocks[block_id] = StoredBlock(block_id, kind, content, parent_id, parent_is_page, created)
        if parent_id in self.blocks:
            self.blocks[parent_id].children.append(block_id)
        return block_id

    def _add_children(self, parent_id: str, children: list[dict[str, Any]], position: Any = None) -> list[str]:
        parent_is_page = self.blocks[parent_id].type == "child_page"
        anchor = _uuid(position["after_block"]["id"]) if position and position.get("type") == "after_block" else None
        if anchor is not None and anchor not in self.blocks[parent_id].children:
            raise _NotFound(anchor)
        new = []
        for child in children:
            kind = child.get("type") or next(key for key in child if key not in {"object", "type"})
            content = {key: value for key, value in child[kind].items() if key != "children"}
            block_id = self._store(kind, content, parent_id=parent_id, parent_is_page=parent_is_page)
            self._add_children(block_id, child[kind].get("children", []))
            new.append(block_id)
        siblings = self.blocks[parent_id].children
        kept = [block_id for block_id in siblings if block_id not in new]
        if position and position.get("type") == "start":
            kept[0:0] = new
        elif anchor is not None:
            at = kept.index(anchor) + 1
            kept[at:at] = new
        else:
            kept += new
        siblings[:] = kept
        return new

    def _page_json(self, page_id: str) -> dict[str, Any]:
        page = self.blocks[page_id]
        title = page.content["title"]
        parent = (
            {"type": "page_id", "page_id": page.parent_id}
            if page.parent_is_page
            else {"type": "workspace", "workspace": True}
        )
        return {
            "object": "page",
            "id": page.id,
            "created_time": page.created_time,
            "last_edited_time": page.created_time,
            "in_trash": page.in_trash,
            "is_locked": False,
            "url": f"https://www.notion.so/{re.sub(r'[^A-Za-z0-9]+', '-', title).strip('-')}-{page.id.replace('-', '')}",
            "public_url": None,
            "parent": parent,
            "properties": {
                "title": {"id": "title", "type": "title", "title": _response_rich_text(_plain_items(title))}
            },
            "icon": None,
            "cover": None,
            "created_by": _USER,
            "last_edited_by": _USER,
        }

    def _block_json(self, block: StoredBlock) -> dict[str, Any]:
        parent_key = "page_id" if block.parent_is_page else "block_id"
        return {
            "object": "block",
            "id": block.id,
            "parent": {"type": parent_key, parent_key: block.parent_id},
            "created_time": block.created_time,
            "last_edited_time": block.created_time,
            "created_by": _USER,
            "last_edited_by": _USER,
            "has_children": any(not self.blocks[child].in_trash for child in block.children),
            "in_trash": block.in_trash,
            "type": block.type,
            block.type: _response_content(block.type, block.content),
        }

    @staticmethod
    def _limit_problems(body: Any) -> list[str]:
        """Notion's payload limits, stated in prose (request-limits page), not in the schema."""
        if not isinstance(body, dict):
            return []
        problems = []
        elements = _count_elements(body.get("children", []))
        if elements > _ELEMENTS_MAX:
            problems.append(f"body.children: {elements} block elements, more than {_ELEMENTS_MAX}")
        size = len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
        if size > _BYTES_MAX:
            problems.append(f"body: {size} bytes, more than {_BYTES_MAX}")
        return problems


class _NotFound(Exception):
    pass


def _open_intersections(document: dict[str, Any]) -> dict[str, Any]:
    """The spec with `additionalProperties: false` dropped from `allOf` members and from the
    alternatives (`oneOf`/`anyOf`) inside them, which describe the same object (see above)."""
    spec = copy.deepcopy(document)
    schemas = spec["components"]["schemas"]

    def resolve(schema: dict[str, Any]) -> dict[str, Any]:
        return schemas[schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema

    def open_object(schema: dict[str, Any]) -> None:
        if schema.get("additionalProperties") is False:
            del schema["additionalProperties"]
        for key in ("allOf", "oneOf", "anyOf"):
            for member in schema.get(key, []):
                open_object(resolve(member))

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for member in node.get("allOf", []):
                open_object(resolve(member))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(spec)
    return spec


def _uuid(raw: str) -> str:
    """Notion accepts ids with or without dashes; an id that is not a UUID is simply not found."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return raw


def _error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"object": "error", "status": status, "code": code, "message": message, "request_id": str(uuid.uuid4())}


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=_error_body(status, code, message), headers=headers)


def _count_elements(children: list[dict[str, Any]]) -> int:
    total = 0
    for child in children:
        kind = child.get("type") or next((key for key in child if key not in {"object", "type"}), "")
        body = child.get(kind, {})
        total += 1 + _count_elements(body.get("children", []) if isinstance(body, dict) else [])
    return total


def _plain_items(text: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": {"content": text}}] if text else []


def _plain(items: list[dict[str, Any]]) -> str:
    return "".join(item.get("text", {}).get("content", "") for item in items)


def _response_rich_text(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Request rich text as Notion answers it: every annotation spelled out, `plain_text`, `href`."""
    answered = []
    for item in items:
        text = item["text"]
        link = text.get("link")
        annotations = {
            "bold": False,
            "italic": False,
            "strikethrough": False,
            "underline": False,
            "code": False,
            "color": "default",
            **item.get("annotations", {}),
        }
        answered.append(
            {
                "type": "text",
                "text": {"content": text["content"], "link": link},
                "annotations": annotations,
                "plain_text": text["content"],
                "href": link["url"] if link else None,
            }
        )
    return answered


def _response_content(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """A stored block's content with the fields Notion fills in when the request left them out."""
    answered = dict(content)
    for key in ("rich_text", "caption"):
        if key in answered:
            answered[key] = _response_rich_text(answered[key])
    if "cells" in answered:
        answered["cells"] = [_response_rich_text(cell) for cell in answered["cells"]]
    if "rich_text" in answered and kind != "code":
        answered.setdefault("color", "default")
    if _HEADING.fullmatch(kind):
        answered.setdefault("is_toggleable", False)
    if kind == "to_do":
        answered.setdefault("checked", False)
    if kind == "code":
        answered.setdefault("caption", [])
    if kind == "table":
        answered.setdefault("has_column_header", False)
        answered.setdefault("has_row_header", False)
    return answered
