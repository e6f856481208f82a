"""Agreements with partner institutions; the agreement an application falls under

Revision ID: c8e0a2b4d6f9
Revises: b7e9d1f3a5c8
Create Date: 2027-03-01 09:00:00

``agreements`` and ``agreement_laboratories`` (the laboratories each covers);
``applications.agreement_id``; the audit follows agreements (its subject_type CHECK).
"""
from alembic import op
import sqlalchemy as sa

from tracker.core.models import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'c8e0a2b4d6f9'
down_revision = 'b7e9d1f3a5c8'
branch_labels = None
depends_on = None

OLD_SUBJECTS = ("subject_type IN ('user', 'laboratory', 'programme', 'country', "
                "'requirement_rule', 'delegation')")
NEW_SUBJECTS = ("subject_type IN ('user', 'laboratory', 'programme', 'country', "
                "'requirement_rule', 'delegation', 'agreement')")


def upgrade():
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("our_contact_name", sa.String(length=200), nullable=False),
        sa.Column("our_contact_email", sa.String(length=254), nullable=False),
        sa.Column("partner_contact_name", sa.String(length=200), nullable=False),
        sa.Column("partner_contact_email", sa.String(length=254), nullable=False),
        sa.Column("quota_stays", sa.Integer(), nullable=True),
        sa.Column("quota_days", sa.Integer(), nullable=True),
        sa.Column("quota_is_limit", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('framework', 'joint_unit', 'joint_project', 'network', "
                           "'exchange')", name=op.f("ck_agreements_kind")),
        sa.CheckConstraint("status IN ('draft', 'in_force', 'terminated')",
                           name=op.f("ck_agreements_status")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_agreements_dates_in_order")),
        sa.CheckConstraint("quota_stays IS NULL OR quota_stays >= 0",
                           name=op.f("ck_agreements_quota_stays_not_negative")),
        sa.CheckConstraint("quota_days IS NULL OR quota_days >= 0",
                           name=op.f("ck_agreements_quota_days_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("reference", name=op.f("uq_agreements_reference")),
    )
    op.create_index("ix_agreements_status_ends_on", "agreements", ["status", "ends_on"])
    op.create_table(
        "agreement_laboratories",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("laboratory_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], ondelete="CASCADE",
                                name=op.f("fk_agreement_laboratories_agreement_id_agreements")),
        sa.ForeignKeyConstraint(["laboratory_id"], ["laboratories.id"], ondelete="RESTRICT",
                                name=op.f("fk_agreement_laboratories_laboratory_id_laboratories")),
        sa.PrimaryKeyConstraint("agreement_id", "laboratory_id",
                                name=op.f("pk_agreement_laboratories")),
    )
    op.create_index("ix_agreement_laboratories_laboratory_id", "agreement_laboratories",
                    ["laboratory_id"])
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("agreement_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_applications_agreement_id_agreements"),
                                 "agreements", ["agreement_id"], ["id"], ondelete="SET NULL")
        batch.create_index(op.f("ix_applications_agreement_id"), ["agreement_id"])
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_constraint(op.f("ck_audit_entries_subject_type"), type_="check")
        batch.create_check_constraint(op.f("ck_audit_entries_subject_type"), NEW_SUBJECTS)


def downgrade():
    op.execute("DELETE FROM audit_entries WHERE subject_type = 'agreement'")
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_constraint(op.f("ck_audit_entries_subject_type"), type_="check")
        batch.create_check_constraint(op.f("ck_audit_entries_subject_type"), OLD_SUBJECTS)
    with op.batch_alter_table("applications") as batch:
        batch.drop_index(op.f("ix_applications_agreement_id"))
        batch.drop_constraint(op.f("fk_applications_agreement_id_agreements"),
                              type_="foreignkey")
        batch.drop_column("agreement_id")
    op.drop_index("ix_agreement_laboratories_laboratory_id",
                  table_name="agreement_laboratories")
    op.drop_table("agreement_laboratories")
    op.drop_index("ix_agreements_status_ends_on", table_name="agreements")
    op.drop_table("agreements")
