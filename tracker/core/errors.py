"""Error pages for browsers and JSON errors for the API. Never a traceback."""

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.extensions import db

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


# Refusals ---------------------------------------------------------------------------------
# One family for every "no" the rules give, whichever area gives it: services raise them, web
# views turn them into messages next to the fields, and the API answers them as the JSON error of
# docs/api.md (its handler catches :class:`Refused`). When several apply, the first in the
# order of docs/api.md wins: 403 (who), then 409 (state, version), then 422 (values).
class Refused(Exception):
    """A request the rules refuse: ``status`` is the HTTP answer, ``code`` the JSON code,
    ``fields`` maps field names to lists of messages (for 422)."""

    status = 400
    code = "bad_request"

    def __init__(self, message="", fields=None, status=None, code=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
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


def json_error(status, message, code=None, fields=None, headers=None):
    """A response in the API's error format."""
    body = {"status": status, "code": code or ERROR_CODES.get(status, "error"), "message": message}
    if fields:
        body["fields"] = fields
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
        413: _("The file or request is too large."),
        415: _("This type of file is not accepted."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        # Only what is true: the error is written to the server's log, nobody is paged.
        500: _("Something went wrong on our side. The error was recorded in the server's log; "
               "please try again, and tell the international office if it happens again."),
    }


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
    template = f"errors/{status}.html" if status in TEMPLATED else "errors/generic.html"
    response = render_template(template, status=status, message=message), status
    return response[0], status, headers


def handle_unexpected(error):
    db.session.rollback()
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s", request.path)
    return handle_http_exception(InternalServerError())


def register_error_handlers(app):
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
