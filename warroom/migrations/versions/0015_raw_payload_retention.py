"""raw payload retention: when an alert's raw payload was pruned, and an index of those still kept

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

import warroom.db

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('raw_pruned_at', warroom.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(
            'ix_alerts_raw_kept',
            ['received_at'],
            unique=False,
            sqlite_where=sa.text('raw_pruned_at IS NULL'),
            postgresql_where=sa.text('raw_pruned_at IS NULL'),
        )


def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_raw_kept')
        batch_op.drop_column('raw_pruned_at')
