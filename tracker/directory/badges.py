"""Small badges shown next to a destination or a unit, on every page that shows one.

A country's risk level (above green) and a unit's restricted zone are said in words, not by
colour alone; the colours keep WCAG AA contrast (``static/css/app.css``). The levels come
from :func:`tracker.directory.services.risk_levels`, one query per request whatever the
number of rows on the page.
"""

from flask_babel import gettext as _, lazy_gettext as _l
from markupsafe import Markup, escape

from tracker.directory.services import risk_levels


def risk_level_of(country_code):
    """The stored risk level of ``country_code`` (``green`` when none is stored)."""
    return risk_levels().get((country_code or "").upper(), "green")


# Translated when a badge is written, and only the one it says (a list shows fifty).
RISK_WORDS = {"yellow": _l("Risk: yellow"), "orange": _l("Risk: orange"), "red": _l("Risk: red")}


def risk_badge(country_code):
    """A badge naming the risk level of ``country_code``; nothing for green."""
    level = risk_level_of(country_code)
    if level == "green":
        return Markup("")
    return Markup('<span class="badge risk-badge risk-{level}">{text}</span>').format(
        level=escape(level), text=str(RISK_WORDS[level])
    )


def restricted_badge(laboratory):
    """A badge for a restricted-zone unit; nothing otherwise."""
    if laboratory is None or not getattr(laboratory, "restricted_zone", False):
        return Markup("")
    return Markup('<span class="badge restricted-badge">{text}</span>').format(
        text=_("Restricted-zone unit")
    )
