"""Countries' risk levels, and invitations of visitors.

Both go through the services the web pages call: :mod:`tracker.directory.services` for the
levels, :mod:`tracker.applications.invitations` for invitations.
"""

from tracker import access
from tracker.api.base import ApiError, bp, json_body, load_query, require_user
from tracker.api.schemas import (
    CountryInput,
    CountryQuery,
    InvitationInput,
    application_json,
    country_json,
)
from tracker.applications.invitations import invite
from tracker.directory import services
from tracker.directory.models import Laboratory
from tracker.extensions import db


# Countries ---------------------------------------------------------------------------------
def _country(code, row):
    return country_json(services.country_json_values(code, row))


@bp.route("/countries")
def list_countries():
    require_user()
    params = load_query(CountryQuery())
    stored = services.stored_countries()
    entries = services.country_entries(params.get("risk_level"), stored=stored)
    entries.sort(key=lambda entry: entry[1])
    return {"items": [_country(code, row) for code, _name, row in entries]}


@bp.route("/countries/<code>")
def get_country(code):
    require_user()
    code = services.country_or_404(code)
    return _country(code, services.stored_countries().get(code))


@bp.route("/countries/<code>", methods=["PUT"])
def set_country(code):
    user = require_user()
    code = services.country_or_404(code)
    if not access.can_manage_countries(user):
        raise ApiError(403, "Only administrators and security officers set risk levels.")
    values = CountryInput().load(json_body())
    row = services.set_country_level(code, values["risk_level"], values.get("note"), user)
    db.session.commit()
    return _country(code, row)


# Invitations -------------------------------------------------------------------------------
@bp.route("/invitations", methods=["POST"])
def create_invitation():
    user = require_user()
    if not access.can_invite(user):
        raise ApiError(403, "Only a unit's director or an administrator invites visitors.")
    body = json_body()
    # Who may invite to which unit is answered before the values are looked at (403 first).
    host_id = body.get("host_laboratory_id")
    if isinstance(host_id, int) and not isinstance(host_id, bool) and 1 <= host_id < 2**31:
        host = db.session.get(Laboratory, host_id)
        if host is not None and host.kind == "unit" and not access.can_invite(user, host):
            raise ApiError(403, "You may invite visitors only to the units you direct.")
    values = InvitationInput().load(body)
    invitation, _link = invite(user, **values)
    db.session.commit()
    # The draft is the visitor's: a director does not see it again until it is submitted.
    return application_json(invitation.application), 201
