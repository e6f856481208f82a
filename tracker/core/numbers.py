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
    get_group_symbol,
    parse_decimal,
)

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
