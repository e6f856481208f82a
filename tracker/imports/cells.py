"""The values of one row of an import, read cell by cell into checked Python values.

Each reader returns the value (None when empty or wrong) and notes what is wrong with the
cell in :attr:`Cells.problems`, keyed by the column's code, in words the person reads in
the error report.
"""

import re
from functools import lru_cache
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l

from tracker.core.countries import code_of_country, is_country
from tracker.imports.columns import choice_names, normalised

YES = frozenset({"yes", "oui", "true", "vrai", "1", "y", "o", "x"})
NO = frozenset({"no", "non", "false", "faux", "0", "n", ""})
CENTS = Decimal("0.01")
REQUIRED = _l("This column is required.")
LIST_SEPARATORS = re.compile(r"[,;|/]+|\s+")


@lru_cache(maxsize=10_000)
def _is_email(value):
    """Whether ``value`` is an email address, remembered: past applications name the same
    applicants many times."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


class Cells:
    """One row's cells (``{code: text}``) and the problems found reading them."""

    def __init__(self, row):
        self.row = row
        self.problems = {}

    def refuse(self, code, message):
        """Note ``message`` on the column ``code`` (the first problem of a column counts)."""
        self.problems.setdefault(code, message)

    def _unknown(self, code, value, labels):
        self.refuse(code, _l("Unknown value %(value)s: use one of %(codes)s.",
                             value=value, codes=", ".join(labels)))

    def raw(self, code):
        return (self.row.get(code) or "").strip()

    def text(self, code, maximum, required=False):
        value = self.raw(code)
        if required and not value:
            self.refuse(code, REQUIRED)
        elif len(value) > maximum:
            self.refuse(code, _l("Use at most %(max)d characters.", max=maximum))
        return value

    def choice(self, code, labels, default=None):
        """A code of ``labels`` given as the code or its label (English or French)."""
        value = self.raw(code)
        if not value:
            if default is None:
                self.refuse(code, REQUIRED)
            return default
        chosen = choice_names(labels).get(normalised(value))
        if chosen is None:
            self._unknown(code, value, labels)
        return chosen

    def choices(self, code, labels, default):
        """Several codes of ``labels``, separated by commas, semicolons or spaces."""
        value = self.raw(code)
        if not value:
            return list(default)
        names = choice_names(labels)
        chosen = [names.get(normalised(part)) for part in LIST_SEPARATORS.split(value) if part]
        if None in chosen or not chosen:
            self._unknown(code, value, labels)
            return list(default)
        return [item for item in labels if item in chosen]

    def country(self, code, required=True):
        value = self.raw(code)
        if not value:
            if required:
                self.refuse(code, REQUIRED)
            return None
        value = value.upper() if len(value) == 2 else code_of_country(value) or value
        if len(value) != 2 or not is_country(value):
            self.refuse(code, _l("Unknown country %(value)s: use an ISO 3166 alpha-2 code "
                                 "such as FR.", value=value))
            return None
        return value

    def email(self, code):
        value = self.raw(code).lower()
        if not value:
            self.refuse(code, REQUIRED)
            return None
        if not _is_email(value):
            self.refuse(code, _l("This is not an email address."))
            return None
        return value if len(value) <= 254 else None

    def day(self, code, required=True):
        value = self.raw(code)
        if not value:
            if required:
                self.refuse(code, REQUIRED)
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            self.refuse(code, _l("Write a date as YYYY-MM-DD."))
            return None

    def moment(self, code):
        """A time written ``YYYY-MM-DD HH:MM:SS`` in the organisation's zone, in UTC."""
        value = self.raw(code)
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.refuse(code, _l("Write a time as YYYY-MM-DD HH:MM:SS."))
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
        return moment.astimezone(timezone.utc)

    def amount(self, code, required=False):
        """An amount in euros, ``1500.50`` or with a decimal comma (``1 500,50``)."""
        value = re.sub(r"[\s\u00a0\u202f€]", "", self.raw(code))
        if not value:
            if required:
                self.refuse(code, REQUIRED)
            return None
        if "," in value and "." not in value:
            value = value.replace(",", ".")
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0 \
                or amount.as_tuple().exponent < -2:
            self.refuse(code, _l("Write an amount in euros such as 1500.00."))
            return None
        # Two decimals, as stored: a re-import of ``1500`` finds ``1500.00`` unchanged.
        return amount.quantize(CENTS)

    def whole(self, code, default, minimum, maximum):
        value = self.raw(code)
        if not value:
            return default
        try:
            number = int(Decimal(value))
        except (InvalidOperation, ValueError):
            number = None
        if number is None or not minimum <= number <= maximum:
            self.refuse(code, _l("Write a whole number from %(min)d to %(max)d.",
                                 min=minimum, max=maximum))
            return default
        return number

    def yes_no(self, code, default):
        value = normalised(self.raw(code))
        if not self.raw(code):
            return default
        if value in YES:
            return True
        if value in NO:
            return False
        self.refuse(code, _l("Write yes or no."))
        return default
