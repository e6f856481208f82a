"""ISO 3166 countries, from pycountry; their names in the reader's language, from Babel."""

import functools

import pycountry
from babel import Locale

from tracker.core.language import reader_locale
from tracker.core.text import unaccent


@functools.lru_cache(maxsize=1)
def _names():
    return {country.alpha_2: getattr(country, "common_name", country.name) for country in pycountry.countries}


@functools.lru_cache(maxsize=8)
def _names_in(language):
    """Every code's short name in ``language`` (Babel's CLDR names; English where it has none)."""
    english = _names()
    locale = Locale.parse(language)
    if locale.language == "en":
        return english
    territories = locale.territories
    return {code: territories.get(code, name) for code, name in english.items()}


@functools.lru_cache(maxsize=1)
def _codes_by_name():
    codes = {}
    for language in ("en", "fr"):
        for code, name in _names_in(language).items():
            codes.setdefault(unaccent(name).lower(), code)
    return codes


def code_of_country(name):
    """The ISO alpha-2 code of a country named in English or French, whatever its case and
    accents (the labelled exports write names); None when unknown."""
    return _codes_by_name().get(unaccent(name or "").strip().lower())


def country_name(code, language=None):
    """The short name of an ISO alpha-2 code in ``language``, by default the reader's (the
    code itself if unknown)."""
    return _names_in(language or reader_locale()).get((code or "").upper(), code or "")


def country_names(codes, language=None):
    """``{code: name}`` for each ISO alpha-2 code of ``codes`` that is known, in ``language``,
    by default the reader's."""
    names = _names_in(language or reader_locale())
    return {code: names[code] for code in codes if code in names}


def country_choices(blank=None):
    """(code, name) pairs sorted by name in the reader's language, for a select field."""
    # Sorted as a reader expects: accents and case aside ("Égypte" among the E's).
    choices = sorted(_names_in(reader_locale()).items(),
                     key=lambda item: unaccent(item[1]).casefold())
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
