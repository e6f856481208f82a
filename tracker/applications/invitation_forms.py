"""Forms of invitations: the host's invitation of a visitor, and the visitor's new password.

The forms collect values; :mod:`tracker.applications.invitations` (and, for the stay, the
application's own rules) checks them and its messages are put back next to the fields.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from tracker import access
from tracker.applications.models import FUNDING_LABELS, FUNDINGS, PURPOSE_LABELS, PURPOSES
from tracker.auth.forms import confirm_password_field, new_password_field
from tracker.core.countries import country_choices
from tracker.directory.forms import DirectoryForm, optional_id, tidy
from tracker.directory.models import Laboratory, Programme
from tracker.extensions import db


def _lab_choices(query, blank):
    rows = db.session.execute(
        query.with_only_columns(Laboratory.id, Laboratory.name, Laboratory.acronym,
                                Laboratory.country)
        .order_by(Laboratory.name, Laboratory.id)
    ).all()
    return [("", blank)] + [
        (str(lab_id), f"{acronym} — {name} ({country})" if acronym else f"{name} ({country})")
        for lab_id, name, acronym, country in rows
    ]


class InvitationForm(DirectoryForm):
    email = EmailField(
        _l("Visitor's email address"),
        description=_l("The invitation, with a link valid for seven days, is sent here."),
        filters=[tidy],
        validators=[DataRequired(_l("Enter the visitor's email address.")), Length(max=254),
                    Email(_l("Enter an email address, such as name@example.org."),
                          check_deliverability=False)],
    )
    full_name = StringField(
        _l("Visitor's full name"), filters=[tidy],
        validators=[DataRequired(_l("Enter the visitor's full name.")), Length(max=200)],
    )
    nationality = SelectField(_l("Nationality"),
                              validators=[DataRequired(_l("Choose a country."))])
    home_laboratory_id = SelectField(
        _l("Home laboratory"), description=_l("A partner laboratory or a joint unit abroad."),
        coerce=optional_id, validators=[DataRequired(_l("Choose the home laboratory."))],
    )
    host_laboratory_id = SelectField(
        _l("Host unit"), coerce=optional_id,
        validators=[DataRequired(_l("Choose the host unit."))],
    )
    funding = SelectField(
        _l("Funding"),
        choices=lambda: [(funding, FUNDING_LABELS[funding]) for funding in FUNDINGS],
    )
    programme_id = SelectField(
        _l("Programme"), description=_l("For a programme call only."), coerce=optional_id,
    )
    title = StringField(_l("Title of the stay"), filters=[tidy],
                        validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    purpose = SelectField(
        _l("Purpose"),
        choices=lambda: [("", _l("Choose a purpose"))]
        + [(purpose, PURPOSE_LABELS[purpose]) for purpose in PURPOSES],
        validators=[DataRequired(_l("Choose a purpose."))],
    )
    start_date = DateField(_l("First day"), validators=[DataRequired(_l("Enter a date."))])
    end_date = DateField(_l("Last day"), validators=[DataRequired(_l("Enter a date."))])

    def __init__(self, inviter, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nationality.choices = country_choices(blank=_l("Choose a country"))
        self.home_laboratory_id.choices = _lab_choices(
            sa.select(Laboratory).where(Laboratory.kind.in_(("partner", "joint_unit"))),
            _l("Choose the home laboratory"),
        )
        self.host_laboratory_id.choices = _lab_choices(
            access.invitation_host_laboratories(inviter), _l("Choose the host unit")
        )
        programmes = db.session.execute(
            sa.select(Programme.id, Programme.name)
            .where(Programme.direction == "incoming", Programme.active.is_(True))
            .order_by(Programme.name, Programme.id)
        ).all()
        self.programme_id.choices = [("", _l("None (the unit's own funds)"))] + [
            (str(programme_id), name) for programme_id, name in programmes
        ]

    def values(self):
        """The typed values, as :func:`tracker.applications.invitations.invite` takes them."""
        return {
            "email": self.email.data,
            "full_name": self.full_name.data,
            "nationality": self.nationality.data,
            "home_laboratory_id": self.home_laboratory_id.data,
            "host_laboratory_id": self.host_laboratory_id.data,
            "funding": self.funding.data,
            "programme_id": self.programme_id.data,
            "title": self.title.data,
            "purpose": self.purpose.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
        }


class AcceptInvitationForm(DirectoryForm):
    password = new_password_field(_l("Choose a password"))
    confirm = confirm_password_field(_l("Repeat the password"))

    def __init__(self, visitor, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = visitor


class ContinueInvitationForm(FlaskForm):
    """An invited person who already has an account: one button, with its CSRF token."""
