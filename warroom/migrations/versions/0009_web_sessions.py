"""web sessions kept server-side

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

import warroom.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_sessions',
    sa.Column('id_digest', sa.String(length=64), nullable=False),
    sa.Column('csrf', sa.String(length=64), nullable=False),
    sa.Column('credential', sa.String(length=64), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id_digest', name=op.f('pk_web_sessions'))
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_expires_at'))
    op.drop_table('web_sessions')
