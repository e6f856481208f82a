"""Forms for applications and for the actions of the workflow.

The forms only collect values; every rule of docs/rules.md is checked by the services, whose
field-level messages are put back next to the fields.
"""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.applications.models import (
    COST_KIND_LABELS,
    COST_KINDS,
    FUNDING_LABELS,
    FUNDINGS,
    PURPOSE_LABELS,
    PURPOSES,
    VERDICT_LABELS,
    VERDICTS,
)
from tracker.applications.validation import (
    MAX_BUDGET_LINE,
    MAX_COST_DESCRIPTION,
    MAX_COST_ITEMS,
)
from tracker.applications.workflow import TRANSITIONS
from tracker.core.fields import AmountField
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


class CostItemForm(Form):
    """One row of the costs: ``cost_items-N-kind``, ``-description``, ``-amount``.

    A plain ``Form``: the application form around it carries the CSRF token. A row left
    entirely empty is no cost item (the page offers one empty row to start from).
    """

    kind = SelectField(
        _l("Cost"),
        choices=[("", _l("Choose what it is for"))] + [(k, COST_KIND_LABELS[k]) for k in COST_KINDS],
        validators=[Optional()],
    )
    description = StringField(_l("Description"), validators=[Length(max=MAX_COST_DESCRIPTION)])
    amount = AmountField(_l("Amount (EUR)"), validators=[Optional()])

    def is_empty(self):
        return not (self.kind.data or (self.description.data or "").strip()
                    or self.amount.data is not None or self.amount.refused)


class ApplicationForm(FlaskForm):
    funding = RadioField(
        _l("Funding"),
        choices=[(funding, FUNDING_LABELS[funding]) for funding in FUNDINGS],
        default="programme",
        validators=[DataRequired(_l("Choose a programme call or the unit's own funds."))],
    )
    # Checked in validate_programme_id: a unit mission posts none (static/js/funding.js
    # disables the hidden box), which is no wrong choice.
    programme_id = SelectField(
        _l("Programme"),
        description=_l("The call you apply to (not for a mission on the unit's funds)."),
        validate_choice=False,
    )
    budget_line = StringField(
        _l("Budget line"),
        description=_l("Optional: which of the unit's accounts pays, e.g. its accounting "
                       "reference."),
        validators=[Length(max=MAX_BUDGET_LINE)],
    )
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
    # No max_entries: rows past the limit would be dropped unseen; the services refuse them
    # with a message instead (and the page's script offers no more than MAX_COST_ITEMS).
    cost_items = FieldList(FormField(CostItemForm))
    # Required unless costs are listed (their total is then the request): the services say so.
    requested_amount = AmountField(
        _l("Requested amount (EUR)"),
        description=_l("When you list the costs, their total is the amount requested."),
        validators=[Optional()],
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
        self.cost_items_errors = []
        keep = application.programme if application is not None else None
        self.programme_id.choices = [("", _l("Choose a programme"))] + [
            (str(p.id), f"{p.name} ({p.min_days}–{p.max_days} " + str(_l("days")) + ")")
            for p in open_programmes(direction, applicant, today, keep)
        ]
        if not self.cost_items.entries:
            self.cost_items.append_entry()  # one empty row to start from, with or without JS
        # The row static/js/cost_items.js copies (its "__index__" becomes the next number).
        self.blank_cost_row = CostItemForm(prefix=f"{self.cost_items.name}-__index__-")
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

    def validate_programme_id(self, field):
        if self.funding.data != "programme":
            return
        if field.data not in {value for value, _label in field.choices if value}:
            raise ValidationError(_l("Choose a programme."))

    def filled_cost_rows(self):
        """The rows that hold a cost item, in their order (empty rows are left out)."""
        return [entry for entry in self.cost_items.entries if not entry.form.is_empty()]

    def cost_total(self):
        """What the filled rows add up to (None while one of them has no amount)."""
        amounts = [entry.form.amount.data for entry in self.filled_cost_rows()]
        if not amounts or any(amount is None for amount in amounts):
            return None
        return sum(amounts, Decimal("0.00"))

    def values(self):
        """The typed values, as the services take them."""
        unit = self.funding.data == "unit"
        return {
            "funding": self.funding.data,
            # Without JavaScript the programme box stays on the page: a mission on the unit's
            # funds ignores it rather than refuse what the person could not hide.
            "programme_id": None if unit else self.programme_id.data,
            "budget_line": self.budget_line.data,
            "home_laboratory_id": self.home_laboratory_id.data,
            "host_laboratory_id": self.host_laboratory_id.data,
            "title": self.title.data,
            "purpose": self.purpose.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "requested_amount": self.requested_amount.data,
            "justification": self.justification.data,
            "cost_items": [
                {"kind": row.form.kind.data, "description": row.form.description.data,
                 "amount": row.form.amount.data}
                for row in self.filled_cost_rows()
            ],
        }

    def add_errors(self, fields):
        """Put the services' ``{field: [messages]}`` next to the fields (or on the form).

        ``cost_items.N.amount`` names the N-th cost item the services were given, that is
        the N-th filled row.
        """
        rows = self.filled_cost_rows()
        for name, messages in fields.items():
            parts = name.split(".")
            field = None
            if name == "cost_items":  # about the list as a whole: shown above the rows
                self.cost_items_errors = [*self.cost_items_errors, *messages]
                continue
            if len(parts) == 3 and parts[0] == "cost_items" and parts[1].isdigit():
                if int(parts[1]) < len(rows):
                    field = getattr(rows[int(parts[1])].form, parts[2], None)
            elif len(parts) == 1:
                field = getattr(self, name, None)
            if field is None:
                self.form_errors = [*self.form_errors, *messages]
                continue
            field.errors = [*field.errors, *messages]

    def add_cost_row(self):
        """One more empty row (the page's "Add a cost" without JavaScript)."""
        if len(self.cost_items.entries) < MAX_COST_ITEMS:
            self.cost_items.append_entry()

    def remove_cost_row(self, index):
        """Drop the row whose number is ``index`` (its ``cost_items-N-`` prefix)."""
        prefix = f"{self.cost_items.name}-{index}"
        self.cost_items.entries = [
            entry for entry in self.cost_items.entries if entry.name != prefix
        ]
        if not self.cost_items.entries:
            self.cost_items.append_entry()


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
    # The services refuse an empty or negative amount (for a unit mission, empty grants the
    # request); here only the reading of the typed text.
    awarded_amount = AmountField(_l("Awarded amount (EUR)"))


# Each action's comment box says what it is for and who reads it, so that the two or three
# boxes of the action panel are never all "Comment": (label, help) for a reviewer or an
# administrator acting on someone's application, and for the applicant acting on their own.
COMMENT_WORDING = {
    "submit": (_l("Note for the reviewers (optional)"),
               _l("The reviewing laboratory reads it with your application.")),
    "endorse": (_l("Note for the international office (optional)"),
                _l("The office and the applicant read it in the history.")),
    "return": (_l("Comment for the applicant (required to return)"),
               _l("Say what to change: the applicant reads it.")),
    "decline": (_l("Reason for declining (required to decline)"),
                _l("The applicant reads it.")),
    "approve": (_l("Comment for the applicant (optional)"),
                _l("The applicant reads it in the history.")),
    "reject": (_l("Reason for rejecting (required to reject)"),
               _l("The applicant reads it.")),
    "withdraw": (_l("Why you withdraw (optional)"),
                 _l("The reviewers read it in the history.")),
    "cancel": (_l("Reason for cancelling (required to cancel)"),
               _l("The applicant reads it.")),
    "complete": (_l("Comment (optional)"), _l("Kept in the history.")),
}
OWN_COMMENT_WORDING = {
    "cancel": (_l("Why you cancel the stay (required to cancel)"),
               _l("The reviewers and the international office read it.")),
}


def action_form(action, application, formdata=None, own=False):
    """The form of ``action`` for ``application``: prefilled on GET, bound on POST. ``own``:
    the applicant acts on their own application (the comment box speaks to them)."""
    if action == "approve":
        form_class = ApproveForm
    elif TRANSITIONS[action].needs_comment:
        form_class = CommentedActionForm
    else:
        form_class = ActionForm
    form = form_class(prefix=action, formdata=formdata)
    wording = (OWN_COMMENT_WORDING.get(action) if own else None) or COMMENT_WORDING.get(action)
    if wording is not None:
        form.comment.label.text, form.comment.description = wording
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
