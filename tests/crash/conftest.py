"""Fixtures of the crash suite: the outside services on loopback and a warroom installation whose
processes the tests kill and restart."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from api.server import free_port
from tests.conftest import API_TOKEN, SENTRY_SECRET, WEBHOOK_TOKEN
from tests.crash.process import WarroomProcess
from tests.crash.scenario import Probe, Scenario
from tests.crash.services import Services
from tests.crash.storm import Storm

CADENCE_SECONDS = 3.0
"""The P0/P1 update cadence in these runs (15 and 30 minutes in production): warroom's clock is
the wall clock in a child process, so the cadence is shortened rather than time faked."""


@pytest.fixture
def services() -> Iterator[Services]:
    running = Services().start()
    yield running
    running.stop()


@pytest.fixture
def installation(tmp_path: Path) -> Iterator[Callable[..., Scenario]]:
    """A scenario factory: a database (SQLite here unless a URL is given), a data folder, a port."""
    made: list[Scenario] = []

    def make(*, database_url: str | None = None, env: dict[str, str] | None = None, events: int = 200) -> Scenario:
        url = database_url or f"sqlite:///{tmp_path / 'warroom.db'}"
        minutes = CADENCE_SECONDS / 60
        port = free_port()
        settings = {
            "WARROOM_DATABASE_URL": url,
            "WARROOM_DATA_DIR": str(tmp_path / "data"),
            "WARROOM_CONFIG": os.devnull,  # no warroom.toml (a missing one is a configuration error)
            "WARROOM_API_TOKEN": API_TOKEN,
            "WARROOM_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
            "WARROOM_SENTRY_CLIENT_SECRET": SENTRY_SECRET,
            "WARROOM_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "WARROOM_UPDATE_CADENCE_MINUTES": json.dumps({"P0": minutes, "P1": minutes}),
            **(env or {}),
        }
        process = WarroomProcess(settings, port, tmp_path / "warroom.log")
        storm = Storm(process.url, SENTRY_SECRET, events=events, per_second=40)
        scenario = Scenario(process, Probe(url), storm, API_TOKEN)
        made.append(scenario)
        return scenario

    yield make
    for scenario in made:
        scenario.storm.stop()
        scenario.process.kill()
        scenario.probe.close()
