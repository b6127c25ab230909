"""People with their own sign-in: what a user does carries their name; a viewer looks but cannot act;
removing a user ends their sessions; the shared API token still signs in as "web"."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.conftest import API_TOKEN
from warroom.errors import Conflict, NotFound
from warroom.users import store as users
from warroom.users.store import Role


def _add(warroom, name: str, role: Role = Role.RESPONDER) -> str:
    with warroom.engine.begin() as conn:
        _, token = users.add_user(
            conn, name=name, email=f"{name.split()[0].lower()}@shop.example", role=role, now=warroom.clock.now()
        )
    return token


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_users_are_added_once_found_by_their_token_and_removed(warroom):
    token = _add(warroom, "Dana Reyes")
    with warroom.engine.begin() as conn:
        found = users.find_by_token(conn, token)
        assert found is not None and (found.name, found.role) == ("Dana Reyes", Role.RESPONDER)
        assert found.token_digest != token and token not in found.model_dump_json()
        with pytest.raises(Conflict):
            users.add_user(conn, name="Dana  Reyes", email=None, role=Role.VIEWER, now=warroom.clock.now())
        users.remove_user(conn, "Dana Reyes")
        assert users.find_by_token(conn, token) is None
        with pytest.raises(NotFound):
            users.remove_user(conn, "Dana Reyes")


def test_a_user_acts_under_their_name_and_is_signed_out_when_removed(client, warroom, auth, p0_incident):
    token = _add(warroom, "Dana Reyes")
    assert client.post("/login", data={"token": token, "next": "/incidents"}, follow_redirects=False).is_redirect
    page = client.get(f"/incidents/{p0_incident}").text
    assert "Sign out Dana Reyes" in page
    acked = client.post(f"/incidents/{p0_incident}/acknowledge", data={"csrf": _csrf(page)}, follow_redirects=False)
    assert acked.status_code == 303
    assert client.get(f"/api/incidents/{p0_incident}", headers=auth).json()["acknowledged_by"] == "Dana Reyes"

    with warroom.engine.begin() as conn:
        users.remove_user(conn, "Dana Reyes")
    gone = client.get("/incidents", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")


def test_a_viewer_looks_but_cannot_act_and_can_still_sign_out(client, warroom, auth, p0_incident):
    token = _add(warroom, "Vic Viewer", Role.VIEWER)
    client.post("/login", data={"token": token, "next": "/incidents"})
    page = client.get(f"/incidents/{p0_incident}").text
    assert "Sign out Vic Viewer (viewer)" in page
    refused = client.post(f"/incidents/{p0_incident}/acknowledge", data={"csrf": _csrf(page)})
    assert refused.status_code == 403 and "viewers can look, not act" in refused.text
    assert client.get(f"/api/incidents/{p0_incident}", headers=auth).json()["acknowledged_by"] is None
    assert client.post("/logout", data={"csrf": _csrf(page)}, follow_redirects=False).headers["location"] == "/login"


def test_the_shared_api_token_still_signs_in_as_web(client, auth, p0_incident):
    client.post("/login", data={"token": API_TOKEN, "next": "/incidents"})
    page = client.get(f"/incidents/{p0_incident}").text
    assert 'id="sign-out">Sign out</button>' in page
    client.post(f"/incidents/{p0_incident}/acknowledge", data={"csrf": _csrf(page)})
    assert client.get(f"/api/incidents/{p0_incident}", headers=auth).json()["acknowledged_by"] == "web"
    assert client.post("/login", data={"token": "wr_not-a-token"}).status_code == 401


def test_users_from_the_terminal(settings, monkeypatch):
    monkeypatch.setenv("WARROOM_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("WARROOM_DATA_DIR", str(settings.data_dir))
    cli = CliRunner()
    added = cli.invoke(app, ["users", "add", "Sam Okafor", "--email", "sam@shop.example", "--role", "viewer"])
    assert added.exit_code == 0 and "added Sam Okafor (viewer)" in added.output
    assert re.search(r"sign-in token \(shown once; they paste it at /login\): wr_\S+", added.output)
    assert "Sam Okafor\tviewer\tsam@shop.example" in cli.invoke(app, ["users", "list"]).output
    assert cli.invoke(app, ["users", "add", "Sam Okafor"]).exit_code == 1
    assert cli.invoke(app, ["users", "add", "Al", "--role", "admin"]).exit_code == 2
    assert cli.invoke(app, ["users", "remove", "Sam Okafor"]).exit_code == 0
    assert "no users" in cli.invoke(app, ["users", "list"]).output
