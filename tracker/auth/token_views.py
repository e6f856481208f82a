"""The profile page listing a person's API tokens, each revocable.

Registered on the ``auth`` blueprint: ``tracker/auth/views.py`` imports this module last.
"""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth.models import ApiToken
from tracker.auth import tokens as token_service
from tracker.auth.views import bp
from tracker.core.models import utcnow
from tracker import access
from tracker.access import login_required
from tracker.extensions import db


TOKEN_NAME_MAX = 100


def _tokens_page(new_token=None, name_error=None, status=200):
    tokens = db.session.scalars(
        access.own_tokens(current_user)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    response = make_response(render_template(
        "auth/tokens.html", tokens=tokens, now=utcnow(), new_token=new_token,
        name_error=name_error, max_name=TOKEN_NAME_MAX,
    ), status)
    # A page that shows a new token once must not be kept by the browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/tokens")
@login_required
def list_tokens():
    return _tokens_page()


@bp.route("/tokens", methods=["POST"])
@login_required
def create_token():
    """Create a token for the signed-in person (the session and its CSRF token vouch for
    them) and show it once, in this answer only: it is never stored, nor put in a flash
    message that would travel in the session cookie."""
    name = (request.form.get("name") or "").strip()
    if len(name) > TOKEN_NAME_MAX:
        return _tokens_page(
            name_error=_("At most %(max)d characters.", max=TOKEN_NAME_MAX), status=422)
    token, _row = token_service.issue_token(current_user, name=name)
    db.session.commit()
    return _tokens_page(new_token=token)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    # Someone else's token answers like an unknown one.
    token = db.session.scalar(access.own_tokens(current_user).where(ApiToken.id == token_id))
    if token is None:
        abort(404)
    token_service.revoke_token(token)
    db.session.commit()
    flash(_("The token is revoked: it no longer opens the API."), "success")
    return redirect(url_for("auth.list_tokens"))
