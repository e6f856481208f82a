"""ISO 3166 countries, from pycountry."""

import functools

import pycountry


@functools.lru_cache(maxsize=1)
def _names():
    return {country.alpha_2: getattr(country, "common_name", country.name) for country in pycountry.countries}


def country_name(code):
    """The English short name of an ISO alpha-2 code (the code itself if unknown)."""
    return _names().get((code or "").upper(), code or "")


def country_choices(blank=None):
    """(code, name) pairs sorted by name, for a select field."""
    choices = sorted(_names().items(), key=lambda item: item[1])
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
