"""People choose the language of their pages and messages (users.locale, English or French)

Revision ID: a3f7c1e9d5b2
Revises: b8d4f2a6c1e3
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3f7c1e9d5b2'
down_revision = 'b8d4f2a6c1e3'
branch_labels = None
depends_on = None


def upgrade():
    # On SQLite the batch rebuilds the users table; migrations/env.py turns foreign keys
    # off meanwhile. Existing people keep no preference: their browser's language, as before.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=True))
        batch_op.create_check_constraint(op.f('ck_users_locale'), "locale IN ('en', 'fr')")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_locale'), type_='check')
        batch_op.drop_column('locale')
