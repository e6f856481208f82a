"""Form fields the areas share.

:class:`AmountField` reads an amount in euros as the reader types it in their language
(``1 500,50`` in French, ``1,500.50`` in English; docs/rules.md, Amounts) and refuses what
could be read two ways rather than rescale it. Its ``data`` is a Decimal, or None when the
box is empty or the text was refused (the refusal is in ``process_errors``).
"""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from tracker.core.language import reader_locale
from tracker.core.numbers import format_amount, parse_amount, typed_amount


class AmountField(StringField):
    """An amount in euros typed in the reader's language; ``data`` is a Decimal or None."""

    # The input's inputmode brings up a keyboard with digits and separators on phones.
    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        locale = reader_locale()
        amount = parse_amount(valuelist[0], locale)
        if amount == "invalid":
            self.data = None
            example = format_amount(Decimal("1500.50"), locale, currency=False)
            raise ValueError(str(_l(
                "Enter an amount in euros as you write it, such as %(example)s.",
                example=example,
            )))
        self.data = amount

    def _value(self):
        # What was typed stays as typed (a refusal shows the text to correct); a stored
        # amount is shown in the reader's way of writing it.
        if self.raw_data:
            return self.raw_data[0]
        return typed_amount(self.data, reader_locale()) if self.data is not None else ""

    @property
    def refused(self):
        """True when the typed text was not an amount (``data`` is then None)."""
        return bool(self.process_errors)
