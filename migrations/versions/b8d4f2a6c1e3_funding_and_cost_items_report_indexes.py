"""Reports of funding and cost items: indexes of cost items by application and kind (the
exports' per-kind totals, the cost by kind) and of a year's figures by funding, so both read
an index alone

Revision ID: b8d4f2a6c1e3
Revises: f1c3a5e7b9d2
Create Date: 2026-12-01 23:58:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d4f2a6c1e3'
down_revision = 'f1c3a5e7b9d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cost_items', schema=None) as batch_op:
        batch_op.create_index('ix_cost_items_application_id_kind_amount',
                              ['application_id', 'kind', 'amount'], unique=False)
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_start_date_funding',
                              ['start_date', 'funding', 'status', 'requested_amount',
                               'awarded_amount'], unique=False)


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_start_date_funding')
    with op.batch_alter_table('cost_items', schema=None) as batch_op:
        batch_op.drop_index('ix_cost_items_application_id_kind_amount')
