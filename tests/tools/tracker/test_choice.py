"""Which tracker a warroom uses: whichever is configured, said at start-up."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.composition import Warroom
from tests.fakes.jira_server import FakeJira
from tests.tools.tracker.conftest import ticket_request
from tools.tracker import BuiltinTracker, JiraTracker, LinearTracker, TrackerChoice, tracker_from_settings
from warroom.clock import FakeClock
from warroom.db import make_engine
from warroom.settings import Settings
from warroom.severity import Severity


def _choose(**settings: object) -> TrackerChoice:
    engine = make_engine("sqlite://")
    return tracker_from_settings(Settings(**settings), httpx.Client(), engine=engine, clock=FakeClock())


def test_with_nothing_configured_the_built_in_table_is_the_tracker() -> None:
    choice = _choose()

    assert isinstance(choice.tracker, BuiltinTracker)
    assert choice.description.startswith("built-in action-item tracker (set WARROOM_LINEAR_API_KEY")


def test_linear_is_chosen_when_its_key_and_team_are_set_even_beside_jira() -> None:
    choice = _choose(
        linear_api_key="lin_api_x", linear_team_id="team-1", jira_url="https://acme.atlassian.net", jira_project="OPS"
    )

    assert isinstance(choice.tracker, LinearTracker)
    assert choice.description == "Linear team team-1"
    assert "lin_api_x" not in choice.description


def test_jira_is_chosen_when_its_site_credentials_and_project_are_set() -> None:
    choice = _choose(
        jira_url="https://acme.atlassian.net", jira_email="bot@acme.example", jira_api_token="t", jira_project="OPS"
    )

    assert isinstance(choice.tracker, JiraTracker)
    assert choice.description == "Jira project OPS at https://acme.atlassian.net"


@pytest.mark.parametrize(
    ("settings", "missing"),
    [
        ({"linear_api_key": "lin_api_x"}, "WARROOM_LINEAR_TEAM_ID"),
        (
            {"jira_url": "https://acme.atlassian.net", "jira_project": "OPS"},
            "WARROOM_JIRA_EMAIL, WARROOM_JIRA_API_TOKEN",
        ),
    ],
)
def test_a_half_configured_tracker_falls_back_to_built_in_and_names_what_is_missing(
    settings: dict[str, str], missing: str
) -> None:
    choice = _choose(**settings)

    assert isinstance(choice.tracker, BuiltinTracker)
    assert missing in choice.description


def test_warroom_says_at_start_up_which_tracker_files_tickets(tmp_path: Path) -> None:
    configured = Settings(
        database_url=f"sqlite:///{tmp_path / 'warroom.db'}",
        data_dir=tmp_path / "data",
        linear_api_key="lin_api_x",
        linear_team_id="team-1",
    )
    warroom = Warroom.build(configured, FakeClock())
    try:
        assert warroom.defaults["tickets"] == "Linear team team-1"
        assert isinstance(warroom.tracker, LinearTracker)
    finally:
        warroom.close()


def test_jira_settings_from_the_environment_and_toml_reach_the_tickets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeJira(priorities=("Blocker", "High", "Medium", "Low"))
    config = tmp_path / "warroom.toml"
    config.write_text('jira_issue_type = "Bug"\n\n[jira_priorities]\nP0 = "Blocker"\n')
    monkeypatch.setenv("WARROOM_CONFIG", str(config))
    for name, value in {"URL": fake.site, "EMAIL": fake.email, "API_TOKEN": fake.api_token, "PROJECT": "OPS"}.items():
        monkeypatch.setenv(f"WARROOM_JIRA_{name}", value)
    engine = make_engine("sqlite://")
    jira, _ = tracker_from_settings(
        Settings(), httpx.Client(transport=fake.transport), engine=engine, clock=FakeClock()
    )

    urgent = jira.create_ticket(ticket_request(priority=Severity.P0))
    high = jira.create_ticket(ticket_request(key="incident:12:action:2", priority=Severity.P1))

    assert fake.issues[urgent.id]["fields"]["priority"] == {"name": "Blocker"}
    assert fake.issues[high.id]["fields"]["priority"] == {"name": "High"}
    assert fake.issues[high.id]["fields"]["issuetype"] == {"name": "Bug"}
    assert fake.violations == []
