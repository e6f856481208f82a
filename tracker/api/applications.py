"""Applications the caller may see, their history, their writes, and statistics over them.

Every query starts from :func:`visible_applications`: an application the caller may not see
answers 404, exactly like one that does not exist. Writes go through the workflow services
(:mod:`tracker.applications.services`), which check the rules and raise the workflow's
errors; :func:`tracker.api.base.handle_workflow_error` answers them.
"""

from datetime import date

import sqlalchemy as sa
from flask import url_for

from tracker.api.base import MAX_ID, ApiError, bp, json_body, load_query, require_user
from tracker.api.schemas import (
    ApplicationCreate,
    ApplicationPatch,
    ApplicationQuery,
    StatsQuery,
    TransitionRequest,
    amount,
    application_json,
    event_json,
)
from tracker.applications import services
from tracker.applications.models import Application, Event
from tracker.applications.workflow import GRANTED, TRANSITIONS
from tracker.core.paging import InvalidCursor, decode_cursor, encode_cursor
from tracker import access
from tracker.access import visible_applications
from tracker.directory.models import Laboratory, Programme
from tracker.extensions import db
from tracker.reports.counting import kept_exact_count
from tracker.reports.filters import apply_filters

# The list's filters, as ApplicationQuery reads them; the rest of the query string pages.
FILTERS = ("status", "direction", "programme", "laboratory", "country", "q")


@bp.route("/applications")
def list_applications():
    """Newest first. ``page`` counts by offset; ``cursor`` continues by id, at any depth."""
    user = require_user()
    params = load_query(ApplicationQuery())
    per_page = params["per_page"]
    criteria = {name: params[name] for name in FILTERS if name in params}
    query = apply_filters(visible_applications(user), **criteria)
    scope = tuple(sorted((name, str(value)) for name, value in criteria.items()))
    total = kept_exact_count(query, (access.visibility_scope(user),) + scope)
    page = None
    if "cursor" in params:
        query = query.where(Application.id < _after(params["cursor"]))
    else:
        page = params.get("page", 1)
        query = query.offset((page - 1) * per_page)
    rows = db.session.scalars(query.order_by(Application.id.desc()).limit(per_page + 1)).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    return {
        "items": [application_json(row) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
        "next_cursor": encode_cursor(rows[-1].id) if more else None,
    }


def _after(cursor):
    """The id a ``next_cursor`` points after, or a 422 naming ``cursor``."""
    try:
        return decode_cursor(cursor).row_id
    except InvalidCursor:
        raise ApiError(422, "Some values are invalid.",
                       fields={"cursor": ["Not a valid cursor."]}) from None


def visible_application_or_404(user, application_id):
    application = None
    if 1 <= application_id <= MAX_ID:
        application = db.session.scalar(
            visible_applications(user).where(Application.id == application_id)
        )
    if application is None:
        raise ApiError(404, "There is no application with this id that you may see.")
    return application


@bp.route("/applications/<int:application_id>")
def get_application(application_id):
    user = require_user()
    return application_json(visible_application_or_404(user, application_id))


@bp.route("/applications/<int:application_id>/events")
def list_events(application_id):
    """The history, oldest first."""
    user = require_user()
    application = visible_application_or_404(user, application_id)
    events = db.session.scalars(
        sa.select(Event).where(Event.application_id == application.id).order_by(Event.id)
    ).all()
    return {"items": [event_json(event) for event in events]}


# Writes ----------------------------------------------------------------------------------
# SPEC's order puts "not allowed" (403) and "wrong state or stale version" (409) before
# "invalid values" (422). A body the schema refuses never reaches the services, so the
# access module's checks are asked first, with whatever version the body carries.
def _given_version(body):
    version = body.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else None


@bp.route("/applications", methods=["POST"])
def create_application():
    """A new draft of the caller's; every rule of SPEC is checked by the service (422)."""
    user = require_user()
    values = ApplicationCreate().load(json_body())
    direction = values.pop("direction")
    application = services.create_application(user, direction, values)
    db.session.commit()
    location = url_for("api.get_application", application_id=application.id)
    return application_json(application), 201, {"Location": location}


@bp.route("/applications/<int:application_id>", methods=["PATCH"])
def update_application(application_id):
    """Edit by the applicant, in draft or returned, at the ``version`` they last saw."""
    user = require_user()
    application = visible_application_or_404(user, application_id)
    access.check_edit(user, application)
    body = json_body()
    access.check_edit(user, application, _given_version(body))
    changes = ApplicationPatch().load(body)
    version = changes.pop("version")
    services.update_application(application, user, changes, version)
    db.session.commit()
    return application_json(application)


@bp.route("/applications/<int:application_id>/transitions", methods=["POST"])
def create_transition(application_id):
    """Take a workflow action; the workflow decides who, when, and with which values."""
    user = require_user()
    application = visible_application_or_404(user, application_id)
    body = json_body()
    action = body.get("action")
    if isinstance(action, str) and action in TRANSITIONS:
        access.check_transition(user, application, action, _given_version(body))
    values = TransitionRequest().load(body)
    services.transition(
        application,
        values["action"],
        user,
        comment=values["comment"],
        version=values["version"],
        awarded_amount=values.get("awarded_amount"),
    )
    db.session.commit()
    return application_json(application)


# Statistics ------------------------------------------------------------------------------
@bp.route("/stats")
def get_stats():
    """Counts and committed budget over the applications the caller may see.

    ``year`` keeps the stays that start in that year.
    """
    user = require_user()
    params = load_query(StatsQuery())
    query = visible_applications(user)
    year = params.get("year")
    if year is not None:
        query = query.where(Application.start_date.between(date(year, 1, 1), date(year, 12, 31)))
    visible = query.subquery()

    def counts(column):
        rows = db.session.execute(
            sa.select(column, sa.func.count()).group_by(column).order_by(column)
        ).all()
        return {key: count for key, count in rows}

    host = sa.orm.aliased(Laboratory)
    country_rows = db.session.execute(
        sa.select(host.country, sa.func.count())
        .select_from(visible)
        .join(host, host.id == visible.c.host_laboratory_id)
        .group_by(host.country).order_by(host.country)
    ).all()
    by_country = {country: count for country, count in country_rows}

    reviewing_id = sa.case(
        (visible.c.direction == "outgoing", visible.c.home_laboratory_id),
        else_=visible.c.host_laboratory_id,
    ).label("laboratory_id")
    reviewing = sa.select(reviewing_id).subquery()
    lab_rows = db.session.execute(
        sa.select(Laboratory.id, Laboratory.name, Laboratory.acronym, sa.func.count())
        .select_from(reviewing)
        .join(Laboratory, Laboratory.id == reviewing.c.laboratory_id)
        .group_by(Laboratory.id, Laboratory.name, Laboratory.acronym)
        .order_by(Laboratory.name, Laboratory.id)
    ).all()

    budget_rows = db.session.execute(
        sa.select(
            Programme.id, Programme.name, Programme.budget,
            sa.func.coalesce(sa.func.sum(visible.c.awarded_amount), 0),
        )
        .select_from(visible)
        .join(Programme, Programme.id == visible.c.programme_id)
        .where(visible.c.status.in_(GRANTED))
        .group_by(Programme.id, Programme.name, Programme.budget)
        .order_by(Programme.name, Programme.id)
    ).all()

    return {
        "year": year,
        "total": db.session.scalar(sa.select(sa.func.count()).select_from(visible)),
        "by_status": counts(visible.c.status),
        "by_direction": counts(visible.c.direction),
        "by_host_country": by_country,
        "by_laboratory": [
            {"laboratory_id": lab_id, "name": name, "acronym": acronym, "count": count}
            for lab_id, name, acronym, count in lab_rows
        ],
        "budget_committed": [
            {"programme_id": programme_id, "name": name, "budget": amount(budget),
             "committed": amount(committed)}
            for programme_id, name, budget, committed in budget_rows
        ],
    }
