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
