"""The reader's language, as the formatting helpers of the foundation ask for it."""

from flask_babel import get_locale


def reader_locale():
    """The reader's language as Babel names it (``fr``, ``en``): the locale Flask-Babel
    selected for this request (tracker/__init__.py, ``_select_locale``), or English outside
    a request or an application context."""
    return str(get_locale() or "en")
