"""Review queues for laboratory directors and administrators.

Decisions themselves are taken on the application page (``applications.act``), through the
same ``transition()`` as everywhere else; these pages only say what awaits whom.
"""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from tracker.applications.models import Application
from tracker.applications.services import ids_with_overlaps, remaining_budgets
from tracker import access
from tracker.access import role_required
from tracker.core.paging import paginate

bp = Blueprint("review", __name__, url_prefix="/review")

_LISTED = (
    selectinload(Application.applicant),
    selectinload(Application.programme),
    selectinload(Application.home_laboratory),
    selectinload(Application.host_laboratory),
)


@bp.route("/director")
@role_required("director")
def director_queue():
    """Submitted applications the director's laboratories review, oldest submitted first."""
    user = current_user._get_current_object()
    query = (
        access.director_queue(user)
        .options(*_LISTED)
        .order_by(Application.submitted_at, Application.id)
    )
    pagination = paginate(query)
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
    decisions = paginate(
        access.admin_decision_queue(user)
        .options(*_LISTED)
        .order_by(Application.updated_at, Application.id)
    )
    endorsements = paginate(
        access.admin_endorsement_queue(user)
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
