"""The OpenAPI document tells the truth: schemathesis generates requests (valid and invalid) for
every operation against a warroom holding a real incident, draft, postmortem and action items,
and every answer must be documented, match its schema and never be a server error.

Bounded for `make test`: hypothesis derandomised (a fixed seed), `EXAMPLES` per operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from api.app import create_app
from api.composition import Warroom
from api.scenarios import checkout_outage
from tests.conftest import API_TOKEN, SENTRY_SECRET, WEBHOOK_TOKEN
from warroom.clock import FakeClock
from warroom.settings import Settings

AUTH = {"authorization": f"Bearer {API_TOKEN}"}
EXAMPLES = 25


@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An incident worked to resolution: drafts, a postmortem and action items exist with id 1."""
    folder = tmp_path_factory.mktemp("openapi")
    settings_ = Settings(
        database_url=f"sqlite:///{folder / 'warroom.db'}",
        data_dir=folder / "data",
        sentry_client_secret=SENTRY_SECRET,
        api_token=API_TOKEN,
        webhook_token=WEBHOOK_TOKEN,
    )
    clock = FakeClock()
    warroom = Warroom.build(settings_, clock)
    app = create_app(warroom, run_worker=False)
    with TestClient(app) as client:
        for delivery in checkout_outage(SENTRY_SECRET, events=30, minutes=2, start=clock.now() - timedelta(minutes=2)):
            client.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers)
        warroom.scheduler.run_pending()
        client.post("/api/incidents/1/resolve", json={"summary": "rolled back"}, headers=AUTH)
        warroom.scheduler.run_pending()
        clock.advance(timedelta(minutes=5))
        warroom.scheduler.run_pending()
        client.post("/webhooks/sentry", content=checkout_outage(SENTRY_SECRET, events=1, start=clock.now())[0].body)
    yield app
    warroom.close()


# 413 is a refusal too: the schema cannot state the body limit in bytes, so a long enough string
# that fits its maxLength can still be over it (documented on every route that takes a body).
# NUL is removed from every JSON text before a model sees it (`warroom.untrusted`, tested in
# `test_boundary_*`), so a string one over its maxLength that carries NULs is, once stored, within
# it and rightly accepted: generated strings carry no NUL, or that by-design acceptance would fail
# the negative check for whichever route the seed happens to pad with NULs.
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"allow-x00": False},
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", 401, 403, 404, 409, 413, 429, "5xx"]},
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"]
            },
        },
    }
)


@pytest.fixture(scope="module")
def api_schema(seeded_app: Any) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", seeded_app, config=CONFIG, headers=AUTH)


@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
def test_every_operation_answers_as_documented(api_schema: Any, mode: GenerationMode) -> None:
    """Positive cases must be served or refused as documented; negative ones refused with a 4xx
    (an operation whose inputs no schema can break, such as a free-text path, has none)."""
    failures: dict[str, BaseException] = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def answers_as_documented(case: Any) -> None:
            case.call_and_validate(headers=AUTH)

        try:
            answers_as_documented()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, f"{operation.label}: no valid request can be made"
        except Exception as exc:  # every operation is tried; all failures are reported together
            failures[operation.label] = exc
    assert not failures, "\n\n".join(f"{label}:\n{exc}" for label, exc in failures.items())
