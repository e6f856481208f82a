"""Past applications imported from a file: the events' CHECK constraint learns "import"

Revision ID: b4d6f8a0c2e5
Revises: f3b5d7e9a1c2
Create Date: 2027-02-12 09:00:00

An imported application gets one ``import`` event naming the file it came from
(tracker/imports/).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b4d6f8a0c2e5'
down_revision = 'f3b5d7e9a1c2'
branch_labels = None
depends_on = None

OLD_ACTIONS = ("action IN ('submit', 'endorse', 'return', 'decline', 'approve', 'reject', "
               "'withdraw', 'cancel', 'complete', 'create', 'edit', 'upload', 'opinion', "
               "'amendment_ask', 'amendment_endorse', 'amendment_return', 'amendment_reject', "
               "'amendment_withdraw', 'amend')")
NEW_ACTIONS = ("action IN ('submit', 'endorse', 'return', 'decline', 'approve', 'reject', "
               "'withdraw', 'cancel', 'complete', 'create', 'edit', 'upload', 'opinion', "
               "'amendment_ask', 'amendment_endorse', 'amendment_return', 'amendment_reject', "
               "'amendment_withdraw', 'amend', 'import')")


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_events_action'), NEW_ACTIONS)


def downgrade():
    op.execute("DELETE FROM events WHERE action = 'import'")
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_events_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_events_action'), OLD_ACTIONS)
