"""Amounts as people type them, in the reader's language (docs/rules.md, Amounts).

``1 500,50`` in French and ``1,500.50`` in English both mean 1500.50; what could be read two
ways (``1500,50`` in English) is refused with a message, never rescaled. The API takes the
plain form only (``"1500.50"``), whatever the caller's language.
"""

from decimal import Decimal

from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_decimal,
    format_percent,
    get_group_symbol,
    parse_decimal,
)
from flask_babel import lazy_gettext as _l

# The spaces people type between thousands: a plain space, a no-break space and the narrow
# no-break space French typography uses (and Babel's French group symbol).
SPACES = (" ", "\u00a0", "\u202f")


def parse_amount(text, locale):
    """The Decimal ``text`` means in ``locale``; None when empty, ``"invalid"`` when unclear.

    Values that are already numbers pass through, so that a form and the services can hand
    each other Decimals.
    """
    if text is None:
        return None
    if isinstance(text, (int, Decimal)):
        return Decimal(text)
    text = str(text).strip()
    if not text:
        return None
    group = get_group_symbol(locale)
    if group in SPACES:
        for space in SPACES:
            text = text.replace(space, group)
    try:
        amount = parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        return "invalid"
    return amount if amount.is_finite() else "invalid"


def format_amount(amount, locale, currency=True):
    """``amount`` as the reader writes it: ``1 500,50 €`` in French, ``€1,500.50`` in English
    (``currency=False``: the number alone, for columns headed in EUR)."""
    if amount is None:
        return ""
    if currency:
        return format_currency(amount, "EUR", locale=locale)
    return format_decimal(amount, format="#,##0.00", locale=locale)


def typed_amount(amount, locale):
    """``amount`` as a form shows it for editing: two decimals, no grouping, the reader's
    decimal mark (``1500,50`` in French), so that :func:`parse_amount` reads it back."""
    if amount is None:
        return ""
    return format_decimal(amount, format="0.00", locale=locale)


CENT = Decimal("0.01")


def size_problem(amount, maximum, locale):
    """What is wrong with the size of a Decimal ``amount`` (None when nothing is): more than
    ``maximum`` (the message gives the limit in the reader's way), or finer than a cent.
    Too large is said first: ``99,999,999,999,999`` is too large, not too precise."""
    if amount > maximum:
        return _l("This amount is too large: at most %(maximum)s.",
                  maximum=format_amount(maximum, locale))
    if amount != amount.quantize(CENT):
        return _l("Use at most two decimals (cents).")
    return None


def format_number(value, locale):
    """A count as the reader writes it (``1 234 567`` in French, ``1,234,567`` in English)."""
    if value is None:
        return ""
    return format_decimal(value, locale=locale)


def format_share(part, whole, locale):
    """``part`` of ``whole`` as a whole percentage in the reader's way (``45 %``, ``45%``);
    empty when ``whole`` is nothing."""
    if not whole:
        return ""
    return format_percent(Decimal(str(part or 0)) / Decimal(str(whole)), locale=locale)


def format_megabytes(size, locale):
    """``size`` bytes in MB as the reader writes it, one decimal at most (``10``, ``1,5``)."""
    return format_decimal(round(Decimal(size) / 2**20, 1), format="#,##0.#", locale=locale)
