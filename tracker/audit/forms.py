"""The filters of the audit page: a GET form, so that a filtered page can be bookmarked."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, SearchField, SelectField
from wtforms.validators import Length, Optional, ValidationError

from tracker.audit.models import SUBJECT_TYPE_LABELS, SUBJECT_TYPES
from tracker.directory.forms import tidy


class AuditFilterForm(Form):
    subject_type = SelectField(
        _l("Kind of change"), default="",
        choices=lambda: [("", _l("Every kind"))]
        + [(kind, SUBJECT_TYPE_LABELS[kind]) for kind in SUBJECT_TYPES],
    )
    actor = SearchField(_l("Changed by (name or email)"), filters=[tidy],
                        validators=[Length(max=100)])
    q = SearchField(_l("Subject (name or code)"), filters=[tidy], validators=[Length(max=100)])
    since = DateField(_l("First day"), validators=[Optional()])
    until = DateField(_l("Last day"), validators=[Optional()])

    def validate_since(self, field):
        _plausible_day(field)

    def validate_until(self, field):
        _plausible_day(field)
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The last day cannot be before the first."))


def _plausible_day(field):
    # The directory has no change before 1900 nor after 2999; far days would also overflow
    # when moved to the organisation's time zone.
    if field.data and not 1900 <= field.data.year <= 2999:
        raise ValidationError(_l("Enter a day between 1900 and 2999."))
