"""An application's requirements and opinions.

``GET /applications/{id}/requirements`` lists what the application needs before its next
steps; ``GET /applications/{id}/opinions`` its opinions, oldest first; ``POST`` gives one
(the security officer, or the director of the host joint unit), through the same service as
the web page.
"""

import sqlalchemy as sa
from flask import jsonify

from tracker import access
from tracker.api.applications import visible_application_or_404
from tracker.api.base import bp, json_body, require_user
from tracker.api.schemas import OpinionRequest, opinion_json
from tracker.applications.models import Opinion
from tracker.applications.opinions import give_opinion
from tracker.applications.requirements import requirements_of
from tracker.extensions import db


@bp.route("/applications/<int:application_id>/requirements")
def list_requirements(application_id):
    """Each requirement: what it needs, why it applies, which step it blocks, whether met."""
    user = require_user()
    application = visible_application_or_404(user, application_id)
    return jsonify([requirement.as_json() for requirement in requirements_of(application)])


@bp.route("/applications/<int:application_id>/opinions")
def list_opinions(application_id):
    """The opinions given, oldest first: the latest of each kind counts."""
    user = require_user()
    application = visible_application_or_404(user, application_id)
    opinions = db.session.scalars(
        sa.select(Opinion).where(Opinion.application_id == application.id).order_by(Opinion.id)
    ).all()
    return {"items": [opinion_json(opinion) for opinion in opinions]}


@bp.route("/applications/<int:application_id>/opinions", methods=["POST"])
def create_opinion(application_id):
    """Give an opinion: 403 when not the caller's to give, 409 when not asked for now, 422
    for its values (a comment is required unless favourable)."""
    user = require_user()
    application = visible_application_or_404(user, application_id)
    body = json_body()
    kind = body.get("kind")
    access.check_opinion(user, application, kind if isinstance(kind, str) else None)
    values = OpinionRequest().load(body)
    opinion = give_opinion(application, user, values["kind"], values["verdict"],
                           values["comment"])
    db.session.commit()
    return opinion_json(opinion), 201
