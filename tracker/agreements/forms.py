"""The agreement form of the register's administration and the register's filters.

Each field is checked here; :mod:`tracker.agreements.services` checks the rules between
fields (sides, dates, quotas) and its messages are put back next to the fields.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField, DateField, EmailField, IntegerField, SelectField, SelectMultipleField,
    StringField, TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from tracker.agreements.models import KIND_LABELS, KINDS, STATUS_LABELS, STATUSES, STORED_STATUSES
from tracker.agreements.services import FIELDS, MAX_QUOTA
from tracker.core.countries import country_choices
from tracker.directory.forms import DirectoryForm, tidy
from tracker.directory.models import HOME_COUNTRY, LAB_KIND_LABELS, Laboratory
from tracker.extensions import db


def laboratory_choices():
    """``[(id, label)]`` of every laboratory, units first, then those abroad, by name: the
    kind says the side of the agreement a laboratory is on."""
    rows = db.session.execute(
        sa.select(Laboratory.id, Laboratory.name, Laboratory.acronym, Laboratory.kind)
        .order_by(Laboratory.kind != "unit", Laboratory.name, Laboratory.id)
    ).all()
    return [(str(row.id), f"{row.acronym + ' — ' if row.acronym else ''}{row.name} "
                          f"({LAB_KIND_LABELS[row.kind]})") for row in rows]


def _quota(label):
    return IntegerField(label, validators=[Optional(), NumberRange(
        min=0, max=MAX_QUOTA, message=_l("A quota is a whole number from 0 to %(max)s."))])


def _contact_email(label):
    return EmailField(label, filters=[tidy], validators=[
        Optional(), Length(max=254), Email(check_deliverability=False)])


class AgreementForm(DirectoryForm):
    kind = SelectField(_l("Kind"), choices=[(kind, KIND_LABELS[kind]) for kind in KINDS])
    title = StringField(_l("Title"), filters=[tidy],
                        validators=[DataRequired(), Length(max=200)])
    reference = StringField(_l("Reference"), filters=[tidy],
                            description=_l("The agreement's own number, unique."),
                            validators=[DataRequired(), Length(max=60)])
    status = SelectField(
        _l("Status"), choices=[(status, STATUS_LABELS[status]) for status in STORED_STATUSES],
        description=_l("In force once signed: it reads as expired after its last day."))
    starts_on = DateField(_l("First day"), validators=[DataRequired(_l("Enter a date."))])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(_l("Enter a date."))])
    laboratory_ids = SelectMultipleField(
        _l("Laboratories covered"), coerce=int,
        description=_l("At least one of our units and one partner laboratory or joint unit."),
        validators=[DataRequired(_l("Choose the laboratories the agreement covers."))])
    our_contact_name = StringField(_l("Our contact"), filters=[tidy],
                                   validators=[Length(max=200)])
    our_contact_email = _contact_email(_l("Our contact's email address"))
    partner_contact_name = StringField(_l("Partner's contact"), filters=[tidy],
                                       validators=[Length(max=200)])
    partner_contact_email = _contact_email(_l("Partner's contact's email address"))
    quota_stays = _quota(_l("Stays a year"))
    quota_days = _quota(_l("Days a year"))
    quota_is_limit = BooleanField(
        _l("The quota is a limit: refuse approvals beyond it"),
        description=_l("Otherwise the quota is a guide: reviewers see how much is used."))
    notes = TextAreaField(_l("Notes"), filters=[tidy], validators=[Length(max=5000)])

    def values(self):
        """The form's values as :func:`~tracker.agreements.services.save_agreement` takes
        them."""
        data = {name: self[name].data for name in (*FIELDS, "laboratory_ids")}
        for name in ("our_contact_email", "partner_contact_email", "notes"):
            data[name] = data[name] or ""
        return data


class AgreementFilterForm(FlaskForm):
    """The register's filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[("", _l("Any status"))] + [
        (status, STATUS_LABELS[status]) for status in STATUSES], validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=[("", _l("Any kind"))] + [
        (kind, KIND_LABELS[kind]) for kind in KINDS], validators=[Optional()])
    country = SelectField(_l("Partner's country"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Any country"))] + [
            (code, name) for code, name in country_choices() if code != HOME_COUNTRY]


class DocumentForm(FlaskForm):
    """The upload form of an agreement's page; the file is checked by the service (the
    checks of the applications' documents) and its refusal shown next to the field."""

    file = FileField(_l("File"), validators=[DataRequired(_l("Choose a file to upload."))],
                     description=_l("PDF, PNG, JPEG, DOCX or ODT, up to 10 MB."))
