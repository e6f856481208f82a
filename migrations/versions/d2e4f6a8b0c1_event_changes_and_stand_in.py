"""Events name the person a stand-in acted for, and carry the changes of an edit

Revision ID: d2e4f6a8b0c1
Revises: c9d1e3f5a7b2
Create Date: 2027-02-01 09:00:00

``on_behalf_of_id``: the delegator when a stand-in acted (SPEC: "the Event names both").
``changes``: for an edit or an amendment, each field's old and new value, as JSON.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2e4f6a8b0c1'
down_revision = 'c9d1e3f5a7b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("on_behalf_of_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("changes", sa.JSON(), nullable=True))
        batch.create_foreign_key(
            "fk_events_on_behalf_of_id_users", "users", ["on_behalf_of_id"], ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint("fk_events_on_behalf_of_id_users", type_="foreignkey")
        batch.drop_column("changes")
        batch.drop_column("on_behalf_of_id")
