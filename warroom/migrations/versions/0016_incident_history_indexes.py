"""indexes a year of incidents needs: by opening time (the digest's weeks and lookback), by alert key (past incidents of the same alert), timeline entries by kind

Revision ID: 0016
Revises: 0015
"""

from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incidents_opened_at'), ['opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_dedup_key'), ['dedup_key'], unique=False)
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.create_index('ix_timeline_events_kind', ['kind', 'incident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.drop_index('ix_timeline_events_kind')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incidents_dedup_key'))
        batch_op.drop_index(batch_op.f('ix_incidents_opened_at'))
