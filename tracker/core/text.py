"""Text compared the way people search it: without accents (``pétit`` finds ``Petit``).

The search calls the SQL function ``tracker_unaccent`` on both databases: on PostgreSQL an
IMMUTABLE wrapper around the ``unaccent`` extension (created by a migration, so that an
expression index can use it later); on SQLite :func:`unaccent` below, registered on each
connection by ``create_app``.
"""

import unicodedata

import sqlalchemy as sa

UNACCENT_FUNCTION = "tracker_unaccent"

# Letters that do not decompose into a base letter and an accent, written as PostgreSQL's
# unaccent dictionary writes them, so that both databases find the same rows.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss",
                            "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L"})


def unaccent(text):
    """``text`` without its accents (``Pétit Œuvre`` → ``Petit OEuvre``); None stays None."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def folded(text):
    """``text`` (a column or value) lower-cased without its accents, in SQL: the same
    function on PostgreSQL and SQLite."""
    return sa.func.lower(getattr(sa.func, UNACCENT_FUNCTION)(text))


def _like_pattern(q, fold):
    """``'%' || fold(q) || '%'``, the wildcards of ``q`` escaped with ``/``."""
    escaped = q.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return sa.literal("%") + fold(sa.literal(escaped)) + sa.literal("%")


def lowered_contains(column, q):
    """SQL condition: ``column`` holds the text ``q`` literally, ignoring case. Written
    ``lower(column) LIKE`` on every database (not ``ILIKE``), the expression PostgreSQL's
    trigram index of the column holds (tracker/core/search_indexes.py)."""
    return sa.func.lower(column).like(_like_pattern(q, sa.func.lower), escape="/")


def folded_contains(column, q):
    """SQL condition: ``column`` holds the text ``q`` literally, ignoring case and accents
    (``pétit`` finds ``Petit`` and ``petit`` finds ``Pétit``). Both sides are folded by the
    same SQL function, so they lose the same accents; wildcards in ``q`` are escaped."""
    return folded(column).like(_like_pattern(q, folded), escape="/")
