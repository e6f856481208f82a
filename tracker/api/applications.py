"""Applications the caller may see, their history, their writes, and statistics over them.

Every query starts from :func:`visible_applications`: an application the caller may not see
answers 404, exactly like one that does not exist. Writes go through the workflow services
(:mod:`tracker.applications.services`), which check the rules and raise the workflow's
errors; :func:`tracker.api.base.handle_workflow_error` answers them.
"""

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import selectinload

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
from tracker.applications.workflow import TRANSITIONS
from tracker.core.paging import InvalidCursor, decode_cursor, encode_cursor
from tracker import access
from tracker.access import visible_applications
from tracker.directory.models import Laboratory, Programme
from tracker.extensions import db
from tracker.reports import statistics
from tracker.reports.counting import kept_exact_count
from tracker.reports.filters import apply_filters

# The list's filters, as ApplicationQuery reads them; the rest of the query string pages.
FILTERS = ("status", "direction", "programme", "laboratory", "country", "q")
# What the JSON of an application carries besides its columns, loaded with it: a page of 100
# costs the same number of statements as a page of 2. (Built per call: building a loader
# option when the module is imported would configure the mappers before every model exists.)
def with_cost_items():
    return selectinload(Application.cost_items)


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
    rows = db.session.scalars(
        query.order_by(Application.id.desc()).limit(per_page + 1).options(with_cost_items())
    ).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    waiting = access.waiting_on_many(rows)
    return {
        "items": [application_json(row, waiting[row.id]) for row in rows],
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
            .options(with_cost_items())
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
# docs/api.md's order puts "not allowed" (403) and "wrong state or stale version" (409) before
# "invalid values" (422). A body the schema refuses never reaches the services, so the
# access module's checks are asked first, with whatever version the body carries.
def _given_version(body):
    version = body.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else None


@bp.route("/applications", methods=["POST"])
def create_application():
    """A new draft of the caller's; every rule of docs/rules.md is checked by the service (422)."""
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
    """Counts, committed budget, figures by funding and cost by kind over the applications
    the caller may see.

    ``year`` keeps the stays that start in that year.
    """
    user = require_user()
    year = load_query(StatsQuery()).get("year")
    visible = apply_filters(visible_applications(user), year=year)
    counted = statistics.tally(visible)
    by_host_country = db.session.execute(
        statistics.per_host_country(visible).order_by(Laboratory.country)
    ).all()
    by_laboratory = db.session.execute(
        statistics.per_reviewing_laboratory(visible).order_by(Laboratory.name, Laboratory.id)
    ).all()
    sums = statistics.committed_per_programme(visible).subquery()
    budget_rows = db.session.execute(
        sa.select(Programme.id, Programme.name, Programme.budget, sums.c.committed)
        .join(sums, sums.c.programme_id == Programme.id)
        .order_by(Programme.name, Programme.id)
    ).all()
    by_funding = db.session.execute(statistics.per_funding(visible)).all()
    cost_by_kind = db.session.execute(statistics.cost_per_kind(visible)).all()
    return {
        "year": year,
        "total": counted.total,
        "by_status": counted.by_status,
        "by_direction": counted.by_direction,
        "by_host_country": dict(by_host_country),
        "by_laboratory": [
            {"laboratory_id": laboratory_id, "name": name, "acronym": acronym, "count": count}
            for laboratory_id, acronym, name, count in by_laboratory
        ],
        "budget_committed": [
            {"programme_id": programme_id, "name": name, "budget": amount(budget),
             "committed": amount(committed)}
            for programme_id, name, budget, committed in budget_rows
        ],
        "by_funding": {
            funding: {"count": count, "requested": amount(requested), "awarded": amount(awarded)}
            for funding, count, requested, awarded in by_funding
        },
        "cost_by_kind": {kind: amount(total) for kind, total in cost_by_kind},
    }
