"""Delegations: a director or an administrator names a stand-in for a period

Revision ID: e6f8a0b2c4d7
Revises: a3c5e7f9b1d4
Create Date: 2027-02-08 09:00:00
"""
from alembic import op
import sqlalchemy as sa

from tracker.core.models import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'e6f8a0b2c4d7'
down_revision = 'a3c5e7f9b1d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegator_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("notified_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_delegations_dates_in_order")),
        sa.CheckConstraint("delegate_id <> delegator_id",
                           name=op.f("ck_delegations_not_oneself")),
        sa.ForeignKeyConstraint(["delegator_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_delegations_delegator_id_users")),
        sa.ForeignKeyConstraint(["delegate_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_delegations_delegate_id_users")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_delegations_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
    )
    op.create_index("ix_delegations_delegate_id_starts_on", "delegations",
                    ["delegate_id", "starts_on", "ends_on"])
    op.create_index("ix_delegations_delegator_id_ends_on", "delegations",
                    ["delegator_id", "ends_on"])


def downgrade():
    op.drop_index("ix_delegations_delegator_id_ends_on", table_name="delegations")
    op.drop_index("ix_delegations_delegate_id_starts_on", table_name="delegations")
    op.drop_table("delegations")
