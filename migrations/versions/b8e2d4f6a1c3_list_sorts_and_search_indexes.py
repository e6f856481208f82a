"""Indexes for the list's sorts, and trigram indexes for its search (PostgreSQL)

Revision ID: b8e2d4f6a1c3
Revises: a9c1e3f5b7d2
Create Date: 2026-12-05 13:10:00

Each sort the list offers reads ``ORDER BY column, id`` with a keyset position
``(column, id) < (:value, :id)``: an index on ``(column, id)`` answers it in a few index
entries at any depth. ``(created_at, id)`` exists already; ``(start_date, id)`` replaces
``(start_date)``, which it also serves.

On PostgreSQL, ``pg_trgm`` GIN indexes on the expressions the search compares (the
lower-cased, unaccented title and applicant's name, the lower-cased reference and e-mail):
``LIKE '%text%'`` on them reads the index instead of every row. The expressions are written
here as the search writes them (tracker/core/search_indexes.py lists the same names, which
the comparison with the models leaves out). Nothing of this exists on SQLite.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b8e2d4f6a1c3'
down_revision = 'a9c1e3f5b7d2'
branch_labels = None
depends_on = None

SORT_INDEXES = (
    ("ix_applications_reference_id", ["reference", "id"]),
    ("ix_applications_title_id", ["title", "id"]),
    ("ix_applications_start_date_id", ["start_date", "id"]),
    ("ix_applications_end_date_id", ["end_date", "id"]),
)
TRIGRAM_INDEXES = (
    ("ix_applications_title_trgm", "applications", "lower(tracker_unaccent(title))"),
    ("ix_applications_reference_trgm", "applications", "lower(reference)"),
    ("ix_users_full_name_trgm", "users", "lower(tracker_unaccent(full_name))"),
    ("ix_users_email_trgm", "users", "lower(email)"),
)


def upgrade():
    with op.batch_alter_table("applications") as batch_op:
        for name, columns in SORT_INDEXES:
            batch_op.create_index(name, columns, unique=False)
        batch_op.drop_index("ix_applications_start_date")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # The operator class lives in the extension's schema, which may not be public.
    schema = op.get_bind().exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    ).scalar()
    for name, table, expression in TRIGRAM_INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} "
                   f"USING gin (({expression}) {schema}.gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        # The extension stays: it may have been there before, and others may use it.
        for name, _table, _expression in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("applications") as batch_op:
        batch_op.create_index("ix_applications_start_date", ["start_date"], unique=False)
        for name, _columns in SORT_INDEXES:
            batch_op.drop_index(name)
