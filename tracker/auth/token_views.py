"""The profile page listing a person's API tokens, each revocable.

Registered on the ``auth`` blueprint: ``tracker/auth/views.py`` imports this module last.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth.models import ApiToken
from tracker.auth import tokens as token_service
from tracker.auth.views import bp
from tracker.core.models import utcnow
from tracker import access
from tracker.access import login_required
from tracker.extensions import db


@bp.route("/tokens")
@login_required
def list_tokens():
    tokens = db.session.scalars(
        access.own_tokens(current_user)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return render_template("auth/tokens.html", tokens=tokens, now=utcnow())


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
