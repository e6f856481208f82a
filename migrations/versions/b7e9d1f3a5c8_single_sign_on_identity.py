"""Single sign-on: a person's issuer and subject at the OpenID Connect provider

Revision ID: b7e9d1f3a5c8
Revises: b4d6f8a0c2e5
Create Date: 2027-03-01 09:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e9d1f3a5c8'
down_revision = 'b4d6f8a0c2e5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("oidc_issuer", sa.String(255), nullable=True))
        batch.add_column(sa.Column("oidc_subject", sa.String(255), nullable=True))
        batch.create_unique_constraint(op.f("uq_users_oidc_issuer"),
                                       ["oidc_issuer", "oidc_subject"])
        batch.create_check_constraint(op.f("ck_users_oidc_identity_whole"),
                                      "(oidc_issuer IS NULL) = (oidc_subject IS NULL)")


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_oidc_identity_whole"), type_="check")
        batch.drop_constraint(op.f("uq_users_oidc_issuer"), type_="unique")
        batch.drop_column("oidc_subject")
        batch.drop_column("oidc_issuer")
