"""Amendments of an approved application, one open at a time, and their events

Revision ID: e7a1b3c5d9f2
Revises: e7a1c3b5d9f2
Create Date: 2027-02-10 09:00:00

``amendments``: the change asked, the values it replaces, its own status and version. The
partial unique index ``ix_amendments_one_open`` lets the database refuse a second open
amendment (submitted, endorsed or returned) of the same application, even when two people
ask at the same moment. The events' CHECK constraint learns the amendments' actions.
"""
from alembic import op
import sqlalchemy as sa

import tracker.core.models


# revision identifiers, used by Alembic.
revision = 'e7a1b3c5d9f2'
down_revision = 'e7a1c3b5d9f2'
branch_labels = None
depends_on = None

OLD_ACTIONS = ("action IN ('submit', 'endorse', 'return', 'decline', 'approve', 'reject', "
               "'withdraw', 'cancel', 'complete', 'create', 'edit', 'upload', 'opinion')")
NEW_ACTIONS = ("action IN ('submit', 'endorse', 'return', 'decline', 'approve', 'reject', "
               "'withdraw', 'cancel', 'complete', 'create', 'edit', 'upload', 'opinion', "
               "'amendment_ask', 'amendment_endorse', 'amendment_return', 'amendment_reject', "
               "'amendment_withdraw', 'amend')")
OPEN = sa.text("status IN ('endorsed', 'returned', 'submitted')")


def upgrade():
    op.create_table('amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('previous', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('awarded_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('decided_at', tracker.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('submitted', 'endorsed', 'returned', 'approved', 'rejected', 'withdrawn')", name=op.f('ck_amendments_status')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_amendments_version_positive')),
    sa.CheckConstraint('awarded_amount IS NULL OR awarded_amount >= 0', name=op.f('ck_amendments_awarded_not_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_amendments_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_amendments_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendments'))
    )
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.create_index('ix_amendments_one_open', ['application_id'], unique=True,
                              sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('ix_amendments_application_id_id', ['application_id', 'id'],
                              unique=False)
        batch_op.create_index('ix_amendments_status', ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_amendments_requested_by_id'), ['requested_by_id'],
                              unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_events_action'), NEW_ACTIONS)


def downgrade():
    op.execute("DELETE FROM events WHERE action IN ('amendment_ask', 'amendment_endorse', "
               "'amendment_return', 'amendment_reject', 'amendment_withdraw', 'amend')")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_events_action'), OLD_ACTIONS)

    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendments_requested_by_id'))
        batch_op.drop_index('ix_amendments_status')
        batch_op.drop_index('ix_amendments_application_id_id')
        batch_op.drop_index('ix_amendments_one_open')
    op.drop_table('amendments')
