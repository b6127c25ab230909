"""ignored deliveries

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import warroom.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('ignored_deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('received_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('headers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_size', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ignored_deliveries'))
    )
    with op.batch_alter_table('ignored_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_ignored_deliveries_source_received', ['source', 'received_at'], unique=False)


def downgrade() -> None:

    with op.batch_alter_table('ignored_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_ignored_deliveries_source_received')

    op.drop_table('ignored_deliveries')
