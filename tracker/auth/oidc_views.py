"""The single sign-on pages: off to the provider, back from it, and the questions of a
first sign-in.

Registered on the ``auth`` blueprint: ``tracker/auth/views.py`` imports this module last.
Every page answers 404 while single sign-on is not configured.
"""

from functools import wraps

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from tracker.auth import oidc
from tracker.auth.forms import SingleSignOnAccountForm
from tracker.auth.services import fresh_session, limit_sign_on_returns, mark_login_failed
from tracker.auth.views import bp
from tracker.core.urls import safe_next
from tracker.directory.models import Laboratory
from tracker.extensions import db

# Session keys: where to go after signing in, and the verified claims of someone who has no
# account yet.
NEXT_KEY = "oidc_next"
PENDING_KEY = "oidc_pending"


def _when_enabled(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not oidc.enabled():
            abort(404)
        return view(*args, **kwargs)
    return wrapper


@bp.route("/oidc/login")
@_when_enabled
def oidc_login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    session[NEXT_KEY] = safe_next(request.args.get("next"), url_for("main.index"))
    try:
        return oidc.login_redirect(url_for("auth.oidc_callback", _external=True))
    except oidc.SignOnRefused as refusal:
        return _refusal_page(refusal)


@bp.route("/oidc/callback")
@_when_enabled
@limit_sign_on_returns
def oidc_callback():
    try:
        id_token, claims = oidc.verified_claims()
        user = oidc.account_for(claims)
    except oidc.SignOnRefused as refusal:
        db.session.rollback()
        mark_login_failed()
        return _refusal_page(refusal)
    next_url = session.get(NEXT_KEY) or url_for("main.index")
    if user is None:
        fresh_session()
        session[PENDING_KEY] = {"claims": claims, "id_token": id_token, "next": next_url}
        return redirect(url_for("auth.oidc_account"))
    db.session.commit()
    return _signed_in(user, id_token, next_url)


@bp.route("/oidc/account", methods=["GET", "POST"])
@_when_enabled
def oidc_account():
    pending = session.get(PENDING_KEY)
    if current_user.is_authenticated or not pending:
        return redirect(url_for("auth.login"))
    unit = oidc.unit_from_claims(pending["claims"])
    units = [] if unit else db.session.scalars(
        sa.select(Laboratory).where(Laboratory.kind == "unit").order_by(Laboratory.name)).all()
    form = SingleSignOnAccountForm(units)
    if unit:
        del form.requested_laboratory_id
    if form.validate_on_submit():
        try:
            user = oidc.create_account(
                pending["claims"], form.category.data, form.nationality.data,
                requested_laboratory_id=None if unit else form.requested_laboratory)
        except oidc.SignOnRefused as refusal:
            return _refusal_page(refusal)
        db.session.commit()
        return _signed_in(user, pending["id_token"], pending["next"])
    return render_template("auth/oidc_account.html", form=form, unit=unit,
                           email=pending["claims"].get("email"))


def _signed_in(user, id_token, next_url):
    # A fresh session (and CSRF token) at every sign-in, as with a password.
    fresh_session()
    login_user(user)
    session[oidc.ID_TOKEN_KEY] = id_token
    flash(_("Welcome, %(name)s.", name=user.full_name), "success")
    return redirect(safe_next(next_url, url_for("main.index")))


def _refusal_page(refusal):
    return render_template("auth/oidc_refused.html", message=refusal.message), refusal.status

