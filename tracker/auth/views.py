"""Sign in, sign out, register, change password."""

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE_NAME

from tracker.auth.forms import ChangePasswordForm, LoginForm, RegisterForm
from tracker.auth.passwords import verify_password
from tracker.auth.services import (
    authenticate,
    create_user,
    limit_sign_in,
    mark_login_failed,
    set_password,
    user_by_email,
)
from tracker.access import login_required
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
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            # A fresh session (and CSRF token) at every sign-in.
            session.clear()
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("main.index")))
        mark_login_failed()
        form.password.errors.append(_("Unknown email address or wrong password."))
    elif request.method == "POST":
        mark_login_failed()
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    current_user.end_all_sessions()
    db.session.commit()
    # Clear first: logout_user leaves a note in the session to delete the remember-me
    # cookie, which clearing afterwards would throw away.
    session.clear()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    laboratories = db.session.scalars(sa.select(Laboratory).order_by(Laboratory.name)).all()
    form = RegisterForm(laboratories)
    if form.validate_on_submit():
        if user_by_email(form.email.data) is not None:
            form.email.errors.append(
                _("An account already uses this address. Sign in, or use another address.")
            )
        else:
            user = create_user(
                form.email.data,
                form.full_name.data,
                form.password.data,
                roles=("researcher",),
                category=form.category.data,
                nationality=form.nationality.data,
                home_laboratory_id=int(form.home_laboratory_id.data)
                if form.home_laboratory_id.data
                else None,
            )
            db.session.commit()
            session.clear()
            login_user(user)
            flash(_("Your account is ready."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form)


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
            session.clear()
            login_user(user, remember=remembered)
            flash(_("Your password is changed. Other sessions were signed out."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


from tracker.auth import token_views  # noqa: E402,F401  (the API token pages, on this blueprint)
