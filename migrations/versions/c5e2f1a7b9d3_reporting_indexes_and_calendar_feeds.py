"""Reporting: indexes for lists and dashboard at a million rows, calendar feed secrets

Revision ID: c5e2f1a7b9d3
Revises: 281f7ead0cd7
Create Date: 2026-11-25 02:35:00

"""
from alembic import op
import sqlalchemy as sa

import tracker.core.models


# revision identifiers, used by Alembic.
revision = 'c5e2f1a7b9d3'
down_revision = '281f7ead0cd7'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_applications_created_at_id', ['created_at', 'id']),
    ('ix_applications_start_date_facets',
     ['start_date', 'status', 'direction', 'home_laboratory_id', 'host_laboratory_id']),
    ('ix_applications_programme_status_awarded', ['programme_id', 'status', 'awarded_amount']),
    ('ix_applications_status_submitted_at', ['status', 'submitted_at']),
    ('ix_applications_status_end_date',
     ['status', 'end_date', 'start_date', 'direction', 'host_laboratory_id']),
]


def upgrade():
    op.create_table('calendar_feeds',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_feeds_token'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        for name, _columns in reversed(INDEXES):
            batch_op.drop_index(name)
    op.drop_table('calendar_feeds')
