from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.instatus_server import FakeInstatus
from tools.status_page.instatus import Instatus
from tools.status_page.port import StatusPageError
from warroom.clock import FakeClock
from warroom.incidents.models import IncidentStatus
from warroom.status_page.models import ComponentStatus, Impact, StatusPost


@pytest.fixture
def fake() -> Iterator[FakeInstatus]:
    fake = FakeInstatus()
    yield fake
    assert fake.violations == []


@pytest.fixture
def page(fake: FakeInstatus) -> Instatus:
    client = httpx.Client(base_url="https://api.instatus.com", transport=fake.transport)
    return Instatus(
        client,
        fake.page_id,
        fake.api_key,
        component_ids={"checkout": "ckf01fvnxywz50a35nh1qzssm"},
        clock=FakeClock(),
    )


def _post(status: IncidentStatus, components: dict[str, ComponentStatus] | None = None) -> StatusPost:
    return StatusPost(
        incident_id=7,
        title="Checkout failing",
        status=status,
        body=f"Checkout is {status.value}.",
        impact=Impact.CRITICAL,
        components=components if components is not None else {"checkout": ComponentStatus.MAJOR_OUTAGE},
    )


def test_create_incident_posts_upper_case_enums_with_bearer_auth(fake: FakeInstatus, page: Instatus) -> None:
    incident_id = page.create_incident(_post(IncidentStatus.INVESTIGATING))

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", f"/v1/{fake.page_id}/incidents")
    assert sent.headers["authorization"] == f"Bearer {fake.api_key}"
    assert sent.body == {
        "name": "Checkout failing",
        "message": "Checkout is investigating.",
        "components": ["ckf01fvnxywz50a35nh1qzssm"],
        "started": "2026-11-03T02:00:00.000Z",
        "status": "INVESTIGATING",
        "notify": True,
        "statuses": [{"id": "ckf01fvnxywz50a35nh1qzssm", "status": "MAJOROUTAGE"}],
    }
    assert fake.incidents[incident_id]["status"] == "INVESTIGATING"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (IncidentStatus.INVESTIGATING, "INVESTIGATING"),
        (IncidentStatus.IDENTIFIED, "IDENTIFIED"),
        (IncidentStatus.MONITORING, "MONITORING"),
        (IncidentStatus.RESOLVED, "RESOLVED"),
    ],
)
def test_update_goes_to_incident_updates_with_instatus_status(
    fake: FakeInstatus, page: Instatus, status: IncidentStatus, expected: str
) -> None:
    incident_id = page.create_incident(_post(IncidentStatus.INVESTIGATING))

    page.update_incident(incident_id, _post(status))

    assert fake.requests[-1].path == f"/v1/{fake.page_id}/incidents/{incident_id}/incident-updates"
    assert fake.incidents[incident_id]["status"] == expected
    assert fake.incidents[incident_id]["updates"][-1]["message"] == f"Checkout is {status.value}."


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (ComponentStatus.OPERATIONAL, "OPERATIONAL"),
        (ComponentStatus.DEGRADED_PERFORMANCE, "DEGRADEDPERFORMANCE"),
        (ComponentStatus.PARTIAL_OUTAGE, "PARTIALOUTAGE"),
        (ComponentStatus.MAJOR_OUTAGE, "MAJOROUTAGE"),
        (ComponentStatus.UNDER_MAINTENANCE, "UNDERMAINTENANCE"),
    ],
)
def test_component_statuses_map_to_instatus_names(
    fake: FakeInstatus, page: Instatus, ours: ComponentStatus, theirs: str
) -> None:
    page.create_incident(_post(IncidentStatus.IDENTIFIED, {"checkout": ours}))

    assert fake.components == {"ckf01fvnxywz50a35nh1qzssm": theirs}


def test_update_without_components_leaves_component_fields_out(fake: FakeInstatus, page: Instatus) -> None:
    incident_id = page.create_incident(_post(IncidentStatus.INVESTIGATING))

    page.update_incident(incident_id, _post(IncidentStatus.MONITORING, {}))

    assert "components" not in fake.requests[-1].body
    assert "statuses" not in fake.requests[-1].body
    assert fake.components == {"ckf01fvnxywz50a35nh1qzssm": "MAJOROUTAGE"}


def test_rate_limit_raises_with_retry_after(fake: FakeInstatus, page: Instatus) -> None:
    fake.fail_next(retry_after=30)

    with pytest.raises(StatusPageError) as raised:
        page.create_incident(_post(IncidentStatus.INVESTIGATING))

    assert (raised.value.status, raised.value.retry_after) == (429, 30.0)


def test_error_message_comes_from_instatus_error_shape(fake: FakeInstatus) -> None:
    client = httpx.Client(base_url="https://api.instatus.com", transport=fake.transport)
    page = Instatus(client, fake.page_id, "wrong", clock=FakeClock())

    with pytest.raises(StatusPageError, match="Not authorized") as raised:
        page.create_incident(_post(IncidentStatus.INVESTIGATING))

    assert raised.value.status == 401


def test_fake_rejects_lower_case_status() -> None:
    fake = FakeInstatus()
    client = httpx.Client(base_url="https://api.instatus.com", transport=fake.transport)

    response = client.post(
        f"/v1/{fake.page_id}/incidents",
        json={"name": "x", "message": "y", "status": "investigating"},
        headers={"Authorization": f"Bearer {fake.api_key}"},
    )

    assert response.status_code == 400
    assert any("investigating" in problem for problem in fake.violations)
