"""Forms for signing in, registering and changing a password."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, Length, ValidationError

from tracker.auth.models import CATEGORIES, CATEGORY_LABELS
from tracker.auth.passwords import password_problems
from tracker.core.countries import country_choices


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


def _check_policy(form, field):
    email = form.email.data if hasattr(form, "email") else None
    if hasattr(form, "_user") and form._user is not None:
        email = form._user.email
    problems = password_problems(field.data or "", email=email)
    if problems:
        raise ValidationError(" ".join(problems))


def new_password_field(label):
    """A password to set, checked against the policy (tracker.auth.passwords)."""
    return PasswordField(
        label,
        description=_l("At least 12 characters; a passphrase of several words works well."),
        validators=[DataRequired(), Length(max=200), _check_policy],
    )


def confirm_password_field(label):
    """The same password again, so a typing mistake does not lock the person out."""
    return PasswordField(
        label,
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class _NewPersonForm(FlaskForm):
    """What a new account needs and only its owner can say: their category, nationality
    and home laboratory."""

    category = SelectField(
        _l("Category"), choices=[(c, CATEGORY_LABELS[c]) for c in CATEGORIES]
    )
    nationality = SelectField(_l("Nationality"), validators=[DataRequired()])
    # A request only: the laboratory's director confirms it (tracker.auth.registration).
    requested_laboratory_id = SelectField(
        _l("Home laboratory"),
        description=_l("Its director confirms that you belong to it; until then your "
                       "account has no home laboratory."),
        coerce=str, validate_choice=True,
    )

    def __init__(self, laboratories=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nationality.choices = country_choices(blank=_l("Choose a country"))
        self.requested_laboratory_id.choices = [("", _l("None / not listed"))] + [
            (str(lab.id), lab.label) for lab in laboratories
        ]

    @property
    def requested_laboratory(self):
        """The id of the laboratory asked for, or None."""
        value = self.requested_laboratory_id.data
        return int(value) if value else None


class RegisterForm(_NewPersonForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    password = new_password_field(_l("Password"))
    confirm = confirm_password_field(_l("Repeat the password"))


class SingleSignOnAccountForm(_NewPersonForm):
    """The questions of a first sign-in through the provider, asked once."""


class ResendConfirmationForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )


class HomeRequestDecisionForm(FlaskForm):
    decision = HiddenField(validators=[DataRequired(), AnyOf(("confirm", "refuse"))])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = new_password_field(_l("New password"))
    confirm = confirm_password_field(_l("Repeat the new password"))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user
