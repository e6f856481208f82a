"""The ``/api/v1`` blueprint and what every endpoint shares.

- Authentication: the browser session, or ``Authorization: Bearer <token>``. A request that
  carries an Authorization header is judged by it alone: a bad token is a 401 even when a
  session cookie comes along.
- CSRF: the blueprint is exempt from Flask-WTF's automatic check, and :func:`authenticate`
  puts the check back for session-authenticated writes. Bearer requests need none: a browser
  never adds that header on its own.
- Errors: every refusal of the rules (:class:`~tracker.core.errors.Refused` and its family,
  :class:`ApiError` among them) is answered in the JSON format of docs/api.md by one handler. Errors
  Flask raises itself (404, 405, 413, 500) are answered as JSON under ``/api/`` by
  :mod:`tracker.core.errors`.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, g, request
from flask_login import current_user
from marshmallow import ValidationError
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from tracker import access
from tracker.core.errors import Refused
from tracker.auth.tokens import find_token
from tracker.core.errors import json_error
from tracker.core.models import utcnow
from tracker.core.paging import MAX_ID
from tracker.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

# A token's last use is written at most this often, so reads do not all turn into writes.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiError(Refused):
    """A refusal of the API's own (malformed body, bad token...), with its status first."""

    def __init__(self, status, message, code=None, fields=None):
        super().__init__(message, fields, status=status, code=code)


@bp.errorhandler(Refused)
def handle_refusal(error):
    """Every refusal of the rules, from any area, as the JSON error of docs/api.md."""
    # Nothing of a refused write may be committed by a later request's commit.
    db.session.rollback()
    fields = {name: [str(message) for message in messages]
              for name, messages in error.fields.items()}
    return json_error(error.status, str(error.message), code=error.code, fields=fields or None,
                      details=error.details)


@bp.errorhandler(ValidationError)
def handle_validation_error(error):
    return json_error(422, "Some values are invalid.", fields=_field_messages(error.messages))


def _field_messages(messages):
    """Marshmallow's messages as ``{field: [message, ...]}``.

    A problem inside a list or a nested object is named by its path, as the services name
    theirs: ``cost_items.1.amount``, ``eligible_categories.0``. A nested object's own
    problem (not an object, unknown...) is named by the object's path.
    """
    if isinstance(messages, list):
        return {"_body": [str(message) for message in messages]}
    named = {}
    for name, value in messages.items():
        _collect(named, str(name), value)
    return named


def _collect(named, path, value):
    if isinstance(value, dict):
        for key, inner in value.items():
            _collect(named, path if key == "_schema" else f"{path}.{key}", inner)
    elif isinstance(value, list):
        for item in value:
            _collect(named, path, item)
    else:
        named.setdefault(path, []).append(str(value))


# Authentication ---------------------------------------------------------------------------
def _unauthenticated(message):
    return ApiError(401, message)


@bp.before_request
def authenticate():
    header = request.headers.get("Authorization")
    g.api_token = None
    if header is None:
        # Browser session: writes need the session's CSRF token (header X-CSRFToken).
        if current_user.is_authenticated:
            csrf.protect()
        return
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthenticated("Use the header 'Authorization: Bearer <token>'.")
    api_token = find_token(token)
    now = utcnow()
    if api_token is None or api_token.revoked_at is not None or api_token.expires_at <= now:
        raise _unauthenticated("This token is unknown, expired or revoked.")
    user = api_token.user
    if not user.active:
        raise _unauthenticated("This account is deactivated.")
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_PRECISION:
        api_token.last_used_at = now
        db.session.commit()
    # Flask-Login reads the current user from ``g._login_user``: the token's owner is the
    # caller for this request only, and nothing is written to the session.
    g._login_user = user
    g.api_token = api_token


@bp.after_request
def challenge(response):
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def require_user():
    """The caller, or a 401 for anonymous requests."""
    if not current_user.is_authenticated or not current_user.is_active:
        raise _unauthenticated("Sign in or send a bearer token.")
    return current_user._get_current_object()


def require_admin():
    user = require_user()
    if not access.can_manage_directory(user):
        raise ApiError(403, "Only administrators may do this.")
    return user


# Input -------------------------------------------------------------------------------------
def json_body():
    """The request's JSON object; 415 when it is not JSON, 400 when it is malformed."""
    try:
        body = request.get_json()
    except UnsupportedMediaType:
        raise ApiError(415, "Send a JSON body with 'Content-Type: application/json'.")
    except BadRequest:
        raise ApiError(400, "The body is not valid JSON.")
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return body


def load_body(schema, **kwargs):
    """The JSON body validated by ``schema`` (422 with the offending fields)."""
    return schema.load(json_body(), **kwargs)


def load_query(schema):
    """The query string validated by ``schema``; repeated or unknown parameters are 422."""
    args = {}
    for name, values in request.args.lists():
        if len(values) > 1:
            raise ApiError(422, "Some values are invalid.", fields={name: ["Give it once."]})
        args[name] = values[0]
    return schema.load(args)


# Paging ------------------------------------------------------------------------------------
def page_of(query, params, dump):
    """Offset paging: ``{"items", "page", "per_page", "total"}`` of ``query``."""
    page, per_page = params["page"], params["per_page"]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": [dump(row) for row in rows], "page": page, "per_page": per_page,
            "total": total}


def get_or_404(model, object_id, message="There is nothing with this id."):
    """The row of ``model`` with ``object_id``, or a JSON 404."""
    row = db.session.get(model, object_id) if 1 <= object_id <= MAX_ID else None
    if row is None:
        raise ApiError(404, message)
    return row

