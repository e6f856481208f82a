"""Error pages for browsers and JSON errors for the API. Never a traceback."""

import traceback

from flask import current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.core.language import reader_locale
from tracker.core.numbers import format_megabytes
from tracker.core.urls import same_site_referrer
from tracker.extensions import db, login_manager

# Codes of the JSON error format (docs/api.md).
ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "service_unavailable",
}
TEMPLATED = {400, 403, 404, 405, 409, 413, 429, 500}

# What SQLAlchemy raises when the database cannot be reached or is overwhelmed (a refused or
# dropped connection, a pool with no connection to give): the request is not at fault, so it
# is answered 503, and the client is told when to come back.
DATABASE_UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)
DATABASE_RETRY_SECONDS = 30


# Refusals ---------------------------------------------------------------------------------
# One family for every "no" the rules give, whichever area gives it: services raise them, web
# views turn them into messages next to the fields, and the API answers them as the JSON error of
# docs/api.md (its handler catches :class:`Refused`). When several apply, the first in the
# order of docs/api.md wins: 403 (who), then 409 (state, version), then 422 (values).
class Refused(Exception):
    """A request the rules refuse: ``status`` is the HTTP answer, ``code`` the JSON code,
    ``fields`` maps field names to lists of messages (for 422), ``details`` adds members
    of its own to the JSON error (``requirements`` for a 409 ``requirements_unmet``)."""

    status = 400
    code = "bad_request"

    def __init__(self, message="", fields=None, status=None, code=None, details=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.details = details or {}
        if status is not None:
            self.status = status
            self.code = ERROR_CODES.get(status, "error")
        if code is not None:
            self.code = code


class NotAllowed(Refused):
    """The caller may never do this to this object (403)."""

    status, code = 403, "forbidden"


class Conflict(Refused):
    """Not possible in the object's current state (409)."""

    status, code = 409, "conflict"


class InvalidValues(Refused):
    """Values break a rule (422); ``fields`` names each field and what is wrong with it."""

    status, code = 422, "invalid"


def wants_json():
    return request.path.startswith("/api/")


def json_error(status, message, code=None, fields=None, headers=None, details=None):
    """A response in the API's error format (``details``: more members of the error)."""
    body = {"status": status, "code": code or ERROR_CODES.get(status, "error"), "message": message}
    if fields:
        body["fields"] = fields
    for name, value in (details or {}).items():
        body.setdefault(name, value)
    response = jsonify({"error": body})
    response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


def _messages():
    return {
        400: _("The request could not be understood. Please go back and try again."),
        401: _("Please sign in to continue."),
        403: _("You do not have permission to do this."),
        404: _("This page does not exist, or you are not allowed to see it."),
        405: _("This action is not available here."),
        409: _("Someone else changed this in the meantime. Please review the current state."),
        413: too_large_message(),
        415: _("This type of file is not accepted."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        # Only what is true: the error is written to the server's log, nobody is paged.
        500: _("Something went wrong on our side. The error was recorded in the server's log; "
               "please try again, and tell the international office if it happens again."),
    }


def too_large_message():
    """What a person reads when a file is too large: the limit, in MB, in their language."""
    return _("The file is too large: a document may be at most %(size)s MB.",
             size=format_megabytes(current_app.config["MAX_DOCUMENT_SIZE"], reader_locale()))


def too_large_page(back_url=None, back_label=None):
    """The 413 page: the limit, and a way back (``back_url``, else the page the request
    came from, else the home page). The API answers its JSON 413 instead."""
    back_url = back_url or same_site_referrer(request)
    return render_template(
        "errors/413.html", status=413, message=too_large_message(),
        back_url=back_url, back_label=back_label or (_("Go back") if back_url else None),
    ), 413


def handle_http_exception(error):
    status = error.code or 500
    if status >= 500:
        db.session.rollback()
    headers = {}
    if status == 429:
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            headers["Retry-After"] = str(retry_after)
    message = str(getattr(error, "message_for_people", None) or _messages().get(
        status, error.description
    ))
    if isinstance(error, CSRFError):
        message = _("Your form expired or was sent from elsewhere. Please try again.")
    if wants_json():
        if status == 405:
            headers.update(dict(error.get_response().headers))
            headers.pop("Content-Type", None)
            headers.pop("Content-Length", None)
        return json_error(status, message, headers=headers)
    if status == 413:
        return too_large_page()
    template = f"errors/{status}.html" if status in TEMPLATED else "errors/generic.html"
    response = render_template(template, status=status, message=message), status
    return response[0], status, headers


def handle_unexpected(error):
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        # A driver error of another class that still means the connection was lost.
        return handle_database_unavailable(error)
    db.session.rollback()
    if isinstance(error, sa_exc.DBAPIError):
        # The driver's message may quote values past its first line (PostgreSQL's "DETAIL:
        # Key (email)=(...)"), which hide_parameters does not cover: log the frames and the
        # first line only.
        current_app.logger.error(
            "Unhandled error on %s: %s, %s\n%s", request.path, type(error).__name__,
            _summary(error), "".join(traceback.format_tb(error.__traceback__)),
        )
    else:
        current_app.logger.exception("Unhandled error on %s", request.path)
    return handle_http_exception(InternalServerError())


def handle_database_unavailable(error):
    """503 with ``Retry-After`` for any request that met an unreachable database.

    The answer needs no database itself: the page does not extend the site's layout, whose
    navigation loads the signed-in person and their unread count (a failure there is often
    how the outage is met). One line is logged per request, without a traceback (an outage
    fails every request alike) and without the statement or its values.
    """
    _discard_session()
    # Flask-Login's template context loads the user on every render, even of a page that
    # never shows them: without this, rendering the 503 page would query the database
    # again, fail outside any handler and leave the server's bare 500.
    g._login_user = login_manager.anonymous_user()
    current_app.logger.warning(
        "Database unavailable on %s %s: %s", request.method, request.path, _summary(error)
    )
    headers = {"Retry-After": str(DATABASE_RETRY_SECONDS)}
    message = _("The service is unavailable for a moment. Nothing was lost; please try "
                "again in a minute.")
    if wants_json():
        return json_error(503, message, headers=headers)
    return render_template("errors/503.html", message=message), 503, headers


def _discard_session():
    """Roll back whatever the request began; a dead connection may refuse even that."""
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        # The connection is already invalidated; removing the session returns it to the
        # pool, which replaces it once the database answers again.
        db.session.remove()


def _summary(error):
    """The driver's first line (``connection refused``...), never the SQL or its values."""
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first_line[:200]}"


def register_error_handlers(app):
    app.register_error_handler(HTTPException, handle_http_exception)
    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
