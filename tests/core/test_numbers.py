"""Amounts as people type them, in their language: read exactly or refused, never rescaled."""

from decimal import Decimal

import pytest

from tracker.core.numbers import parse_amount


@pytest.mark.parametrize("locale,text,expected", [
    ("fr", "1 500,50", Decimal("1500.50")),
    ("fr", "1\u00a0500,50", Decimal("1500.50")),
    ("fr", "1\u202f500,50", Decimal("1500.50")),
    ("fr", "1500,50", Decimal("1500.50")),
    ("fr", " 12 ", Decimal("12")),
    ("en", "1,500.50", Decimal("1500.50")),
    ("en", "1500.50", Decimal("1500.50")),
    ("en", Decimal("7.25"), Decimal("7.25")),
    ("en", "", None),
    ("en", None, None),
])
def test_amounts_read_in_the_readers_language(locale, text, expected):
    assert parse_amount(text, locale) == expected


@pytest.mark.parametrize("locale,text", [
    ("en", "1500,50"),  # a French decimal comma, or a misplaced thousands separator?
    ("en", "1 500"),
    ("fr", "1.500,50"),
    ("en", "abc"),
    ("en", "NaN"),
    ("en", "Infinity"),
])
def test_ambiguous_or_foreign_amounts_are_refused_not_rescaled(locale, text):
    assert parse_amount(text, locale) == "invalid"
