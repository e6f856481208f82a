"""Reference counters: one row per year, so MOB-YYYY-NNNNNN numbers stay unique under load

Revision ID: 281f7ead0cd7
Revises: a3c8aea60f2d
Create Date: 2026-11-25 02:23:08.377259

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '281f7ead0cd7'
down_revision = 'a3c8aea60f2d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reference_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_value >= 0', name=op.f('ck_reference_counters_last_value_not_negative')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_reference_counters'))
    )
    # Continue after the references already handed out (MOB-YYYY-NNNNNN: year at 5..8,
    # number at 10..15), so that existing databases never hand out a number twice.
    op.execute(
        "INSERT INTO reference_counters (year, last_value) "
        "SELECT CAST(substr(reference, 5, 4) AS INTEGER), "
        "MAX(CAST(substr(reference, 10, 6) AS INTEGER)) "
        "FROM applications WHERE reference LIKE 'MOB-____-______' "
        "GROUP BY CAST(substr(reference, 5, 4) AS INTEGER)"
    )


def downgrade():
    op.drop_table('reference_counters')
