"""Review queues for laboratory directors and administrators.

Decisions themselves are taken on the application page (``applications.act``), through the
same ``transition()`` as everywhere else; these pages only say what awaits whom.
"""

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from tracker.applications.amendments import diff_of
from tracker.applications.changes import describe
from tracker.applications.models import Amendment, Application
from tracker.applications.services import ids_with_overlaps, remaining_budgets
from tracker import access
from tracker.access import login_required, role_required
from tracker.core.paging import paginate
from tracker.review.queues import oldest_first
from tracker.directory.models import Country
from tracker.extensions import db

bp = Blueprint("review", __name__, url_prefix="/review")

def _listed():
    """What a review list shows of each application, loaded with the page."""
    return (
        selectinload(Application.applicant),
        selectinload(Application.programme),
        selectinload(Application.home_laboratory),
        selectinload(Application.host_laboratory),
    )


@bp.route("/director")
@login_required
def director_queue():
    """Submitted applications the director's laboratories review, the longest waiting first;
    for a stand-in, those of the directors they stand in for too, each row saying for whom."""
    user = current_user._get_current_object()
    if not access.reviews_as_director(user):
        abort(403)
    query = (
        access.director_queue(user)
        .options(*_listed())
        .order_by(*oldest_first())
    )
    pagination = paginate(query)
    return render_template(
        "review/director_queue.html",
        pagination=pagination,
        overlaps=ids_with_overlaps(pagination.items),
        waiting=access.waiting_on_many(pagination.items),
        stand_in_for=access.stand_in_labels(user),
        delegators=access.delegators_of(user),
    )


@bp.route("/admin")
@login_required
def admin_queue():
    """Endorsed applications awaiting a decision, with each programme's remaining budget;
    and submitted applications of reviewing directors, which an administrator endorses.
    A stand-in of an administrator sees them too (never their own)."""
    user = current_user._get_current_object()
    if not access.reviews_as_admin(user):
        abort(403)
    decisions = paginate(
        access.admin_decision_queue(user)
        .options(*_listed())
        .order_by(*oldest_first())
    )
    endorsements = paginate(
        access.admin_endorsement_queue(user)
        .options(*_listed())
        .order_by(*oldest_first()),
        arg="endorse_page",
    )
    listed = list(decisions.items) + list(endorsements.items)
    return render_template(
        "review/admin_queue.html",
        decisions=decisions,
        endorsements=endorsements,
        remaining=remaining_budgets(a.programme_id for a in decisions.items),
        overlaps=ids_with_overlaps(listed),
        waiting=access.waiting_on_many(listed),
        delegators=[] if access.has_any_role(user, ("admin",)) else access.admin_delegators(user),
    )


@bp.route("/changes")
@role_required("director", "admin")
def amendment_queue():
    """Changes asked to approved applications that await the user's review, oldest first,
    each with what it changes."""
    user = current_user._get_current_object()
    pagination = paginate(
        access.amendment_queue(user)
        .options(selectinload(Amendment.application), selectinload(Amendment.requested_by))
        .order_by(Amendment.updated_at, Amendment.id)
    )
    changes = describe([diff_of(amendment) for amendment in pagination.items])
    return render_template("review/amendment_queue.html", pagination=pagination,
                           changes=dict(zip((a.id for a in pagination.items), changes)))


def _opinion_queue(query, template, delegators):
    """A queue of applications awaiting an opinion, the longest waiting first, with each
    destination's risk level; ``delegators``: those whose opinions the reader gives as
    stand-in (the page says so)."""
    pagination = paginate(
        query.options(*_listed()).order_by(*oldest_first())
    )
    codes = {application.host_laboratory.country for application in pagination.items}
    levels = {
        country.code: country.risk_level
        for country in db.session.scalars(sa.select(Country).where(Country.code.in_(codes)))
    } if codes else {}
    return render_template(template, pagination=pagination, levels=levels,
                           waiting=access.waiting_on_many(pagination.items),
                           delegators=delegators)


@bp.route("/security")
@login_required
def security_queue():
    """Applications awaiting a security opinion (a security officer's, or their stand-in's)."""
    user = current_user._get_current_object()
    if not access.gives_security_opinions(user):
        abort(403)
    return _opinion_queue(access.security_queue(user), "review/security_queue.html",
                          access.opinion_delegators(user, "security"))


@bp.route("/host")
@login_required
def host_queue():
    """Applications to the joint units the user directs, awaiting their host opinion."""
    user = current_user._get_current_object()
    if not access.gives_host_opinions(user):
        abort(403)
    return _opinion_queue(access.host_opinion_queue(user), "review/host_queue.html",
                          access.opinion_delegators(user, "host"))
