"""Background jobs

Revision ID: a9c1e3f5b7d2
Revises: d5f7b9c1e3a4
Create Date: 2026-12-05 13:00:00

``jobs``: one row per background job (an export, an import, a delivery run) with its owner,
status, progress and result; the call itself travels through the RQ queue.
"""
from alembic import op
import sqlalchemy as sa

from tracker.core.models import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'a9c1e3f5b7d2'
down_revision = 'd5f7b9c1e3a4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("result_key", sa.String(length=200), nullable=True),
        sa.Column("result_name", sa.String(length=200), nullable=True),
        sa.Column("result_url", sa.String(length=300), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')",
                           name=op.f("ck_jobs_status")),
        sa.CheckConstraint("done >= 0", name=op.f("ck_jobs_done_not_negative")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_jobs_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index("ix_jobs_owner_created", "jobs", ["owner_id", "created_at"])


def downgrade():
    op.drop_index("ix_jobs_owner_created", table_name="jobs")
    op.drop_table("jobs")
