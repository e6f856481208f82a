"""Amendments of an approved application.

``GET /applications/{id}/amendments`` lists them, oldest first; ``POST`` asks one (the
applicant or an admin, the application approved, one open at a time);
``POST /applications/{id}/amendments/{amendment_id}/transitions`` endorses, approves,
returns, rejects or withdraws one. The same services as the web pages decide; the access
module is asked before the body's values, so the documented order of errors holds.
"""

import sqlalchemy as sa
from flask import url_for

from tracker import access
from tracker.api.applications import visible_application_or_404
from tracker.api.base import MAX_ID, ApiError, bp, json_body, require_user
from tracker.api.schemas import AmendmentRequest, AmendmentTransitionRequest, amendment_json
from tracker.applications.amendments import act_on_amendment, ask_amendment
from tracker.applications.models import Amendment
from tracker.applications.workflow import AMENDMENT_TRANSITIONS
from tracker.extensions import db


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@bp.route("/applications/<int:application_id>/amendments")
def list_amendments(application_id):
    """Every amendment of the application, oldest first."""
    user = require_user()
    application = visible_application_or_404(user, application_id)
    amendments = db.session.scalars(
        sa.select(Amendment).where(Amendment.application_id == application.id)
        .order_by(Amendment.id)
    ).all()
    return {"items": [amendment_json(amendment) for amendment in amendments]}


@bp.route("/applications/<int:application_id>/amendments", methods=["POST"])
def create_amendment(application_id):
    """Ask a change: 403 not the applicant nor an admin, 409 not approved, stale version or
    another change open, 422 the values (checked as an edit), the reason, the budget."""
    user = require_user()
    application = visible_application_or_404(user, application_id)
    body = json_body()
    access.check_ask_amendment(user, application, _int(body.get("version")))
    values = AmendmentRequest().load(body)
    amendment = ask_amendment(application, user, values["changes"], values["reason"],
                              values["version"])
    db.session.commit()
    location = url_for("api.list_amendments", application_id=application.id)
    return amendment_json(amendment), 201, {"Location": location}


@bp.route("/applications/<int:application_id>/amendments/<int:amendment_id>/transitions",
          methods=["POST"])
def create_amendment_transition(application_id, amendment_id):
    """Take an amendment's action; the workflow's table decides who and when."""
    user = require_user()
    application = visible_application_or_404(user, application_id)
    amendment = None
    if 1 <= amendment_id <= MAX_ID:
        amendment = db.session.scalar(sa.select(Amendment).where(
            Amendment.id == amendment_id, Amendment.application_id == application.id))
    if amendment is None:
        raise ApiError(404, "This application has no amendment with this id.")
    body = json_body()
    action = body.get("action")
    if isinstance(action, str) and action in AMENDMENT_TRANSITIONS:
        access.check_amendment_transition(user, amendment, action, _int(body.get("version")))
    values = AmendmentTransitionRequest().load(body)
    act_on_amendment(amendment, values["action"], user, comment=values["comment"],
                     version=values.get("version"),
                     awarded_amount=values.get("awarded_amount"))
    db.session.commit()
    return amendment_json(amendment)
