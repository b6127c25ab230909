"""Fixtures shared by the storage tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from api.composition import Warroom
from tests.pg import fresh_database
from warroom.clock import FakeClock
from warroom.settings import Settings


@pytest.fixture(params=["sqlite", "postgresql"])
def two_warrooms(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Iterator[tuple[Warroom, Warroom]]:
    """Two warrooms on two fresh databases of the same kind, to write one thing two ways and
    compare what each database holds."""
    with ExitStack() as stack:
        built = []
        for name in ("first", "second"):
            if request.param == "sqlite":
                url = f"sqlite:///{tmp_path / f'{name}.db'}"
            else:
                url = stack.enter_context(fresh_database(request.getfixturevalue("postgres_url")))
            warroom = Warroom.build(Settings(database_url=url, data_dir=tmp_path / name), clock)
            stack.callback(warroom.close)
            built.append(warroom)
        yield built[0], built[1]
