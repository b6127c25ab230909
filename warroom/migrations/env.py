"""Alembic environment: runs online against the URL set by `alembic_config`.

Several processes may start at once against one PostgreSQL (`warroom serve` beside `warroom
worker`): they migrate one at a time under an advisory lock, and the later ones find the head.
"""

from alembic import context
from sqlalchemy import text

from warroom.db import make_engine
from warroom.tables import Base

config = context.config


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """The full-text index (SQLite FTS5 shadow tables) is made by hand in 0006: not a model."""
    return not (type_ == "table" and name is not None and name.startswith("incidents_fts"))


engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
with engine.connect() as connection:
    context.configure(
        connection=connection, target_metadata=Base.metadata, render_as_batch=True, include_name=include_name
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('warroom.migrations'))"))
        context.run_migrations()
engine.dispose()
