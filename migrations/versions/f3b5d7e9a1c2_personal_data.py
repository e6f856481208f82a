"""Personal data: a person's last sign-in and erasure, and the audit of exports and erasures

Revision ID: f3b5d7e9a1c2
Revises: e6f8a0b2c4d7
Create Date: 2027-03-01 09:00:00
"""
from alembic import op
import sqlalchemy as sa

from tracker.core.models import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'f3b5d7e9a1c2'
down_revision = 'e6f8a0b2c4d7'
branch_labels = None
depends_on = None

OLD_ACTIONS = "action IN ('create', 'update', 'delete')"
NEW_ACTIONS = "action IN ('create', 'update', 'delete', 'export', 'erase')"


def _audit_actions(condition):
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_constraint(op.f("ck_audit_entries_action"), type_="check")
        batch.create_check_constraint(op.f("ck_audit_entries_action"), condition)


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("last_sign_in_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("erased_at", UTCDateTime(), nullable=True))
    _audit_actions(NEW_ACTIONS)


def downgrade():
    op.execute("DELETE FROM audit_entries WHERE action IN ('export', 'erase')")
    _audit_actions(OLD_ACTIONS)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("erased_at")
        batch.drop_column("last_sign_in_at")
