"""Stand-ins: the caller's delegations given and received, giving one, cancelling one.

The same services as the stand-ins page (:mod:`tracker.delegations.services`).
"""

from datetime import date

from tracker import access
from tracker.api.base import MAX_ID, ApiError, bp, json_body, require_user
from tracker.api.schemas import DelegationInput, delegation_json
from tracker.delegations import services
from tracker.delegations.models import Delegation
from tracker.extensions import db


@bp.route("/delegations")
def list_delegations():
    user = require_user()
    today = date.today()
    return {
        "given": [delegation_json(row, today)
                  for row in services.given_delegations(user, today)],
        "received": [delegation_json(row, today)
                     for row in services.received_delegations(user, today)],
    }


@bp.route("/delegations", methods=["POST"])
def create_delegation():
    user = require_user()
    # Who may give one is answered before the body is looked at (403 before 415 or 422).
    if not access.may_give_delegation(user):
        raise ApiError(403, "Only laboratory directors and administrators name stand-ins.")
    values = DelegationInput().load(json_body())
    delegation = services.give_delegation(user, values["delegate_id"], values["starts_on"],
                                          values["ends_on"])
    db.session.commit()
    return delegation_json(delegation, date.today()), 201


@bp.route("/delegations/<int:delegation_id>", methods=["DELETE"])
def delete_delegation(delegation_id):
    user = require_user()
    delegation = db.session.scalars(
        access.own_delegations(user).where(Delegation.id == delegation_id)
    ).first() if 1 <= delegation_id <= MAX_ID else None
    if delegation is None:
        raise ApiError(404, "No such delegation among yours.")
    services.cancel_delegation(delegation, user)
    db.session.commit()
    return "", 204
