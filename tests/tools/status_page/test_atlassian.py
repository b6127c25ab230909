from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.statuspage_server import FakeStatuspage
from tools.retry_after import retry_after_seconds
from tools.status_page.atlassian import AtlassianStatuspage
from tools.status_page.port import StatusPageError
from warroom.incidents.models import IncidentStatus
from warroom.status_page.models import ComponentStatus, Impact, StatusPost


@pytest.fixture
def fake() -> Iterator[FakeStatuspage]:
    fake = FakeStatuspage()
    yield fake
    assert fake.violations == []


@pytest.fixture
def page(fake: FakeStatuspage) -> AtlassianStatuspage:
    client = httpx.Client(base_url="https://api.statuspage.io/v1", transport=fake.transport)
    return AtlassianStatuspage(client, fake.page_id, fake.api_key, component_ids={"checkout": "8kbf7d35c070"})


def _post(status: IncidentStatus, **overrides: object) -> StatusPost:
    fields: dict[str, object] = {
        "incident_id": 42,
        "title": "Elevated checkout errors",
        "status": status,
        "body": "We are investigating elevated error rates on checkout.",
        "impact": Impact.MAJOR,
        "components": {"checkout": ComponentStatus.PARTIAL_OUTAGE},
    }
    fields.update(overrides)
    return StatusPost.model_validate(fields)


def test_create_incident_sends_the_documented_body_with_oauth_header(
    fake: FakeStatuspage, page: AtlassianStatuspage
) -> None:
    page_incident_id = page.create_incident(_post(IncidentStatus.INVESTIGATING))

    assert page_incident_id in fake.incidents
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", f"/v1/pages/{fake.page_id}/incidents")
    assert sent.headers["authorization"] == f"OAuth {fake.api_key}"
    assert sent.body == {
        "incident": {
            "name": "Elevated checkout errors",
            "status": "investigating",
            "body": "We are investigating elevated error rates on checkout.",
            "impact_override": "major",
            "component_ids": ["8kbf7d35c070"],
            "components": {"8kbf7d35c070": "partial_outage"},
            "metadata": {"warroom": {"incident_id": "42"}},
        }
    }
    assert fake.components == {"8kbf7d35c070": "partial_outage"}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (IncidentStatus.INVESTIGATING, "investigating"),
        (IncidentStatus.IDENTIFIED, "identified"),
        (IncidentStatus.MONITORING, "monitoring"),
        (IncidentStatus.RESOLVED, "resolved"),
    ],
)
def test_each_incident_status_reaches_the_page_under_its_statuspage_name(
    fake: FakeStatuspage, page: AtlassianStatuspage, status: IncidentStatus, expected: str
) -> None:
    page_incident_id = page.create_incident(_post(IncidentStatus.INVESTIGATING))

    page.update_incident(page_incident_id, _post(status, body=f"Now {status.value}."))

    incident = fake.incidents[page_incident_id]
    assert incident["status"] == expected
    assert incident["incident_updates"][0]["body"] == f"Now {status.value}."
    assert fake.requests[-1].method == "PATCH"


def test_resolving_with_operational_components_restores_them(fake: FakeStatuspage, page: AtlassianStatuspage) -> None:
    page_incident_id = page.create_incident(_post(IncidentStatus.INVESTIGATING))

    page.update_incident(
        page_incident_id,
        _post(IncidentStatus.RESOLVED, impact=Impact.NONE, components={"checkout": ComponentStatus.OPERATIONAL}),
    )

    assert fake.components == {"8kbf7d35c070": "operational"}
    assert fake.incidents[page_incident_id]["impact_override"] == "none"


def test_update_without_components_keeps_the_incidents_components(
    fake: FakeStatuspage, page: AtlassianStatuspage
) -> None:
    page_incident_id = page.create_incident(_post(IncidentStatus.INVESTIGATING))

    page.update_incident(page_incident_id, _post(IncidentStatus.IDENTIFIED, components={}))

    assert "component_ids" not in fake.requests[-1].body["incident"]
    assert "components" not in fake.requests[-1].body["incident"]
    assert fake.components == {"8kbf7d35c070": "partial_outage"}


def test_set_component_status_patches_the_mapped_component(fake: FakeStatuspage, page: AtlassianStatuspage) -> None:
    page.set_component_status("checkout", ComponentStatus.MAJOR_OUTAGE)

    assert fake.requests[-1].path == f"/v1/pages/{fake.page_id}/components/8kbf7d35c070"
    assert fake.requests[-1].body == {"component": {"status": "major_outage"}}
    assert fake.components["8kbf7d35c070"] == "major_outage"


@pytest.mark.parametrize("status", [420, 429])
def test_rate_limit_raises_with_retry_after(fake: FakeStatuspage, page: AtlassianStatuspage, status: int) -> None:
    fake.fail_next(status=status, retry_after=12)

    with pytest.raises(StatusPageError) as raised:
        page.create_incident(_post(IncidentStatus.INVESTIGATING))

    assert raised.value.status == status
    assert raised.value.retry_after == 12.0
    assert fake.incidents == {}


def test_wrong_key_surfaces_the_services_401_without_retry_hint(fake: FakeStatuspage) -> None:
    client = httpx.Client(base_url="https://api.statuspage.io/v1", transport=fake.transport)
    page = AtlassianStatuspage(client, fake.page_id, "not-the-key")

    with pytest.raises(StatusPageError, match="Could not authenticate") as raised:
        page.create_incident(_post(IncidentStatus.INVESTIGATING))

    assert (raised.value.status, raised.value.retry_after) == (401, None)


def test_unknown_incident_is_a_404_error(page: AtlassianStatuspage) -> None:
    with pytest.raises(StatusPageError) as raised:
        page.update_incident("nope", _post(IncidentStatus.MONITORING))

    assert raised.value.status == 404


def test_fake_rejects_a_request_that_breaks_the_spec() -> None:
    fake = FakeStatuspage()
    client = httpx.Client(base_url="https://api.statuspage.io/v1", transport=fake.transport)

    response = client.post(
        f"/pages/{fake.page_id}/incidents",
        json={"incident": {"name": "x", "status": "on_fire", "components": {"c1": "broken"}}},
        headers={"Authorization": f"OAuth {fake.api_key}"},
    )

    assert response.status_code == 400
    assert any("on_fire" in problem for problem in fake.violations)
    assert any("broken" in problem for problem in fake.violations)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), (" 2.5 ", 2.5), ("-3", 0.0), (None, None), ("Wed, 21 Oct 2015 07:28:00 GMT", None)],
)
def test_retry_after_reads_delta_seconds_only(header: str | None, expected: float | None) -> None:
    assert retry_after_seconds(header) == expected
