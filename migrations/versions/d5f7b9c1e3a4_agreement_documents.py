"""Documents attached to agreements

Revision ID: d5f7b9c1e3a4
Revises: c8e0a2b4d6f9
Create Date: 2026-12-05 09:00:00

``agreement_documents``: one row per file attached to an agreement; the file itself is in
the file store under ``stored_key``.
"""
from alembic import op
import sqlalchemy as sa

from tracker.core.models import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'd5f7b9c1e3a4'
down_revision = 'c8e0a2b4d6f9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agreement_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("stored_key", sa.String(length=120), nullable=False),
        sa.Column("original_name", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("size > 0", name=op.f("ck_agreement_documents_size_positive")),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], ondelete="CASCADE",
                                name=op.f("fk_agreement_documents_agreement_id_agreements")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], ondelete="RESTRICT",
                                name=op.f("fk_agreement_documents_uploaded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_documents")),
        sa.UniqueConstraint("stored_key", name=op.f("uq_agreement_documents_stored_key")),
    )
    op.create_index(op.f("ix_agreement_documents_agreement_id"), "agreement_documents",
                    ["agreement_id"])


def downgrade():
    op.drop_index(op.f("ix_agreement_documents_agreement_id"), table_name="agreement_documents")
    op.drop_table("agreement_documents")
