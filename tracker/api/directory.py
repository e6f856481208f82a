"""The caller, laboratories and programmes."""

import sqlalchemy as sa

from tracker.api.base import (
    ApiError, bp, get_or_404, json_body, load_body, load_query, page_of,
    require_admin, require_user,
)
from tracker.api.schemas import (
    LaboratoryInput,
    LaboratoryQuery,
    ProgrammeInput,
    ProgrammeQuery,
    laboratory_json,
    programme_json,
    user_json,
)
from tracker.auth.models import User
from tracker.core.text import folded_contains
from tracker.directory import services
from tracker.directory.models import Laboratory, Programme
from tracker.extensions import db


@bp.route("/me")
def get_me():
    return user_json(require_user())


# Laboratories ----------------------------------------------------------------------------
@bp.route("/laboratories")
def list_laboratories():
    require_user()
    params = load_query(LaboratoryQuery())
    query = sa.select(Laboratory).order_by(Laboratory.name, Laboratory.id)
    if "kind" in params:
        query = query.where(Laboratory.kind == params["kind"])
    if "country" in params:
        query = query.where(Laboratory.country == params["country"])
    if params.get("q"):
        # Ignoring case and accents, as the applications' search does ("ecole" finds "École").
        query = query.where(sa.or_(
            *(folded_contains(column, params["q"]) for column in (
                Laboratory.name, Laboratory.acronym, Laboratory.city, Laboratory.institution
            ))
        ))
    return page_of(query, params, laboratory_json)


# Writes go through the directory's services, as the web forms do: the same rules, the same
# words, and the same consequences (a new director is given the role, which ends their
# sessions so that they sign in again with it).
LABORATORY_FIELDS = ("name", "acronym", "kind", "institution", "city", "country", "restricted_zone")


def _director(director_id):
    """The active person ``director_id`` names (None for none), or a 422 on ``director_id``."""
    if director_id is None:
        return None
    director = db.session.get(User, director_id)
    if director is None or not director.active:
        raise ApiError(422, "Some values are invalid.",
                       fields={"director_id": ["No active person has this id."]})
    return director


def _save_laboratory(lab, values, actor):
    services.save_laboratory(lab, director_field="director_id", actor=actor, **values)
    db.session.commit()
    return laboratory_json(lab)


@bp.route("/laboratories", methods=["POST"])
def create_laboratory():
    admin = require_admin()
    values = load_body(LaboratoryInput())
    values["director"] = _director(values.pop("director_id"))
    return _save_laboratory(Laboratory(), values, admin), 201


@bp.route("/laboratories/<int:lab_id>", methods=["PATCH"])
def update_laboratory(lab_id):
    require_user()
    lab = get_or_404(Laboratory, lab_id, "There is no laboratory with this id.")
    admin = require_admin()
    changes = LaboratoryInput(partial=True).load(json_body())
    values = {name: getattr(lab, name) for name in LABORATORY_FIELDS}
    values["director"] = lab.director
    if "director_id" in changes:
        values["director"] = _director(changes.pop("director_id"))
    values.update(changes)
    return _save_laboratory(lab, values, admin)


# Programmes ------------------------------------------------------------------------------
@bp.route("/programmes")
def list_programmes():
    require_user()
    params = load_query(ProgrammeQuery())
    query = sa.select(Programme).order_by(Programme.opens_on.desc(), Programme.id.desc())
    if "direction" in params:
        query = query.where(Programme.direction == params["direction"])
    if "active" in params:
        query = query.where(Programme.active == params["active"])
    return page_of(query, params, programme_json)


@bp.route("/programmes", methods=["POST"])
def create_programme():
    admin = require_admin()
    values = load_body(ProgrammeInput())
    programme = services.save_programme(Programme(), **values, actor=admin)
    db.session.commit()
    return programme_json(programme), 201
