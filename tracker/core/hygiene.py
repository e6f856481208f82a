"""Input hygiene: what no rule of the tracker could store is refused before any view runs.

- Query strings and forms of the web pages: a NUL character (PostgreSQL cannot keep one in
  text) or a lone surrogate (not text at all) answers 400 with a clear page. Under
  ``/api/`` the marshmallow schemas refuse such values field by field (422 naming them).
- JSON bodies: :class:`StrictJSONProvider` refuses lone surrogates and nesting deeper than
  ``MAX_JSON_DEPTH`` as malformed JSON (400), instead of letting them reach the database or
  exhaust the parser's recursion.
- Ids in URLs: an integer in a route larger than an id column holds (2**31 - 1) is an unknown
  page (404), before the view turns it into a query the database would refuse. (A bounded
  URL converter would do the same for GET, but Werkzeug then answers other methods with
  405, having matched the GET rule's pattern first.)
"""

from flask import abort, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

from tracker.core.errors import wants_json
from tracker.core.paging import MAX_ID

MAX_JSON_DEPTH = 32


def storable(text):
    """True when ``text`` can be kept as text: no NUL, no lone surrogate."""
    return "\x00" not in text and _is_text(text)


def _is_text(text):
    """False for a string holding a lone surrogate (text no encoding can write)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class UnstorableInput(BadRequest):
    """A 400 whose message tells the person what was wrong with what they sent."""

    def __init__(self):
        super().__init__()
        self.message_for_people = _l(
            "The request contains characters that cannot be stored (a NUL character or "
            "broken text). Remove them and try again."
        )


def refuse_unstorable_input():
    """``before_request``: refuse a web page's query string or form holding such text."""
    if wants_json():
        return
    for source in (request.args, request.form):
        for key, values in source.lists():
            if not storable(key) or not all(storable(value) for value in values):
                raise UnstorableInput()


def _check_json(value):
    """Raise ``ValueError`` for nesting deeper than allowed or a string that is not text."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if isinstance(key, str) and not _is_text(key):
                    raise ValueError("a key is not valid text")
                stack.append((child, depth + 1))
        elif isinstance(item, str) and not _is_text(item):
            raise ValueError("a string is not valid text")


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing what the tracker could neither parse safely nor store."""

    def loads(self, s, **kwargs):
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("nested too deeply") from None
        _check_json(value)
        return value


def refuse_ids_out_of_range(endpoint, values):
    """``url_value_preprocessor``: no row has an id past what the column holds."""
    for value in (values or {}).values():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            abort(404)


def register_hygiene(app):
    app.json = StrictJSONProvider(app)
    app.url_value_preprocessor(refuse_ids_out_of_range)
    app.before_request(refuse_unstorable_input)
