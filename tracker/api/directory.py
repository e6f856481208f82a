"""The caller, laboratories and programmes."""

import sqlalchemy as sa

from tracker.api.base import (
    ApiError, bp, get_or_404, json_body, like_pattern, load_body, load_query, page_of,
    require_admin, require_user,
)
from tracker.api.schemas import (
    LaboratoryInput,
    LaboratoryQuery,
    ProgrammeInput,
    ProgrammeQuery,
    laboratory_json,
    laboratory_problems,
    programme_json,
    user_json,
)
from tracker.auth.models import User
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
        pattern = like_pattern(params["q"])
        query = query.where(sa.or_(
            *(column.ilike(pattern, escape="\\") for column in (
                Laboratory.name, Laboratory.acronym, Laboratory.city, Laboratory.institution
            ))
        ))
    return page_of(query, params, laboratory_json)


def _check_laboratory(values, director_changed=True):
    problems = laboratory_problems(values)
    director_id = values.get("director_id")
    if director_changed and director_id is not None and "director_id" not in problems:
        director = db.session.get(User, director_id)
        if director is None or not director.active:
            problems["director_id"] = ["No active person has this id."]
        elif not director.is_director:
            problems["director_id"] = ["This person does not hold the director role."]
    if problems:
        raise ApiError(422, "Some values are invalid.", fields=problems)


@bp.route("/laboratories", methods=["POST"])
def create_laboratory():
    require_admin()
    values = load_body(LaboratoryInput())
    _check_laboratory(values)
    lab = Laboratory(**values)
    db.session.add(lab)
    db.session.commit()
    return laboratory_json(lab), 201


@bp.route("/laboratories/<int:lab_id>", methods=["PATCH"])
def update_laboratory(lab_id):
    require_user()
    lab = get_or_404(Laboratory, lab_id, "There is no laboratory with this id.")
    require_admin()
    changes = LaboratoryInput(partial=True).load(json_body())
    _check_laboratory({**laboratory_json(lab), **changes}, "director_id" in changes)
    for name, value in changes.items():
        setattr(lab, name, value)
    db.session.commit()
    return laboratory_json(lab)


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
    require_admin()
    values = load_body(ProgrammeInput())
    categories = values.pop("eligible_categories")
    programme = Programme(**values)
    programme.eligible_categories = categories
    db.session.add(programme)
    db.session.commit()
    return programme_json(programme), 201
