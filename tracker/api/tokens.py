"""Personal API tokens: issued for an email and password, sent as ``Bearer``, revocable.

Only the SHA-256 digest of a token is stored; the token itself is shown once, in the
response that creates it. Token creation counts failed attempts against the same limits
as the sign-in form (per account and per client address, failures only).
"""

from flask import g
from flask_babel import gettext as _
from marshmallow import ValidationError

from tracker.api.base import ApiError, bp, json_body, require_user
from tracker.api.schemas import TokenRequest
from tracker.auth.services import authenticate, limit_sign_in, mark_login_failed
from tracker.auth.tokens import issue_token, revoke_token
from tracker.extensions import db


@bp.route("/auth/tokens", methods=["POST"])
@limit_sign_in
def create_token():
    try:
        data = TokenRequest().load(json_body())
    except (ApiError, ValidationError):
        mark_login_failed()
        raise
    user = authenticate(data["email"], data["password"])
    if user is None:
        mark_login_failed()
        raise ApiError(401, _("Unknown email address or wrong password."))
    token, row = issue_token(user, data["name"])
    db.session.commit()
    return {"token": token, "expires_at": row.expires_at.isoformat()}, 201


@bp.route("/auth/tokens/current", methods=["DELETE"])
def revoke_current_token():
    require_user()
    if g.api_token is None:
        raise ApiError(404, "This request was not made with a token: there is none to revoke.")
    revoke_token(g.api_token)
    db.session.commit()
    return "", 204
