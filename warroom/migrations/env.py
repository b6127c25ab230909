"""Alembic environment: runs online against the URL set by `alembic_config`."""

from alembic import context

from warroom.db import make_engine
from warroom.tables import Base

config = context.config
engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
