"""Forms for applications and for the actions of the workflow.

The forms only collect values; every rule of docs/rules.md is checked by the services, whose
field-level messages are put back next to the fields.
"""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.applications.models import PURPOSE_LABELS, PURPOSES, VERDICT_LABELS, VERDICTS
from tracker.applications.workflow import TRANSITIONS
from tracker.directory.models import Laboratory, Programme
from tracker.extensions import db


def _lab_choice(lab):
    place = ", ".join(part for part in (lab.city, lab.country) if part)
    return str(lab.id), f"{lab.label} ({place})" if place else lab.label


def _labs(*kinds):
    return db.session.scalars(
        sa.select(Laboratory)
        .where(Laboratory.kind.in_(kinds))
        .order_by(Laboratory.country, Laboratory.name)
    ).all()


def open_programmes(direction, applicant, today=None, keep=None):
    """Programmes of ``direction`` open today to ``applicant``'s category (and ``keep``)."""
    today = today or date.today()
    programmes = db.session.scalars(
        sa.select(Programme)
        .where(
            Programme.direction == direction,
            Programme.active.is_(True),
            Programme.opens_on <= today,
            Programme.closes_on >= today,
        )
        .order_by(Programme.closes_on, Programme.name)
    ).all()
    fitting = [p for p in programmes if applicant.category in p.eligible_categories]
    if keep is not None and keep not in fitting:
        fitting.insert(0, keep)
    return fitting


class ApplicationForm(FlaskForm):
    programme_id = SelectField(_l("Programme"), validators=[DataRequired(_l("Choose a programme."))])
    home_laboratory_id = SelectField(
        _l("Home laboratory"),
        description=_l("Where you come from."),
        validators=[DataRequired(_l("Choose the home laboratory."))],
    )
    host_laboratory_id = SelectField(
        _l("Host laboratory"),
        description=_l("Where the stay takes place."),
        validators=[DataRequired(_l("Choose the host laboratory."))],
    )
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    purpose = SelectField(
        _l("Purpose"),
        choices=[("", _l("Choose a purpose"))] + [(p, PURPOSE_LABELS[p]) for p in PURPOSES],
        validators=[DataRequired(_l("Choose a purpose."))],
    )
    start_date = DateField(_l("First day"), validators=[DataRequired(_l("Enter a date."))])
    end_date = DateField(
        _l("Last day"),
        description=_l("Both days are included in the duration."),
        validators=[DataRequired(_l("Enter a date."))],
    )
    requested_amount = DecimalField(
        _l("Requested amount (EUR)"),
        places=2,
        validators=[InputRequired(_l("Enter an amount.")),
                    NumberRange(min=0, message=_l("The amount cannot be negative."))],
    )
    justification = TextAreaField(
        _l("Justification"),
        description=_l("What the stay is for and why now."),
        validators=[Length(max=10000)],
        render_kw={"rows": 5},
    )
    version = HiddenField()

    def __init__(self, direction, applicant, *args, application=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.direction = direction
        keep = application.programme if application is not None else None
        self.programme_id.choices = [("", _l("Choose a programme"))] + [
            (str(p.id), f"{p.name} ({p.min_days}–{p.max_days} " + str(_l("days")) + ")")
            for p in open_programmes(direction, applicant, today, keep)
        ]
        if direction == "outgoing":
            # An outgoing stay starts from the applicant's own unit.
            home = applicant.home_laboratory
            own = [home] if home is not None and home.kind == "unit" else []
            self.home_laboratory_id.choices = [_lab_choice(lab) for lab in own] or [
                ("", _l("You have no home unit: ask an administrator."))
            ]
            self.host_laboratory_id.choices = [("", _l("Choose a laboratory abroad"))] + [
                _lab_choice(lab) for lab in _labs("partner", "joint_unit")
            ]
        else:
            self.home_laboratory_id.choices = [("", _l("Choose a laboratory abroad"))] + [
                _lab_choice(lab) for lab in _labs("partner", "joint_unit")
            ]
            self.host_laboratory_id.choices = [("", _l("Choose one of our units"))] + [
                _lab_choice(lab) for lab in _labs("unit")
            ]

    def values(self):
        """The typed values, as the services take them."""
        return {
            "programme_id": self.programme_id.data,
            "home_laboratory_id": self.home_laboratory_id.data,
            "host_laboratory_id": self.host_laboratory_id.data,
            "title": self.title.data,
            "purpose": self.purpose.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "requested_amount": self.requested_amount.data,
            "justification": self.justification.data,
        }

    def add_errors(self, fields):
        """Put the services' ``{field: [messages]}`` next to the fields (or on the form)."""
        for name, messages in fields.items():
            field = getattr(self, name, None)
            target = field.errors if field is not None else self.form_errors
            if not isinstance(target, list):
                target = field.errors = list(target)
            target.extend(messages)


class ActionForm(FlaskForm):
    """One workflow action: an optional comment and the version the actor saw.

    CSRF is checked for every POST by CSRFProtect; several of these forms share a page, so
    each has a prefix (``approve-comment``) and no token field of its own.
    """

    class Meta:
        csrf = False

    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)],
                            render_kw={"rows": 2})
    version = HiddenField()


class CommentedActionForm(ActionForm):
    comment = TextAreaField(
        _l("Comment"),
        description=_l("Required: say why, the applicant will read it."),
        validators=[DataRequired(_l("Please explain why in a comment.")), Length(max=5000)],
        render_kw={"rows": 2},
    )


class ApproveForm(ActionForm):
    awarded_amount = DecimalField(
        _l("Awarded amount (EUR)"),
        places=2,
        validators=[InputRequired(_l("Enter an amount.")),
                    NumberRange(min=0, message=_l("The amount cannot be negative."))],
    )


def action_form(action, application, formdata=None):
    """The form of ``action`` for ``application``: prefilled on GET, bound on POST."""
    if action == "approve":
        form_class = ApproveForm
    elif TRANSITIONS[action].needs_comment:
        form_class = CommentedActionForm
    else:
        form_class = ActionForm
    form = form_class(prefix=action, formdata=formdata)
    if formdata is None:
        form.version.data = application.version
        if action == "approve":
            form.awarded_amount.data = application.requested_amount
    return form


class OpinionForm(FlaskForm):
    """A security or host opinion: its kind is in the address, the rules in the service
    (a comment is required unless the verdict is favourable)."""

    class Meta:
        csrf = False  # the page's forms share the token CSRFProtect checks

    verdict = RadioField(
        _l("Verdict"),
        choices=[(verdict, VERDICT_LABELS[verdict]) for verdict in VERDICTS],
        validators=[InputRequired(_l("Choose a verdict."))],
    )
    comment = TextAreaField(
        _l("Conditions or reasons"),
        description=_l("Required unless the opinion is favourable."),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 3},
    )
