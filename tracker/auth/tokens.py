"""Personal API tokens: issued, looked up and revoked.

Only the SHA-256 digest of a token is stored; the token itself is shown once, in the
response that creates it. The API (:mod:`tracker.api.tokens`) and the profile page
(:mod:`tracker.auth.token_views`) both call these functions.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from tracker.auth.models import ApiToken, User
from tracker.core.models import utcnow
from tracker.extensions import db


def hash_token(token):
    """The stored form of a token: its SHA-256 digest in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_lifetime():
    return timedelta(days=current_app.config["API_TOKEN_DAYS"])


def issue_token(user, name=""):
    """A new token for ``user``: returns ``(token, row)``; the caller commits."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        token_hash=hash_token(token),
        name=name,
        expires_at=utcnow() + token_lifetime(),
    )
    db.session.add(row)
    db.session.flush()
    return token, row


def find_token(token):
    """The stored row of ``token`` (whatever its state), with its owner loaded, or None.

    The owner, their roles and the laboratories they direct, which every API request reads,
    are joined to the token: authenticating costs one statement, not four. (The loader
    options are built here, not when the module is imported: building them configures the
    mappers, which needs every model imported first.)
    """
    owner = joinedload(ApiToken.user)
    return db.session.scalars(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token))
        .options(owner.joinedload(User.role_rows), owner.joinedload(User.directed_laboratories))
    ).unique().one_or_none()


def revoke_token(row):
    """Revoke ``row`` now (a second revocation keeps the first time)."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
