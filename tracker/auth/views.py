"""Sign in, sign out, register, change password."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE_NAME

from tracker.auth.forms import (
    ChangePasswordForm,
    HomeRequestDecisionForm,
    LoginForm,
    RegisterForm,
    ResendConfirmationForm,
)
from tracker.auth import oidc
from tracker.auth.models import User
from tracker.auth.passwords import verify_password
from tracker.auth.registration import (
    confirm_address,
    decide_home_request,
    limit_registration,
    read_confirmation_token,
    register_person,
    registration_open,
    resend_confirmation,
)
from tracker.auth.services import (
    LOCALE_SESSION_KEY,
    credentials_owner,
    fresh_session,
    limit_sign_in,
    mark_login_failed,
    password_sign_in_allowed,
    set_password,
)
from tracker.access import (
    home_requests_to_decide,
    login_required,
    role_required,
)
from tracker.core.urls import safe_next
from tracker.directory.models import Laboratory
from tracker.extensions import db

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _remember_cookie_name():
    return current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE_NAME)


@bp.route("/login", methods=["GET", "POST"])
@limit_sign_in
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("main.index")))
    form = LoginForm()
    awaiting_confirmation = False
    if form.validate_on_submit():
        user = credentials_owner(form.email.data, form.password.data)
        if user is not None and user.is_active and password_sign_in_allowed(user):
            # A fresh session (and CSRF token) at every sign-in.
            fresh_session()
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("main.index")))
        awaiting_confirmation = _refuse_password_sign_in(form, user)
    elif request.method == "POST":
        mark_login_failed()
    return render_template("auth/login.html", form=form, sso=oidc.enabled(),
                           awaiting_confirmation=awaiting_confirmation)


def _refuse_password_sign_in(form, user):
    """Say next to the fields why these credentials open no session; True when the address
    awaits confirmation. A reason is given only to someone who knows the password (``user``
    is theirs): it reveals nothing to others."""
    if user is not None and user.is_active:
        # Password sign-in is off for people of the provider: no failure, the right person.
        form.password.errors.append(_(
            "Your account signs in through %(name)s only: use its button below.",
            name=current_app.config["OIDC_NAME"]))
        return False
    mark_login_failed()
    if user is not None and user.active and not user.email_confirmed:
        form.email.errors.append(_(
            "Confirm your address first: open the link we sent to it when you registered."
        ))
        return True
    form.password.errors.append(_("Unknown email address or wrong password."))
    return False


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    current_user.end_all_sessions()
    db.session.commit()
    # Clear first: logout_user leaves a note in the session to delete the remember-me
    # cookie, which clearing afterwards would throw away. The person's language stays with
    # the browser they signed out of.
    if current_user.locale:
        session[LOCALE_SESSION_KEY] = current_user.locale
    id_token = session.get(oidc.ID_TOKEN_KEY)
    fresh_session()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(_provider_sign_out(id_token) or url_for("auth.login"))


def _provider_sign_out(id_token):
    """The provider's end-session address when the person signed in through it and it
    offers one: their session there ends too, and the provider sends them back to the
    sign-in page. None otherwise."""
    if not (id_token and oidc.enabled()):
        return None
    return oidc.end_session_url(id_token, url_for("auth.login", _external=True))


@bp.route("/register", methods=["GET", "POST"])
@limit_registration
def register():
    if not registration_open():
        return render_template("auth/registration_closed.html"), 404
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    laboratories = db.session.scalars(sa.select(Laboratory).order_by(Laboratory.name)).all()
    form = RegisterForm(laboratories)
    if form.validate_on_submit():
        register_person(
            form.email.data,
            form.full_name.data,
            form.password.data,
            category=form.category.data,
            nationality=form.nationality.data,
            requested_laboratory_id=form.requested_laboratory,
        )
        db.session.commit()
        # The same page whether or not the address already had an account.
        return render_template("auth/check_mailbox.html")
    return render_template("auth/register.html", form=form)


@bp.route("/confirm/<token>")
def confirm_email(token):
    outcome, user = read_confirmation_token(token)
    if outcome == "valid":
        confirm_address(user)
        db.session.commit()
        flash(_("Your address is confirmed. You may sign in."), "success")
        return redirect(url_for("auth.login"))
    status = {"used": 200, "expired": 410, "invalid": 404}[outcome]
    return render_template("auth/confirmation_link.html", outcome=outcome,
                           form=ResendConfirmationForm()), status


@bp.route("/confirm", methods=["GET", "POST"])
@limit_registration
def resend_confirmation_link():
    if not registration_open():
        return render_template("auth/registration_closed.html"), 404
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        resend_confirmation(form.email.data)
        db.session.commit()
        # The same page whether or not the address awaits confirmation.
        return render_template("auth/check_mailbox.html")
    return render_template("auth/resend_confirmation.html", form=form)


@bp.route("/home-requests")
@role_required("director", "admin")
def home_requests():
    people = db.session.scalars(
        home_requests_to_decide(current_user)
        .options(selectinload(User.requested_laboratory))  # one query, not one per row
        .order_by(User.created_at, User.id)
    ).all()
    return render_template("auth/home_requests.html", people=people,
                           form=HomeRequestDecisionForm())


@bp.route("/home-requests/<int:user_id>", methods=["POST"])
@role_required("director", "admin")
def decide_home_laboratory(user_id):
    # The scope is the rule: a request this person may not decide is not found.
    person = db.session.scalar(home_requests_to_decide(current_user).where(User.id == user_id))
    if person is None:
        abort(404)
    form = HomeRequestDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    accept = form.decision.data == "confirm"
    laboratory = person.requested_laboratory.label
    decide_home_request(person, accept, actor=current_user)
    db.session.commit()
    if accept:
        flash(_("%(name)s now belongs to %(laboratory)s.", name=person.full_name,
                laboratory=laboratory), "success")
    else:
        flash(_("The request of %(name)s is refused.", name=person.full_name), "info")
    return redirect(url_for("auth.home_requests"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm(current_user)
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            user = current_user._get_current_object()
            set_password(user, form.password.data)
            db.session.commit()
            # Other sessions are ended; this one carries on with the new token, and a
            # remembered device gets a remember-me cookie carrying it too.
            remembered = _remember_cookie_name() in request.cookies
            fresh_session()
            login_user(user, remember=remembered)
            flash(_("Your password is changed. Other sessions were signed out."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


from tracker.auth import token_views  # noqa: E402,F401  (the API token pages, on this blueprint)
from tracker.auth import oidc_views  # noqa: E402,F401  (the single sign-on pages, likewise)
