"""Paging: numbered pages of the web lists, and keyset cursors for long lists and the API.

:func:`paginate` gives the numbered page a query string asks for: a page number out of
range is clamped (a page past the end is empty), never an error, and never an OFFSET the
database would refuse.

Keyset cursors are opaque tokens that say where the next (or previous) page starts.

A page of a keyset list ends at a row; the token names that row by its id and, when the
list is sorted by another column, by that column's value too, so that the next query reads
``WHERE (sort, id) < (:value, :id)`` straight from an index instead of counting rows. The
token is URL-safe base64 of a small JSON object; clients must treat it as opaque.

A token that does not parse, or that names an impossible row, raises :class:`InvalidCursor`:
it came from the client, so each caller answers it in its own way (the API with a 422
naming the parameter, a page with a 400), never with a 500.
"""

import base64
import binascii
import json
from datetime import date, datetime, timezone
from typing import Any, NamedTuple

from flask import current_app, request

from tracker.extensions import db

# Ids are 32-bit integers in the database: a larger one names no row.
MAX_ID = 2**31 - 1
# Far past any real list, and an OFFSET every database accepts.
LAST_PAGE = 1_000_000


def paginate(query, arg="page", per_page=None):
    """The page of ``query`` that the query string's ``arg`` names (``ITEMS_PER_PAGE`` rows
    unless ``per_page`` says otherwise)."""
    page = min(max(request.args.get(arg, 1, type=int), 1), LAST_PAGE)
    return db.paginate(query, page=page, error_out=False,
                       per_page=per_page or current_app.config["ITEMS_PER_PAGE"])
# The longest sort value is a title (200 characters, at most 4 bytes each in UTF-8); a
# token much longer than that is not one of ours, and is refused before it is parsed.
MAX_CURSOR_LENGTH = 2000


class InvalidCursor(ValueError):
    """A cursor that this application did not hand out (or that was altered)."""


class Cursor(NamedTuple):
    """Where a page ends: the row's id and, for lists sorted by another column, its value."""

    row_id: int
    sort_value: Any = None


def encode_cursor(row_id, sort_value=None):
    """The token for the page boundary at row ``row_id`` (whose sort column holds
    ``sort_value``, for lists not sorted by id alone)."""
    # "after" is the name of the API's first cursors, which clients may still hold.
    data = {"after": row_id}
    if sort_value is not None:
        data["sort"] = sort_value.isoformat() if isinstance(sort_value, date) else sort_value
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token, sort_kind=None):
    """The :class:`Cursor` in ``token``, or :class:`InvalidCursor`.

    ``sort_kind`` is the Python type of the list's sort column (``str``, ``date`` or
    ``datetime``), or None for a list sorted by id alone; the token must match it.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_CURSOR_LENGTH:
        raise InvalidCursor(token)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
    except (ValueError, binascii.Error, RecursionError):
        # Malformed base64, bytes that are not UTF-8 or JSON (UnicodeDecodeError and
        # JSONDecodeError are ValueErrors), or JSON nested deeper than the parser goes.
        raise InvalidCursor(token) from None
    expected = {"after"} if sort_kind is None else {"after", "sort"}
    if not isinstance(data, dict) or set(data) != expected:
        raise InvalidCursor(token)
    row_id = data["after"]
    if isinstance(row_id, bool) or not isinstance(row_id, int) or not 1 <= row_id <= MAX_ID:
        raise InvalidCursor(token)
    if sort_kind is None:
        return Cursor(row_id)
    return Cursor(row_id, _sort_value(data["sort"], sort_kind, token))


def _sort_value(value, kind, token):
    """``value`` (text in the token) as a value of the sort column's ``kind``."""
    # PostgreSQL text cannot hold NUL: no row has such a value, and binding one fails.
    if not isinstance(value, str) or "\x00" in value:
        raise InvalidCursor(token)
    try:
        if kind is datetime:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            # Normalised here: an offset that pushes a moment past year 1 or 9999 fails now
            # rather than where the database driver binds it.
            return moment.astimezone(timezone.utc)
        if kind is date:
            return date.fromisoformat(value)
    except (ValueError, OverflowError):
        raise InvalidCursor(token) from None
    return value


class ListPage:
    """A numbered page of a list already in memory, with the attributes of a Flask-SQLAlchemy
    pagination (``items``, ``page``, ``pages``, ``total``, ``has_prev``...), so the same
    ``pager`` macro shows it."""

    def __init__(self, items, page, per_page):
        self.total = len(items)
        self.per_page = per_page
        self.pages = max(1, -(-self.total // per_page))
        self.page = min(max(page, 1), self.pages)
        start = (self.page - 1) * per_page
        self.items = items[start:start + per_page]
        self.has_prev = self.page > 1
        self.has_next = self.page < self.pages
        self.prev_num = self.page - 1 if self.has_prev else None
        self.next_num = self.page + 1 if self.has_next else None


def paginate_list(items, arg="page", per_page=None):
    """The page of the in-memory list ``items`` that the query string's ``arg`` names."""
    page = min(max(request.args.get(arg, 1, type=int), 1), LAST_PAGE)
    return ListPage(list(items), page, per_page or current_app.config["ITEMS_PER_PAGE"])
