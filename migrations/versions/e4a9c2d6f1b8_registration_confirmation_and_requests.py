"""Self-registered accounts confirm their address, and ask for a home unit instead of taking it

Revision ID: e4a9c2d6f1b8
Revises: d7b3e9a1c4f2
Create Date: 2026-12-01 07:50:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

from tracker.core.models import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'e4a9c2d6f1b8'
down_revision = 'd7b3e9a1c4f2'
branch_labels = None
depends_on = None


def upgrade():
    # On SQLite the batch rebuilds the users table; migrations/env.py turns foreign keys
    # off meanwhile, since every real database has rows pointing at users.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('requested_laboratory_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_requested_laboratory_id'), ['requested_laboratory_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_requested_laboratory_id_laboratories'), 'laboratories', ['requested_laboratory_id'], ['id'], ondelete='SET NULL')

    # Every existing account could sign in before this revision: it keeps doing so, as if
    # its address had been confirmed now.
    users = sa.table('users', sa.column('email_confirmed_at', UTCDateTime(timezone=True)))
    op.execute(users.update().values(email_confirmed_at=datetime.now(timezone.utc)))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_requested_laboratory_id_laboratories'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_requested_laboratory_id'))
        batch_op.drop_column('requested_laboratory_id')
        batch_op.drop_column('email_confirmed_at')
