"""crash safety: lease owners, attempted sends, incident of a job, keyed status-page updates

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

import warroom.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('incident_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_index(batch_op.f('ix_jobs_lease_owner'), ['lease_owner'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_incident_id'), ['incident_id'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('attempted_at', warroom.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_lease_owner'), ['lease_owner'], unique=False)
    with op.batch_alter_table('page_updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_page_updates_key'), ['key'])


def downgrade() -> None:
    with op.batch_alter_table('page_updates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_page_updates_key'), type_='unique')
        batch_op.drop_column('key')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_lease_owner'))
        batch_op.drop_column('attempted_at')
        batch_op.drop_column('lease_owner')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_incident_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_lease_owner'))
        batch_op.drop_column('incident_id')
        batch_op.drop_column('lease_owner')
