"""Review queues for laboratory directors and administrators.

Decisions themselves are taken on the application page (``applications.act``), through the
same ``transition()`` as everywhere else; these pages only say what awaits whom.
"""

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy.orm import aliased, selectinload

from tracker.applications.models import Application
from tracker.applications.services import ids_with_overlaps, remaining_budgets
from tracker.auth.models import User
from tracker.core.permissions import directed_laboratory_ids, role_required, visible_applications
from tracker.directory.models import Laboratory
from tracker.extensions import db

bp = Blueprint("review", __name__, url_prefix="/review")

_LISTED = (
    selectinload(Application.applicant),
    selectinload(Application.programme),
    selectinload(Application.home_laboratory),
    selectinload(Application.host_laboratory),
)


def _reviewing_laboratory_id():
    return sa.case(
        (Application.direction == "outgoing", Application.home_laboratory_id),
        else_=Application.host_laboratory_id,
    )


def _paginate(query, arg="page"):
    return db.paginate(
        query,
        page=request.args.get(arg, 1, type=int),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
    )


@bp.route("/director")
@role_required("director")
def director_queue():
    """Submitted applications the director's laboratories review, oldest submitted first."""
    user = current_user._get_current_object()
    query = (
        visible_applications(user)
        .where(
            Application.status == "submitted",
            _reviewing_laboratory_id().in_(directed_laboratory_ids(user)),
            # Their own go to an administrator.
            Application.applicant_id != user.id,
        )
        .options(*_LISTED)
        .order_by(Application.submitted_at, Application.id)
    )
    pagination = _paginate(query)
    return render_template(
        "review/director_queue.html",
        pagination=pagination,
        overlaps=ids_with_overlaps(pagination.items),
    )


@bp.route("/admin")
@role_required("admin")
def admin_queue():
    """Endorsed applications awaiting a decision, with each programme's remaining budget;
    and submitted applications of reviewing directors, which an administrator endorses."""
    user = current_user._get_current_object()
    decisions = _paginate(
        visible_applications(user)
        .where(Application.status == "endorsed")
        .options(*_LISTED)
        .order_by(Application.updated_at, Application.id)
    )
    reviewing = aliased(Laboratory)
    director = aliased(User)
    endorsements = _paginate(
        visible_applications(user)
        .join(reviewing, reviewing.id == _reviewing_laboratory_id())
        .outerjoin(director, director.id == reviewing.director_id)
        .where(
            Application.status == "submitted",
            # Where an admin stands in for the director (permissions.admin_stands_in).
            sa.or_(
                reviewing.director_id.is_(None),
                director.active.is_(False),
                reviewing.director_id == Application.applicant_id,
            ),
        )
        .options(*_LISTED)
        .order_by(Application.submitted_at, Application.id),
        arg="endorse_page",
    )
    listed = list(decisions.items) + list(endorsements.items)
    return render_template(
        "review/admin_queue.html",
        decisions=decisions,
        endorsements=endorsements,
        remaining=remaining_budgets(a.programme_id for a in decisions.items),
        overlaps=ids_with_overlaps(listed),
    )
