"""ISO 3166 countries, from pycountry; their names in the reader's language, from Babel."""

import functools
import unicodedata

import pycountry
from babel import Locale
from flask_babel import get_locale


@functools.lru_cache(maxsize=1)
def _names():
    return {country.alpha_2: getattr(country, "common_name", country.name) for country in pycountry.countries}


@functools.lru_cache(maxsize=8)
def _names_in(language):
    """Every code's short name in ``language`` (Babel's CLDR names; English where it has none)."""
    english = _names()
    if language == "en":
        return english
    territories = Locale.parse(language).territories
    return {code: territories.get(code, name) for code, name in english.items()}


def _reader_language():
    locale = get_locale()  # None outside a request or an app context: English then
    return locale.language if locale is not None else "en"


def country_name(code, language=None):
    """The short name of an ISO alpha-2 code in ``language``, by default the reader's (the
    code itself if unknown)."""
    return _names_in(language or _reader_language()).get((code or "").upper(), code or "")


def _sort_key(item):
    """Names sorted as a reader expects: accents and case aside ("Égypte" near "Equateur")."""
    folded = unicodedata.normalize("NFKD", item[1].casefold())
    return "".join(char for char in folded if not unicodedata.combining(char))


def country_choices(blank=None):
    """(code, name) pairs sorted by name in the reader's language, for a select field."""
    choices = sorted(_names_in(_reader_language()).items(), key=_sort_key)
    return ([("", blank)] if blank is not None else []) + choices


def is_country(code):
    return (code or "").upper() in _names()


# Nationals of these countries need no security opinion to enter a restricted unit, nor a
# hosting agreement for a long stay (docs/rules.md, Requirements): the member states of the
# European Union, the other members of the European Economic Area, and Switzerland.
EU_EEA_CH = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"  # EU
    " IS LI NO"  # EEA
    " CH".split()
)


def is_eu_eea_ch(code):
    """True for a national of the EU, the EEA or Switzerland."""
    return (code or "").upper() in EU_EEA_CH


# Risk levels of a destination, from the least to the most dangerous.
RISK_LEVELS = ("green", "yellow", "orange", "red")


def risk_rank(level):
    """The position of ``level`` in :data:`RISK_LEVELS` (an unknown level counts as green)."""
    return RISK_LEVELS.index(level) if level in RISK_LEVELS else 0
