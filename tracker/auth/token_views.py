"""The profile page listing a person's API tokens, each revocable.

Registered on the ``auth`` blueprint: ``tracker/auth/views.py`` imports this module last.
"""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.api import tokens as api_tokens
from tracker.auth.models import ApiToken
from tracker.auth.views import bp
from tracker.core.models import utcnow
from tracker.core.permissions import login_required
from tracker.extensions import db


@bp.route("/tokens")
@login_required
def list_tokens():
    tokens = db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return render_template("auth/tokens.html", tokens=tokens, now=utcnow())


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    token = db.session.get(ApiToken, token_id)
    # Someone else's token answers like an unknown one.
    if token is None or token.user_id != current_user.id:
        abort(404)
    api_tokens.revoke_token(token)
    db.session.commit()
    flash(_("The token is revoked: it no longer opens the API."), "success")
    return redirect(url_for("auth.list_tokens"))
