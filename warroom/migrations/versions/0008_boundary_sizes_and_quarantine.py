"""columns sized for what sources send; quarantined deliveries

Revision ID: 0008
Revises: 0007

The widened columns change on PostgreSQL only: SQLite never enforces a VARCHAR length and its
INTEGER is 64-bit already, while rebuilding `incidents` there would drop its full-text triggers.
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# (table, column, old type, new type)
RESIZED = [
    ('alerts', 'source', sa.String(32), sa.String(64)),
    ('alerts', 'event_type', sa.String(64), sa.String(255)),
    ('alerts', 'environment', sa.String(64), sa.String(255)),
    ('alerts', 'level', sa.String(32), sa.String(64)),
    ('incidents', 'source', sa.String(32), sa.String(64)),
    ('incidents', 'environment', sa.String(64), sa.String(255)),
    ('incidents', 'level', sa.String(32), sa.String(64)),
    ('incidents', 'runbook_url', sa.String(1024), sa.String(4096)),
    ('incidents', 'event_count', sa.Integer(), sa.BigInteger()),
    ('incidents', 'reported_users', sa.Integer(), sa.BigInteger()),
    ('incident_endpoints', 'count', sa.Integer(), sa.BigInteger()),
    ('ignored_deliveries', 'source', sa.String(32), sa.String(64)),
]


def upgrade() -> None:
    with op.batch_alter_table('ignored_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quarantined', sa.Boolean(), nullable=False, server_default=sa.false()))
    if op.get_context().dialect.name == 'postgresql':
        for table, column, old, new in RESIZED:
            op.alter_column(table, column, existing_type=old, type_=new)


def downgrade() -> None:
    if op.get_context().dialect.name == 'postgresql':
        for table, column, old, new in reversed(RESIZED):
            op.alter_column(table, column, existing_type=new, type_=old)
    with op.batch_alter_table('ignored_deliveries', schema=None) as batch_op:
        batch_op.drop_column('quarantined')
