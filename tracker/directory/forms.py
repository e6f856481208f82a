"""Forms of the directory administration: people, laboratories, programmes, and the filters
of their lists.

Edit forms check each field, then ask :mod:`tracker.directory.services` about the rules that
tie several fields together, so every problem shows next to its field in one round trip.
"""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Form,
    IntegerField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.auth.models import CATEGORIES, CATEGORY_LABELS, ROLE_LABELS, ROLES
from tracker.auth.services import user_by_email
from tracker.core.countries import country_choices
from tracker.core.fields import AmountField
from tracker.core.language import reader_locale
from tracker.core.numbers import size_problem
from tracker.directory import services
from tracker.applications.models import (
    BLOCKED_STEPS,
    DOCUMENT_KINDS,
    OPINION_KIND_LABELS,
    OPINION_KINDS,
    PURPOSE_LABELS,
    PURPOSES,
)
from tracker.core.countries import RISK_LEVELS
from tracker.directory.models import (
    DIRECTION_LABELS,
    DIRECTIONS,
    LAB_KIND_LABELS,
    LAB_KINDS,
    MAX_STAY_DAYS,
    RISK_LEVEL_LABELS,
)

MAX_BUDGET = Decimal("999999999999.99")  # what Numeric(14, 2) holds


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes; templates render it with the ``checkbox_group`` macro."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def tidy(value):
    """Strip surrounding blanks and NUL characters (PostgreSQL refuses the latter)."""
    if isinstance(value, str):
        return value.replace("\x00", "").strip()
    return value


def optional_id(value):
    """Coerce a select's value to a row id, the empty choice to None."""
    if value in ("", None):
        return None
    return int(value)


def at_least_one(message):
    def check(form, field):
        if not field.data:
            raise StopValidation(message)

    return check


def money(form, field):
    """A finite amount in euros, not negative, with at most two decimals."""
    value = field.data
    if value is None:
        return
    if value < 0:
        raise StopValidation(_l("The budget cannot be negative."))
    problem = size_problem(value, MAX_BUDGET, reader_locale())
    if problem is not None:
        raise StopValidation(problem)


def _role_choices():
    return [(role, ROLE_LABELS[role]) for role in ROLES]


def _category_choices():
    return [(category, CATEGORY_LABELS[category]) for category in CATEGORIES]


def _lab_choices(laboratories, blank):
    """Choices from (id, name, acronym) rows."""
    return [("", blank)] + [
        (str(lab_id), f"{acronym} — {name}" if acronym else name)
        for lab_id, name, acronym in laboratories
    ]


class DirectoryForm(FlaskForm):
    """Adds the problems a service found to the fields they concern."""

    def add_problems(self, fields):
        """Put the services' problems (``{field: message or [messages]}``) next to their
        fields, once each."""
        for name, messages in fields.items():
            errors = list(self[name].errors)
            for message in messages if isinstance(messages, list) else [messages]:
                if str(message) not in map(str, errors):
                    errors.append(message)
            self[name].errors = errors


# People --------------------------------------------------------------------------------
class UserForm(DirectoryForm):
    full_name = StringField(
        _l("Full name"), filters=[tidy], validators=[DataRequired(), Length(max=200)]
    )
    email = EmailField(
        _l("Email address"),
        filters=[tidy],
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )
    category = SelectField(_l("Category"), choices=_category_choices)
    nationality = SelectField(_l("Nationality"), validators=[DataRequired()])
    home_laboratory_id = SelectField(_l("Home laboratory"), coerce=optional_id)
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=_role_choices,
        validators=[at_least_one(_l("Choose at least one role."))],
    )
    active = BooleanField(
        _l("Active account"),
        description=_l("A deactivated person cannot sign in; their sessions end at once."),
    )

    def __init__(self, user, editor, laboratories, *args, **kwargs):
        """``user`` is the account edited, ``editor`` the admin doing it."""
        super().__init__(*args, obj=user, **kwargs)
        self._user = user
        self._editor = editor
        self.nationality.choices = country_choices(blank=_l("Choose a country"))
        self.home_laboratory_id.choices = _lab_choices(laboratories, _l("None / not listed"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        problems = services.account_problems(
            self._editor,
            self._user,
            email=self.email.data if not self.email.errors else None,
            roles=self.roles.data or [],
            active=self.active.data,
        )
        self.add_problems(problems)
        return valid and not problems


class UserFilterForm(Form):
    q = SearchField(_l("Name or email"), filters=[tidy], validators=[Length(max=100)])
    role = SelectField(
        _l("Role"), default="", choices=lambda: [("", _l("Any role"))] + _role_choices()
    )
    active = SelectField(
        _l("Status"),
        default="",
        choices=[("", _l("Active and inactive")), ("1", _l("Active")), ("0", _l("Inactive"))],
    )


# Laboratories ----------------------------------------------------------------------------
class LaboratoryForm(DirectoryForm):
    name = StringField(_l("Name"), filters=[tidy], validators=[DataRequired(), Length(max=200)])
    acronym = StringField(_l("Acronym"), filters=[tidy], validators=[Length(max=30)])
    kind = SelectField(
        _l("Kind"), choices=lambda: [(kind, LAB_KIND_LABELS[kind]) for kind in LAB_KINDS]
    )
    institution = StringField(
        _l("Institution"), filters=[tidy], validators=[Length(max=200)]
    )
    city = StringField(_l("City"), filters=[tidy], validators=[Length(max=100)])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    restricted_zone = BooleanField(
        _l("Restricted zone"),
        description=_l(
            "Units only: access is protected, so a foreign national coming to it needs a "
            "security opinion."
        ),
    )
    director_email = EmailField(
        _l("Director's email address"),
        description=_l(
            "For units and joint units only; leave empty for none. "
            "The director gets the director role."
        ),
        filters=[tidy],
        validators=[Optional(), Length(max=254)],
    )

    def __init__(self, laboratory=None, *args, **kwargs):
        super().__init__(*args, obj=laboratory, **kwargs)
        self.country.choices = country_choices(blank=_l("Choose a country"))
        if laboratory is not None and not self.is_submitted() and laboratory.director:
            self.director_email.data = laboratory.director.email
        self.director = None

    def validate_director_email(self, field):
        if not field.data:
            return
        director = user_by_email(field.data)
        if director is None:
            raise ValidationError(_l("Nobody has an account with this email address."))
        if not director.active:
            raise ValidationError(_l("This account is deactivated: it cannot direct a laboratory."))
        self.director = director

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        problems = services.laboratory_problems(
            self.kind.data,
            self.country.data,
            self.director is not None or bool(self.director_email.data),
            restricted_zone=self.restricted_zone.data,
        )
        self.add_problems(problems)
        return valid and not problems

    def values(self):
        """The typed values, as :func:`services.save_laboratory` takes them."""
        return {
            "name": self.name.data,
            "acronym": self.acronym.data or "",
            "kind": self.kind.data,
            "institution": self.institution.data or "",
            "city": self.city.data or "",
            "country": self.country.data,
            "director": self.director,
            "restricted_zone": self.restricted_zone.data,
        }


class LaboratoryFilterForm(Form):
    q = SearchField(
        _l("Name, acronym, city or institution"), filters=[tidy], validators=[Length(max=100)]
    )
    kind = SelectField(
        _l("Kind"),
        default="",
        choices=lambda: [("", _l("All kinds"))]
        + [(kind, LAB_KIND_LABELS[kind]) for kind in LAB_KINDS],
    )
    country = SelectField(_l("Country"), default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices(blank=_l("All countries"))


# Programmes ------------------------------------------------------------------------------
def _days_field(label):
    return IntegerField(
        label,
        validators=[
            InputRequired(_l("Enter a number of days.")),
            NumberRange(
                min=1,
                max=MAX_STAY_DAYS,
                message=_l("Enter a number of days from %(min)s to %(max)s."),
            ),
        ],
    )


class ProgrammeForm(DirectoryForm):
    name = StringField(_l("Name"), filters=[tidy], validators=[DataRequired(), Length(max=200)])
    direction = SelectField(
        _l("Direction"),
        choices=lambda: [(direction, DIRECTION_LABELS[direction]) for direction in DIRECTIONS],
    )
    opens_on = DateField(_l("Opens on"), validators=[InputRequired(_l("Enter a date."))])
    closes_on = DateField(_l("Closes on"), validators=[InputRequired(_l("Enter a date."))])
    min_days = _days_field(_l("Shortest stay (days)"))
    max_days = _days_field(_l("Longest stay (days)"))
    # Typed in the reader's language (25 000,00 in French), never rescaled (docs/rules.md).
    budget = AmountField(
        _l("Budget (EUR)"),
        validators=[InputRequired(_l("Enter the budget in euros.")), money],
    )
    eligible_categories = MultiCheckboxField(
        _l("Eligible categories"),
        choices=_category_choices,
        validators=[at_least_one(_l("Choose at least one category of people."))],
    )
    description = TextAreaField(
        _l("Description"), filters=[tidy], validators=[Length(max=10000)]
    )
    active = BooleanField(
        _l("Active"), description=_l("Only active programmes accept applications.")
    )

    def __init__(self, programme=None, *args, **kwargs):
        super().__init__(*args, obj=programme, **kwargs)
        if programme is None and not self.is_submitted():
            self.active.data = True

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)

        def clean(field):
            return None if field.errors else field.data

        problems = services.programme_problems(
            clean(self.opens_on), clean(self.closes_on), clean(self.min_days), clean(self.max_days)
        )
        self.add_problems(problems)
        return valid and not problems

    def values(self):
        """The typed values, as :func:`services.save_programme` takes them."""
        return {
            "name": self.name.data,
            "direction": self.direction.data,
            "opens_on": self.opens_on.data,
            "closes_on": self.closes_on.data,
            "min_days": self.min_days.data,
            "max_days": self.max_days.data,
            "budget": self.budget.data,
            "eligible_categories": self.eligible_categories.data,
            "description": self.description.data or "",
            "active": self.active.data,
        }


class ProgrammeFilterForm(Form):
    q = SearchField(_l("Name"), filters=[tidy], validators=[Length(max=100)])
    direction = SelectField(
        _l("Direction"),
        default="",
        choices=lambda: [("", _l("Both directions"))]
        + [(direction, DIRECTION_LABELS[direction]) for direction in DIRECTIONS],
    )
    active = SelectField(
        _l("Status"),
        default="",
        choices=[("", _l("Active and inactive")), ("1", _l("Active")), ("0", _l("Inactive"))],
    )


# Countries -------------------------------------------------------------------------------
def _level_choices():
    return [(level, RISK_LEVEL_LABELS[level]) for level in RISK_LEVELS]


class CountryFilterForm(Form):
    q = SearchField(_l("Country name or code"), filters=[tidy], validators=[Length(max=100)])
    risk_level = SelectField(
        _l("Risk level"), default="", choices=lambda: [("", _l("All levels"))] + _level_choices()
    )


class CountryForm(DirectoryForm):
    risk_level = SelectField(_l("Risk level"), choices=_level_choices)
    note = TextAreaField(
        _l("Note"),
        description=_l("Why this level, and what travellers should know (optional)."),
        filters=[tidy],
        validators=[Length(max=2000)],
    )


# Requirement rules -----------------------------------------------------------------------
DOCUMENT_KIND_LABELS = {
    "cv": _l("CV"),
    "invitation_letter": _l("Invitation letter"),
    "host_agreement": _l("Hosting agreement"),
    "insurance": _l("Insurance certificate"),
    "visa": _l("Visa"),
    "report": _l("Report"),
    "other": _l("Other document"),
}
BLOCKED_STEP_LABELS = {"submit": _l("Submission"), "approve": _l("Approval")}


def optional_text(value):
    """The empty choice of a select as None."""
    return value or None


class RuleForm(DirectoryForm):
    code = StringField(
        _l("Code"),
        description=_l("What the API calls the requirement: lowercase letters, digits and "
                       "underscores, such as host_agreement."),
        filters=[tidy],
        validators=[DataRequired(), Length(max=40)],
    )
    name = StringField(_l("Name"), filters=[tidy], validators=[DataRequired(), Length(max=200)])
    direction = SelectField(
        _l("Direction"),
        coerce=optional_text,
        choices=lambda: [("", _l("Either direction"))]
        + [(direction, DIRECTION_LABELS[direction]) for direction in DIRECTIONS],
    )
    min_days = IntegerField(
        _l("Stays of at least (days)"),
        description=_l("The rule applies to stays of this many days or more; leave empty "
                       "for any length."),
        validators=[Optional(), NumberRange(min=1, max=MAX_STAY_DAYS,
                                            message=_l("Enter a number of days of 1 or more."))],
    )
    min_risk_level = SelectField(
        _l("Destination at least at risk level"),
        coerce=optional_text,
        choices=lambda: [("", _l("Any destination"))] + _level_choices(),
    )
    non_eu_national = BooleanField(
        _l("Applicant not a national of the EU, the EEA or Switzerland")
    )
    host_restricted = BooleanField(_l("Host unit is a restricted zone"))
    host_joint_unit_director = BooleanField(
        _l("Host is a joint unit whose director is someone else")
    )
    purposes = MultiCheckboxField(
        _l("Purposes"),
        description=_l("None ticked: any purpose."),
        choices=lambda: [(purpose, PURPOSE_LABELS[purpose]) for purpose in PURPOSES],
    )
    document_kind = SelectField(
        _l("Requires a document"),
        coerce=optional_text,
        choices=lambda: [("", _l("No document"))]
        + [(kind, DOCUMENT_KIND_LABELS[kind]) for kind in DOCUMENT_KINDS],
    )
    opinion_kind = SelectField(
        _l("Requires an opinion"),
        description=_l("Choose a document or an opinion, not both."),
        coerce=optional_text,
        choices=lambda: [("", _l("No opinion"))]
        + [(kind, OPINION_KIND_LABELS[kind]) for kind in OPINION_KINDS],
    )
    blocks = SelectField(
        _l("Must be met before"),
        choices=lambda: [(step, BLOCKED_STEP_LABELS[step]) for step in BLOCKED_STEPS],
    )
    active = BooleanField(_l("Active"), description=_l("Only active rules apply."))

    def __init__(self, rule=None, *args, **kwargs):
        super().__init__(*args, obj=rule, **kwargs)
        if not self.is_submitted():
            if rule is None:
                self.active.data = True
                self.blocks.data = "approve"
            else:
                self.purposes.data = rule.purpose_list

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        values = self.values()
        problems = services.rule_problems(
            **{name: values[name] for name in (
                "code", "name", "direction", "min_days", "min_risk_level", "purposes",
                "document_kind", "opinion_kind", "blocks")}
        )
        if self.min_days.errors:
            problems.pop("min_days", None)
        self.add_problems(problems)
        return valid and not problems

    def values(self):
        """The typed values, as :func:`services.save_rule` takes them."""
        return {
            "code": self.code.data or "",
            "name": self.name.data or "",
            "direction": self.direction.data,
            "min_days": None if self.min_days.errors else self.min_days.data,
            "min_risk_level": self.min_risk_level.data,
            "non_eu_national": self.non_eu_national.data,
            "host_restricted": self.host_restricted.data,
            "host_joint_unit_director": self.host_joint_unit_director.data,
            "purposes": self.purposes.data or [],
            "document_kind": self.document_kind.data,
            "opinion_kind": self.opinion_kind.data,
            "blocks": self.blocks.data,
            "active": self.active.data,
        }


class RuleSwitchForm(FlaskForm):
    """Switching a rule on or off: a button, with its CSRF token."""


def rule_in_words(rule):
    """``(conditions, requirement)`` of ``rule`` as sentences for people."""
    conditions = []
    if rule.direction:
        conditions.append(_l("%(direction)s stay", direction=DIRECTION_LABELS[rule.direction]))
    if rule.min_days:
        conditions.append(_l("lasting %(days)d days or more", days=rule.min_days))
    if rule.min_risk_level:
        conditions.append(_l("to a country at %(level)s or above",
                             level=RISK_LEVEL_NAMES[rule.min_risk_level]))
    if rule.non_eu_national:
        conditions.append(_l("by a national of a country outside the EU, the EEA and "
                             "Switzerland"))
    if rule.host_restricted:
        conditions.append(_l("into a restricted-zone unit"))
    if rule.host_joint_unit_director:
        conditions.append(_l("to a joint unit directed by someone else"))
    if rule.purpose_list:
        conditions.append(_l("for: %(purposes)s", purposes=", ".join(
            str(PURPOSE_LABELS.get(purpose, purpose)) for purpose in rule.purpose_list)))
    if not conditions:
        conditions.append(_l("every application"))
    if rule.document_kind:
        what = _l("a document: %(kind)s",
                  kind=DOCUMENT_KIND_LABELS.get(rule.document_kind, rule.document_kind))
    else:
        what = _l("%(kind)s, not unfavourable",
                  kind=OPINION_KIND_LABELS.get(rule.opinion_kind, rule.opinion_kind))
    if rule.blocks == "submit":
        requirement = _l("%(what)s, before submission", what=what)
    else:
        requirement = _l("%(what)s, before approval", what=what)
    return conditions, requirement


RISK_LEVEL_NAMES = {
    "green": _l("green"), "yellow": _l("yellow"), "orange": _l("orange"), "red": _l("red"),
}
