"""One action item as the COO would hand it to any tracker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from tools.tracker.port import TicketRequest
from warroom.severity import Severity

OWNER_EMAIL = "dana@acme.example"


def ticket_request(**overrides: Any) -> TicketRequest:
    fields: dict[str, Any] = {
        "key": "incident:12:action:1",
        "incident_id": 12,
        "title": "Fix the checkout root cause: connection pool exhausted under retries",
        "description": "Cap retries on the payment client.\n\n- add a circuit breaker\n- alert on pool saturation",
        "owner": "Dana Lee (incident commander)",
        "owner_email": OWNER_EMAIL,
        "due": date(2026, 12, 4),
        "priority": Severity.P0,
        "incident_url": "https://warroom.acme.example/incidents/12",
        "postmortem_url": "https://warroom.acme.example/incidents/12/postmortem",
    }
    fields.update(overrides)
    return TicketRequest.model_validate(fields)


@pytest.fixture
def make_request() -> Callable[..., TicketRequest]:
    return ticket_request
