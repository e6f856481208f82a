"""The forms of amendments: asking a change (or an extension), and reviewing it.

They only collect values; the services check them (:mod:`tracker.applications.amendments`)
and their field-level messages are put back next to the fields.
"""

from types import SimpleNamespace

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, FormField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.applications.forms import (
    ActionForm,
    ApplicationForm,
    ApproveForm,
    CommentedActionForm,
    CostItemForm,
    _lab_choice,
    _labs,
)
from tracker.applications.validation import (
    LAB_KINDS_BY_DIRECTION,
    MAX_COMMENT,
    as_amount,
    values_from,
)
from tracker.applications.workflow import AMENDMENT_TRANSITIONS
from tracker.core.fields import AmountField


class AmendmentForm(FlaskForm):
    """A change to an approved stay: its dates, host, amount, justification, and why.

    ``extension``: the end date alone (and the reason). The costs are rows as on the
    application's form (their total is the amount asked), or the amount alone.
    """

    start_date = DateField(_l("Start date"), validators=[InputRequired(_l("Enter a date."))])
    end_date = DateField(_l("End date"), validators=[InputRequired(_l("Enter a date."))])
    host_laboratory_id = SelectField(_l("Host laboratory"))
    cost_items = FieldList(FormField(CostItemForm))
    requested_amount = AmountField(
        _l("Requested amount (EUR)"),
        description=_l("When you list the costs, their total is the amount requested."),
        validators=[Optional()],
    )
    justification = TextAreaField(_l("Justification"), validators=[Optional(),
                                                                    Length(max=10000)],
                                  render_kw={"rows": 3})
    reason = TextAreaField(
        _l("Why the change is needed"),
        description=_l("The reviewers read it; it is kept in the history."),
        validators=[DataRequired(_l("Say why the change is needed.")),
                    Length(max=MAX_COMMENT)],
        render_kw={"rows": 3},
    )
    version = HiddenField()

    def __init__(self, application, extension=False, asked=None, **kwargs):
        super().__init__(**kwargs)
        self.extension = extension
        self.cost_items_errors = []
        kinds = LAB_KINDS_BY_DIRECTION[application.direction]["host"]
        self.host_laboratory_id.choices = [_lab_choice(lab) for lab in _labs(*sorted(kinds))]
        if extension:
            for name in ("start_date", "host_laboratory_id", "cost_items", "requested_amount",
                         "justification"):
                delattr(self, name)
        else:
            # The row static/js/cost_items.js copies (its "__index__" becomes the next number).
            self.blank_cost_row = CostItemForm(prefix=f"{self.cost_items.name}-__index__-")
        if not self.is_submitted():
            self._prefill(application, asked or {})
        if not extension and not self.cost_items.entries:
            self.cost_items.append_entry()  # one empty row to start from

    # The cost rows behave as on the application's form (and the services' messages find
    # their row the same way).
    filled_cost_rows = ApplicationForm.filled_cost_rows
    cost_total = ApplicationForm.cost_total
    add_cost_row = ApplicationForm.add_cost_row
    remove_cost_row = ApplicationForm.remove_cost_row
    add_errors = ApplicationForm.add_errors

    def _prefill(self, application, asked):
        """The current values, or those a returned change asked."""
        values = values_from({"start_date": asked.get("start_date", application.start_date),
                              "end_date": asked.get("end_date", application.end_date)},
                             application.direction)
        self.end_date.data = values["end_date"]
        self.version.data = application.version
        if self.extension:
            return
        self.start_date.data = values["start_date"]
        self.host_laboratory_id.data = str(asked.get("host_laboratory_id",
                                                     application.host_laboratory_id))
        self.requested_amount.data = as_amount(asked.get("requested_amount",
                                                         application.requested_amount))
        items = asked.get("cost_items")
        if items is None:
            items = [{"kind": item.kind, "description": item.description,
                      "amount": item.amount} for item in application.cost_items]
        for item in items:
            self.cost_items.append_entry(SimpleNamespace(
                kind=item["kind"], description=item["description"],
                amount=as_amount(item["amount"])))
        self.justification.data = asked.get("justification", application.justification)

    def changes(self):
        """The asked values of the fields the form shows (the service keeps those that
        differ from the application's)."""
        changes = {"end_date": self.end_date.data}
        if self.extension:
            return changes
        amount = self.requested_amount
        changes.update(
            start_date=self.start_date.data,
            host_laboratory_id=self.host_laboratory_id.data,
            justification=self.justification.data or "",
            requested_amount="invalid" if amount.refused else amount.data,
            cost_items=[{"kind": row.form.kind.data,
                         "description": row.form.description.data,
                         "amount": "invalid" if row.form.amount.refused
                         else row.form.amount.data}
                        for row in self.filled_cost_rows()],
        )
        return changes


AMENDMENT_COMMENT_WORDING = {
    "endorse": (_l("Note for the international office (optional)"),
                _l("The office and the applicant read it in the history.")),
    "approve": (_l("Comment for the applicant (optional)"),
                _l("The applicant reads it in the history.")),
    "return": (_l("Comment for the applicant (required to return)"),
               _l("Say what to change: the applicant reads it.")),
    "reject": (_l("Reason for rejecting (required to reject)"),
               _l("The applicant reads it.")),
    "withdraw": (_l("Why you withdraw (optional)"),
                 _l("The reviewers read it in the history.")),
}


def amendment_action_form(action, amendment, formdata=None):
    """The form of ``action`` on ``amendment``: prefilled on GET, bound on POST."""
    if action == "approve":
        form_class = ApproveForm
    elif AMENDMENT_TRANSITIONS[action].needs_comment:
        form_class = CommentedActionForm
    else:
        form_class = ActionForm
    form = form_class(prefix=f"amendment-{action}", formdata=formdata)
    form.comment.label.text, form.comment.description = AMENDMENT_COMMENT_WORDING[action]
    if formdata is None:
        form.version.data = amendment.version
        if action == "approve":
            asked = amendment.changes.get("requested_amount")
            form.awarded_amount.data = (as_amount(asked) if asked is not None
                                        else amendment.application.awarded_amount)
    return form
