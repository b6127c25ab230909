"""The REST API's boundary, on SQLite and on PostgreSQL: ids past the 64-bit range, bodies past
the size limit or the depth limit, NUL and lone surrogates in texts, the shape of every refusal,
and what is served only to those holding the API token.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.composition import Warroom
from api.scenarios import checkout_outage
from tests.conftest import API_TOKEN, SENTRY_SECRET
from warroom.clock import FakeClock
from warroom.untrusted import MAX_ID

AUTH = {"authorization": f"Bearer {API_TOKEN}"}
ID_ROUTES = [
    ("GET", "/api/incidents/{id}", None),
    ("GET", "/api/incidents/{id}/war-room", None),
    ("POST", "/api/incidents/{id}/notes", {"text": "tried: restart"}),
    ("POST", "/api/incidents/{id}/acknowledge", {"actor": "alice"}),
    ("POST", "/api/incidents/{id}/severity", {"severity": "P1"}),
    ("POST", "/api/incidents/{id}/resolve", {}),
    ("GET", "/api/incidents/{id}/postmortem", None),
    ("PUT", "/api/incidents/{id}/postmortem", {"markdown": "# x", "author": "alice"}),
    ("GET", "/api/incidents/{id}/postmortem/versions", None),
    ("POST", "/api/incidents/{id}/postmortem/versions/1/restore", {"author": "alice"}),
    ("GET", "/api/approvals/{id}", None),
    ("POST", "/api/approvals/{id}/approve", {}),
    ("POST", "/api/approvals/{id}/reject", {}),
    ("POST", "/api/action-items/{id}/complete", None),
]
BODY_ROUTES = [(method, path, body) for method, path, body in ID_ROUTES if body is not None]
ROUTE_IDS = [f"{method} {path}" for method, path, _ in ID_ROUTES]
BODY_IDS = [f"{method} {path}" for method, path, _ in BODY_ROUTES]


@pytest.fixture(scope="module")
def incident_id(db_client: TestClient) -> int:
    """One open incident (the checkout outage) for the routes that need a real one."""
    clock = FakeClock()
    deliveries = checkout_outage(SENTRY_SECRET, events=3, minutes=1, start=clock.now() - timedelta(minutes=1))
    answers = [db_client.post("/webhooks/sentry", content=d.body, headers=d.headers).json() for d in deliveries]
    return answers[-1]["incident_id"]


def _call(client: TestClient, method: str, path: str, body: Any, **kwargs: Any):
    if body is None:
        return client.request(method, path, headers=AUTH, **kwargs)
    return client.request(method, path, json=body, headers=AUTH, **kwargs)


@pytest.mark.parametrize("bad", [MAX_ID + 1, 2**64, 10**30, 0, -1])
@pytest.mark.parametrize(("method", "path", "body"), ID_ROUTES, ids=ROUTE_IDS)
def test_ids_outside_the_database_range_are_a_422_naming_the_id(db_client, method, path, body, bad):
    response = _call(db_client, method, path.format(id=bad), body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert isinstance(problem["detail"], str) and problem["detail"].startswith(problem["field"] + ": ")
    assert problem["field"].startswith("path.") and problem["field"].endswith("_id")


@pytest.mark.parametrize(("method", "path", "body"), ID_ROUTES, ids=ROUTE_IDS)
def test_the_largest_id_is_looked_up_and_not_found(db_client, method, path, body):
    assert _call(db_client, method, path.format(id=MAX_ID), body).status_code == 404


@pytest.mark.parametrize("path", ["/api/approvals", "/api/action-items"])
@pytest.mark.parametrize("bad", [str(MAX_ID + 1), "0", "nine"])
def test_id_filters_outside_the_range_are_a_422(db_client, path, bad):
    response = db_client.get(path, params={"incident_id": bad}, headers=AUTH)
    assert (response.status_code, response.json()["field"]) == (422, "query.incident_id")
    assert db_client.get(path, params={"incident_id": MAX_ID}, headers=AUTH).json() == []


def test_a_request_validation_error_lists_every_field_and_names_the_first(db_client, incident_id):
    response = db_client.post(
        f"/api/incidents/{incident_id}/severity", json={"severity": "P9", "actor": 5}, headers=AUTH
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["detail"] == f"{problem['field']}: {problem['errors'][0]['message']}"
    assert {e["field"] for e in problem["errors"]} == {"severity", "actor"}


OVERSIZED = b'{"text": "' + b"x" * (1024 * 1024) + b'"}'
READING = [
    *[(method, path.format(id=1)) for method, path, _ in BODY_ROUTES],
    ("POST", "/api/alerts"),
    *[("POST", f"/webhooks/{source}") for source in ("sentry", "pagerduty", "alertmanager", "grafana", "datadog")],
    ("POST", "/slack/events"),
    ("POST", "/slack/interactions"),
    ("POST", "/login"),
]
NOT_READING = [("POST", "/approve/some-token"), ("GET", "/api/incidents"), ("GET", "/status")]


@pytest.mark.parametrize(("method", "path"), READING + NOT_READING, ids=[f"{m} {p}" for m, p in READING + NOT_READING])
def test_a_declared_body_over_the_limit_is_a_413_on_every_route(db_client, method, path):
    response = db_client.request(method, path, content=OVERSIZED, headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 413, response.text
    assert response.json() == {"detail": "the request body is over 1048576 bytes"}


@pytest.mark.parametrize(("method", "path"), READING, ids=[f"{m} {p}" for m, p in READING])
def test_a_streamed_body_is_cut_off_at_the_limit_with_a_413(db_client, method, path):
    """A chunked upload declares no length: reading stops at the limit, whatever the route."""
    chunks = iter([OVERSIZED[i : i + 65536] for i in range(0, len(OVERSIZED), 65536)])
    kind = "application/x-www-form-urlencoded" if path == "/login" else "application/json"
    response = db_client.request(method, path, content=chunks, headers={**AUTH, "content-type": kind})
    assert response.status_code == 413, response.text
    assert response.json() == {"detail": "the request body is over 1048576 bytes"}


DEEP = b'{"text": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"


@pytest.mark.parametrize(("method", "path", "body"), BODY_ROUTES, ids=BODY_IDS)
def test_deep_or_unreadable_json_on_an_api_route_is_a_400_saying_why(db_client, incident_id, method, path, body):
    for raw, why in [(DEEP, "nested deeper than 64"), (b'{"text": "\xff"}', "not UTF-8"), (b"[NaN]", "NaN")]:
        response = db_client.request(
            method, path.format(id=incident_id), content=raw, headers={**AUTH, "content-type": "application/json"}
        )
        assert response.status_code == 400, response.text
        assert why in response.json()["detail"]


def test_nul_and_lone_surrogates_in_api_texts_are_normalised_before_storing(db_client, incident_id):
    note = db_client.post(
        f"/api/incidents/{incident_id}/notes",
        content=json.dumps({"text": "tried: \x00restart\ud800", "author": "al\x00ice"}),
        headers={**AUTH, "content-type": "application/json"},
    )
    assert note.status_code == 202, note.text
    timeline = db_client.get(f"/api/incidents/{incident_id}", headers=AUTH).json()["timeline"]
    [stored] = [e for e in timeline if e["kind"] == "note" and e["text"].startswith("tried: restart")]
    assert (stored["text"], stored["actor"]) == ("tried: restart\ufffd", "alice")


GUARDED = ["/metrics", "/openapi.json", "/docs"]


@pytest.mark.parametrize("path", GUARDED)
def test_metrics_and_api_docs_need_the_api_token(db_client, path):
    assert db_client.get(path).status_code == 401
    assert db_client.get(path, headers={"authorization": "Bearer wrong"}).status_code == 401
    assert db_client.get(path, headers=AUTH).status_code == 200


@pytest.fixture
def public_client(db_warroom: Warroom) -> Iterator[TestClient]:
    settings = db_warroom.settings.model_copy(update={"public_metrics": True, "public_docs": True})
    with TestClient(create_app(replace(db_warroom, settings=settings), run_worker=False)) as client:
        yield client


@pytest.mark.parametrize("path", GUARDED)
def test_metrics_and_docs_can_be_made_public_by_setting(public_client, path):
    assert public_client.get(path).status_code == 200


def test_the_openapi_document_has_no_dangling_reference_and_one_refusal_shape(db_client):
    document = db_client.get("/openapi.json", headers=AUTH).json()
    schemas = document["components"]["schemas"]
    references: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            references.extend(v for k, v in value.items() if k == "$ref")
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(document)
    assert references and all(ref.startswith("#/components/schemas/") for ref in references)
    assert {ref.rsplit("/", 1)[1] for ref in references} <= set(schemas)
    assert "HTTPValidationError" not in schemas
    assert schemas["Problem"]["properties"]["detail"]["type"] == "string"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                json_schema = response.get("content", {}).get("application/json", {}).get("schema")
                if code.startswith("4"):
                    assert json_schema == {"$ref": "#/components/schemas/Problem"} or (
                        json_schema is None and "text/html" in response["content"]
                    ), f"{method} {path} {code}"
