"""full-text search over incidents (SQLite FTS5, PostgreSQL tsvector)

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE incidents_fts USING fts5(title, service, content='incidents', content_rowid='id')",
    "INSERT INTO incidents_fts(rowid, title, service) SELECT id, title, coalesce(service, '') FROM incidents",
    """CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN
         INSERT INTO incidents_fts(rowid, title, service) VALUES (new.id, new.title, coalesce(new.service, ''));
       END""",
    """CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
         INSERT INTO incidents_fts(incidents_fts, rowid, title, service)
         VALUES ('delete', old.id, old.title, coalesce(old.service, ''));
       END""",
    """CREATE TRIGGER incidents_fts_update AFTER UPDATE OF title, service ON incidents BEGIN
         INSERT INTO incidents_fts(incidents_fts, rowid, title, service)
         VALUES ('delete', old.id, old.title, coalesce(old.service, ''));
         INSERT INTO incidents_fts(rowid, title, service) VALUES (new.id, new.title, coalesce(new.service, ''));
       END""",
]
SQLITE_DOWN = ["DROP TRIGGER incidents_fts_update", "DROP TRIGGER incidents_fts_delete",
               "DROP TRIGGER incidents_fts_insert", "DROP TABLE incidents_fts"]
POSTGRES_UP = ["CREATE INDEX ix_incidents_search ON incidents USING gin "
               "(to_tsvector('simple', title || ' ' || coalesce(service, '')))"]
POSTGRES_DOWN = ["DROP INDEX ix_incidents_search"]


def upgrade() -> None:
    for statement in SQLITE_UP if op.get_context().dialect.name == "sqlite" else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DOWN if op.get_context().dialect.name == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
