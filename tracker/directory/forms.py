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
    DecimalField,
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
from tracker.directory import services
from tracker.directory.models import (
    DIRECTION_LABELS,
    DIRECTIONS,
    LAB_KIND_LABELS,
    LAB_KINDS,
    MAX_STAY_DAYS,
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
    if not value.is_finite():
        raise StopValidation(_l("Enter an amount in euros, for example 25000.00."))
    if value < 0:
        raise StopValidation(_l("The budget cannot be negative."))
    if value > MAX_BUDGET:
        raise StopValidation(_l("This amount is too large."))
    if value != value.quantize(Decimal("0.01")):
        raise StopValidation(_l("Use at most two decimals (cents)."))


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
    budget = DecimalField(
        _l("Budget (EUR)"),
        places=2,
        validators=[InputRequired(_l("Enter an amount in euros, for example 25000.00.")), money],
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
