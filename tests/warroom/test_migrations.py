"""The migrations build the schema the models describe: a table, column, index or foreign key
added to a model without a migration (or the other way round) fails here."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from warroom.db import make_engine
from warroom.migrations import upgrade
from warroom.tables import Base


def _fts(name: str | None, type_: str, parent_names: object) -> bool:
    return not (type_ == "table" and name is not None and name.startswith("incidents_fts"))


def test_sqlite_at_head_has_no_difference_from_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            # SQLite ignores VARCHAR lengths, which 0008 widened on PostgreSQL only: types are not compared
            context = MigrationContext.configure(conn, opts={"compare_type": False, "include_name": _fts})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
