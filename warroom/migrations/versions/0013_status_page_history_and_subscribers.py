"""the status page remembers when it started, each incident's worst impact and the components it touched

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import warroom.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('page_incident_components',
    sa.Column('page_incident_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['page_incident_id'], ['page_incidents.id'], name=op.f('fk_page_incident_components_page_incident_id_page_incidents')),
    sa.PrimaryKeyConstraint('page_incident_id', 'name', name=op.f('pk_page_incident_components'))
    )
    op.create_table('page_marks',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_page_marks'))
    )
    op.create_table('page_subscribers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_subscribers')),
    sa.UniqueConstraint('email', name=op.f('uq_page_subscribers_email'))
    )
    with op.batch_alter_table('page_incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('peak_impact', sa.String(length=16), nullable=True))
    op.execute("UPDATE page_incidents SET peak_impact = impact")


def downgrade() -> None:
    with op.batch_alter_table('page_incidents', schema=None) as batch_op:
        batch_op.drop_column('peak_impact')
    op.drop_table('page_subscribers')
    op.drop_table('page_marks')
    op.drop_table('page_incident_components')
