"""The digest on demand (an ISO week, JSON or Markdown, the terminal) and every Monday at 09:00,
mailed once per week, each one scheduling the next whether or not an incident resolves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app
from api.composition import Warroom
from tests.conftest import open_outage
from warroom.clock import FakeClock
from warroom.settings import Person, Settings

DANA = "dana@shop.example"
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # ISO week 2026-W48


@pytest.fixture
def live(settings: Settings) -> Iterator[tuple[Warroom, TestClient, FakeClock]]:
    clock = FakeClock(TUESDAY)
    warroom = Warroom.build(settings.model_copy(update={"on_call": Person(name="Dana", email=DANA)}), clock)
    with TestClient(create_app(warroom, run_worker=False)) as client:
        yield warroom, client, clock
    warroom.close()


def _digest_mails(warroom: Warroom) -> list[str]:
    mails = [m.read_text() for m in (warroom.settings.data_dir / "outbox-email").glob("*.eml")]
    return [m for m in mails if "warroom weekly digest" in m]


def test_an_iso_week_as_json_markdown_and_from_the_terminal(live, auth, settings, monkeypatch) -> None:
    warroom, client, clock = live
    incident_id = open_outage(client, warroom, clock)
    client.post(f"/api/incidents/{incident_id}/acknowledge", json={"actor": "dana"}, headers=auth)
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=auth)
    warroom.scheduler.run_pending()

    week = client.get("/api/digest", params={"week": "2026-W48"}, headers=auth).json()
    assert (week["label"], week["incidents"], week["by_severity"]) == ("2026-W48", 1, {"P0": 1})
    assert week["since"].startswith("2026-11-23T00:00") and week["until"].startswith("2026-11-30T00:00")
    [ack] = [m for m in week["measures"] if m["name"] == "time to acknowledge"]
    assert ack["count"] == 1 and ack["worst_incident"] == incident_id
    other = client.get("/api/digest", params={"week": "2026-W47"}, headers=auth).json()
    assert other["incidents"] == 0

    markdown = client.get("/api/digest", params={"week": "2026-W48", "format": "markdown"}, headers=auth)
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# warroom weekly digest 2026-W48") and "## Against the playbook" in markdown.text

    malformed = client.get("/api/digest", params={"week": "2026-48"}, headers=auth)
    assert malformed.status_code == 422 and "week" in malformed.text
    missing = client.get("/api/digest", params={"week": "2026-W60"}, headers=auth)
    assert missing.status_code == 404 and "2026-W60" in missing.text

    monkeypatch.setenv("WARROOM_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("WARROOM_DATA_DIR", str(settings.data_dir))
    printed = CliRunner().invoke(app, ["digest", "--week", "2026-W48", "--markdown"])
    assert printed.exit_code == 0, printed.output
    assert "# warroom weekly digest 2026-W48" in printed.output and "Incidents opened: 1 (1 P0)" in printed.output
    assert CliRunner().invoke(app, ["digest", "--week", "48"]).exit_code == 2

    month = client.get("/api/digest", params={"month": "2026-11"}, headers=auth).json()
    assert (month["label"], month["title"], month["incidents"]) == ("2026-11", "warroom monthly report 2026-11", 1)
    assert month["summary"].startswith("1 incident this month (1 P0)")
    assert client.get("/api/digest", params={"month": "2026-13"}, headers=auth).status_code == 404
    assert client.get("/api/digest", params={"month": "Nov"}, headers=auth).status_code == 422
    monthly = CliRunner().invoke(app, ["digest", "--month", "2026-11"])
    assert monthly.exit_code == 0 and monthly.output.startswith("warroom monthly report 2026-11")
    assert CliRunner().invoke(app, ["digest", "--month", "11/2026"]).exit_code == 2


def test_every_monday_at_nine_the_week_just_ended_is_mailed_once(live, auth) -> None:
    warroom, client, clock = live
    incident_id = open_outage(client, warroom, clock)
    client.post(f"/api/incidents/{incident_id}/resolve", json={"actor": "dana"}, headers=auth)
    warroom.scheduler.run_pending()
    assert _digest_mails(warroom) == []

    clock.set(datetime(2026, 11, 30, 9, 0, 5, tzinfo=UTC))  # Monday: W48 just ended
    warroom.scheduler.run_pending()
    warroom.scheduler.run_pending()
    [mail] = _digest_mails(warroom)
    assert "warroom weekly digest 2026-W48: 1 incident" in mail and f"To: {DANA}" in mail

    clock.set(datetime(2026, 12, 7, 9, 0, 5, tzinfo=UTC))  # a quiet week: still a digest, of W49
    warroom.scheduler.run_pending()
    mails = _digest_mails(warroom)
    assert len(mails) == 2 and any("warroom weekly digest 2026-W49: 0 incidents" in m for m in mails)
    clock.advance(timedelta(hours=1))
    warroom.scheduler.run_pending()
    assert len(_digest_mails(warroom)) == 2
