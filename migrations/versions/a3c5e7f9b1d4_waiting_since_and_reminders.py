"""Applications say since when someone must act; reminders sent by send-reminders

Revision ID: a3c5e7f9b1d4
Revises: e7a1b3c5d9f2
Create Date: 2027-02-15 09:00:00

``applications.waiting_since``: the time the application entered its status (or an opinion
was given), None once nobody has to act. Filled here from the history: the last event that
moved it or brought an opinion.
``reminders``: one row per reminder sent, unique per application, person, kind and day, so
that a second run of ``send-reminders`` on the same day sends nothing new.
"""
from alembic import op
import sqlalchemy as sa

import tracker.core.models


# revision identifiers, used by Alembic.
revision = 'a3c5e7f9b1d4'
down_revision = 'e7a1b3c5d9f2'
branch_labels = None
depends_on = None

# Statuses in which nobody has to act any more.
SETTLED = ('approved', 'declined', 'rejected', 'withdrawn', 'cancelled', 'completed')


def upgrade():
    with op.batch_alter_table('applications') as batch:
        batch.add_column(sa.Column('waiting_since', tracker.core.models.UTCDateTime(timezone=True),
                                   nullable=True))
    applications = sa.table('applications', sa.column('id'), sa.column('status'),
                            sa.column('waiting_since'))
    events = sa.table('events', sa.column('application_id'), sa.column('action'),
                      sa.column('created_at'))
    last_move = (
        sa.select(sa.func.max(events.c.created_at))
        .where(events.c.application_id == applications.c.id,
               events.c.action.not_in(('edit', 'upload')))
        .scalar_subquery()
    )
    op.execute(
        applications.update()
        .where(applications.c.status.not_in(SETTLED))
        .values(waiting_since=last_move)
    )

    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('created_at', tracker.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('reminder', 'escalation', 'requirements')", name=op.f('ck_reminders_kind')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_reminders_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('application_id', 'user_id', 'kind', 'sent_on', name=op.f('uq_reminders_application_id'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_user_id'))
    op.drop_table('reminders')
    with op.batch_alter_table('applications') as batch:
        batch.drop_column('waiting_since')
