"""Declaring an incident by hand: the same lifecycle as an alert-opened incident, at the level the
person chose (never the rules' first reading), through every door (REST, CLI; the web form is in
the Chromium tests)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli import app


def _declare(client, auth, **body):
    return client.post("/api/incidents", json={"actor": "dana", **body}, headers=auth)


def test_a_declared_p0_opens_at_p0_with_the_page_the_war_room_and_nothing_rated_first(client, warroom, auth):
    response = _declare(
        client,
        auth,
        title="Checkout is failing",
        severity="P0",
        service="checkout",
        customers_see="three tweets since 14:05: card payments declined",
    )
    assert response.status_code == 201, response.text
    incident_id = response.json()["incident_id"]
    assert response.json()["joined"] is False
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert (incident["severity"], incident["source"]) == ("P0", "declared")
    assert incident["classification"]["decided_by"] == "human:dana"
    severities = [e["text"] for e in incident["timeline"] if e["kind"] == "severity"]
    assert len(severities) == 1 and severities[0].startswith("Severity P0")  # no rules' level first, no raise
    kinds = {e["kind"] for e in incident["timeline"]}
    assert {"status_page", "war_room", "comms_drafted"} <= kinds
    [page] = [e for e in incident["timeline"] if e["kind"] == "status_page"]
    assert "Checkout" in page["text"] and "card payments declined" not in page["text"]  # internal words stay in


def test_declaring_what_is_already_open_joins_it_and_raises_it_when_worse(client, warroom, auth):
    first = _declare(client, auth, title="Search is slow", severity="P2", service="search").json()["incident_id"]
    warroom.scheduler.run_pending()
    again = _declare(client, auth, title="Search is slow", severity="P1", service="search")
    assert again.json() == {"incident_id": first, "joined": True}
    warroom.scheduler.run_pending()
    assert client.get(f"/api/incidents/{first}", headers=auth).json()["severity"] == "P1"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"title": "x", "severity": "P0"}, "title"), ({"title": "Checkout down", "severity": "P9"}, "severity")],
)
def test_a_bad_declaration_is_a_422_naming_the_field(client, auth, body, field):
    response = _declare(client, auth, **body)
    assert response.status_code == 422 and field in response.text


def test_warroom_declare_from_the_terminal(client, warroom, auth, settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WARROOM_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("WARROOM_DATA_DIR", str(settings.data_dir))
    done = CliRunner().invoke(app, ["declare", "Login is failing", "--severity", "P1", "--as", "erin"])
    assert done.exit_code == 0, done.output
    assert "opened incident" in done.output
    incident_id = int(done.output.split("opened incident ")[1].split()[0])
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert (incident["severity"], incident["classification"]["decided_by"]) == ("P1", "human:cli:erin")
    refused = CliRunner().invoke(app, ["declare", "no", "--severity", "P1"])
    assert refused.exit_code == 2 and "title" in refused.output
