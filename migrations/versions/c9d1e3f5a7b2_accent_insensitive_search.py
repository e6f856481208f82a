"""Accent-insensitive search: the unaccent extension and an IMMUTABLE wrapper (PostgreSQL)

Revision ID: c9d1e3f5a7b2
Revises: a3f7c1e9d5b2
Create Date: 2027-01-15 09:00:00

The search compares ``tracker_unaccent(column)``. ``unaccent()`` itself is only STABLE (its
dictionary could change), so no index may use it; this wrapper names the dictionary and
is declared IMMUTABLE, which lets a later revision add an expression (or trigram) index.
SQLite has no extension: ``create_app`` registers a Python function of the same name on
each connection, so this revision does nothing there.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c9d1e3f5a7b2'
down_revision = 'a3f7c1e9d5b2'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    # The extension may already live in another schema than public: name it exactly, so
    # that the function does not depend on the caller's search_path.
    schema = op.get_bind().exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"
    ).scalar()
    op.execute(
        "CREATE OR REPLACE FUNCTION tracker_unaccent(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
        f"$$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # The extension stays: it may have been there before, and others may use it.
    op.execute("DROP FUNCTION IF EXISTS tracker_unaccent(text)")
