"""Notifications remember when delivery gave up, so a refused address is not retried forever

Revision ID: d7b3e9a1c4f2
Revises: c5e2f1a7b9d3
Create Date: 2026-12-01 07:20:00

"""
from alembic import op
import sqlalchemy as sa

from tracker.core.models import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'd7b3e9a1c4f2'
down_revision = 'c5e2f1a7b9d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('failed_at')
