"""The audit of the directory: one append-only entry per change

Revision ID: e7a1c3b5d9f2
Revises: d2e4f6a8b0c1
Create Date: 2027-02-08 09:00:00

Who changed which person, laboratory, programme, country's risk level, requirement rule or
delegation, when, and the values before and after. Indexed for the admin page: newest first
by (created_at, id), alone or after a filter on the kind of subject or the actor.
"""
from alembic import op
import sqlalchemy as sa

from tracker.core.models import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'e7a1c3b5d9f2'
down_revision = 'd2e4f6a8b0c1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("subject_type", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("subject_label", sa.String(length=300), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("action IN ('create', 'update', 'delete')",
                           name=op.f("ck_audit_entries_action")),
        sa.CheckConstraint(
            "subject_type IN ('user', 'laboratory', 'programme', 'country', "
            "'requirement_rule', 'delegation')",
            name=op.f("ck_audit_entries_subject_type"),
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"],
                                name=op.f("fk_audit_entries_actor_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index("ix_audit_entries_created_at_id", "audit_entries", ["created_at", "id"])
    op.create_index("ix_audit_entries_subject_type_created_at_id", "audit_entries",
                    ["subject_type", "created_at", "id"])
    op.create_index("ix_audit_entries_actor_id_created_at_id", "audit_entries",
                    ["actor_id", "created_at", "id"])
    op.create_index("ix_audit_entries_subject_type_subject_id", "audit_entries",
                    ["subject_type", "subject_id"])


def downgrade():
    op.drop_index("ix_audit_entries_subject_type_subject_id", table_name="audit_entries")
    op.drop_index("ix_audit_entries_actor_id_created_at_id", table_name="audit_entries")
    op.drop_index("ix_audit_entries_subject_type_created_at_id", table_name="audit_entries")
    op.drop_index("ix_audit_entries_created_at_id", table_name="audit_entries")
    op.drop_table("audit_entries")
