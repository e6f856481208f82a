"""Indexes that only the migrations know: PostgreSQL's trigram indexes of the search.

The search (:func:`tracker.core.text.folded_contains` and ``icontains``) compares
``lower(tracker_unaccent(column))`` or ``lower(column)`` with ``LIKE '%text%'``. On
PostgreSQL a GIN index of ``pg_trgm`` trigrams on exactly that expression answers such a
condition without reading every row; SQLite has no such index. The models cannot declare an
index for one database only, so a migration creates them, and the comparison of the models
with the migrated schema (``migrations/env.py`` and its test) leaves them out through
:func:`compared_with_models`.
"""

# Name: (table, indexed expression). The expressions are the search's, character for
# character as PostgreSQL prints them back, or the planner would not use the index.
TRIGRAM_INDEXES = {
    "ix_applications_title_trgm": ("applications", "lower(tracker_unaccent(title))"),
    "ix_applications_reference_trgm": ("applications", "lower(reference)"),
    "ix_users_full_name_trgm": ("users", "lower(tracker_unaccent(full_name))"),
    "ix_users_email_trgm": ("users", "lower(email)"),
}


def compared_with_models(object_, name, type_, reflected, compare_to):
    """Alembic's ``include_object``: False for the database-only search indexes, which no
    model declares (anything else is compared as usual)."""
    return not (type_ == "index" and reflected and compare_to is None
                and name in TRIGRAM_INDEXES)
