"""`warroom incident|draft|action-item …` run the same actions against the configured database,
record the terminal user as `cli:<name>`, and exit 1 with the reason when refused."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli import app


@pytest.fixture
def cli(settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("WARROOM_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("WARROOM_DATA_DIR", str(settings.data_dir))
    return CliRunner()


def test_acknowledge_from_the_terminal_once(cli, client, auth, p0_incident):
    incident_id = p0_incident
    done = cli.invoke(app, ["incident", "ack", str(incident_id), "--as", "dana"])
    assert done.exit_code == 0, done.output
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["acknowledged_by"] == "cli:dana"
    again = cli.invoke(app, ["incident", "ack", str(incident_id), "--as", "erin"])
    assert again.exit_code == 1
    assert "already acknowledged by cli:dana" in again.output


def test_a_note_and_a_rejection_from_the_terminal(cli, client, auth, p0_incident):
    incident_id = p0_incident
    assert cli.invoke(app, ["incident", "note", str(incident_id), "tried: restart", "--as", "dana"]).exit_code == 0
    drafts = client.get("/api/approvals", params={"incident_id": incident_id}, headers=auth).json()
    [email] = [d for d in drafts if d["channel"] == "email"]
    rejected = cli.invoke(app, ["draft", "reject", str(email["id"]), "--reason", "too early", "--as", "dana"])
    assert rejected.exit_code == 0 and "rejected" in rejected.output
    timeline = client.get(f"/api/incidents/{incident_id}", headers=auth).json()["timeline"]
    assert ("cli:dana", "tried: restart") in [(e["actor"], e["text"]) for e in timeline if e["kind"] == "note"]
    assert any(e["kind"] == "comms_decision" and "rejected by cli:dana: too early" in e["text"] for e in timeline)
    assert cli.invoke(app, ["draft", "approve", str(email["id"])]).exit_code == 1


def test_stage_and_an_update_now_from_the_terminal(cli, client, auth, warroom, p0_incident):
    incident_id = p0_incident
    staged = cli.invoke(app, ["incident", "stage", str(incident_id), "identified", "--as", "dana"])
    assert staged.exit_code == 0, staged.output
    assert client.get(f"/api/incidents/{incident_id}", headers=auth).json()["status"] == "identified"
    posted = cli.invoke(app, ["incident", "update", str(incident_id), "--stage", "monitoring", "--as", "dana"])
    assert posted.exit_code == 0, posted.output
    warroom.scheduler.run_pending()
    incident = client.get(f"/api/incidents/{incident_id}", headers=auth).json()
    assert incident["status"] == "monitoring"
    assert any("brought forward by cli:dana" in e["text"] for e in incident["timeline"])
    assert cli.invoke(app, ["incident", "update", str(incident_id), "--stage", "resolved"]).exit_code == 2
