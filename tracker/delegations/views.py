"""The stand-ins page: the delegations a person gave and received, a form to give one,
and cancelling one after a confirmation."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker import access
from tracker.access import login_required
from tracker.core.dates import format_day
from tracker.core.errors import Conflict, InvalidValues, NotAllowed
from tracker.core.paging import MAX_ID, paginate_list
from tracker.delegations import services
from tracker.delegations.forms import DelegationForm, person_choices
from tracker.delegations.models import STATUS_LABELS, Delegation
from tracker.extensions import db

bp = Blueprint("delegations", __name__, url_prefix="/stand-ins")


def _user():
    return current_user._get_current_object()


def _gate(user):
    if not access.may_see_delegations(user):
        abort(403)


def _chosen(value):
    """The person id the form names, or None for anything that cannot be one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None


def _page(user, form, status=200):
    today = date.today()
    return render_template(
        "delegations/index.html",
        form=form if access.may_give_delegation(user) else None,
        search=form.q.data or "",
        given=paginate_list(services.given_delegations(user, today)),
        received=paginate_list(services.received_delegations(user, today)),
        today=today,
        status_labels=STATUS_LABELS,
    ), status


@bp.route("/")
@login_required
def list_delegations():
    """The delegations given and received; for directors and admins, the form to give one,
    its list of people narrowed by ``?q=``."""
    user = _user()
    _gate(user)
    form = DelegationForm(formdata=None)
    form.q.data = request.args.get("q", "")[:200]
    form.delegate_id.choices = person_choices(user, form.q.data)
    return _page(user, form)


@bp.route("/", methods=["POST"])
@login_required
def give_delegation():
    user = _user()
    if not access.may_give_delegation(user):
        abort(403)
    form = DelegationForm()
    form.delegate_id.choices = person_choices(user, (form.q.data or "")[:200],
                                              _chosen(form.delegate_id.data))
    if form.validate_on_submit():
        try:
            delegation = services.give_delegation(
                user, _chosen(form.delegate_id.data), form.starts_on.data, form.ends_on.data)
        except InvalidValues as error:
            db.session.rollback()
            form.add_problems(error.fields)
        else:
            db.session.commit()
            flash(_("%(name)s stands in for you from %(start)s to %(end)s.",
                    name=delegation.delegate.full_name, start=format_day(delegation.starts_on),
                    end=format_day(delegation.ends_on)), "success")
            return redirect(url_for("delegations.list_delegations"))
    return _page(user, form, 422)


@bp.route("/<int:delegation_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_delegation(delegation_id):
    """A page asking to confirm (GET), then the cancellation (POST, with its CSRF token)."""
    user = _user()
    delegation = db.session.scalars(
        access.own_delegations(user).where(Delegation.id == delegation_id)
    ).first() if 1 <= delegation_id <= MAX_ID else None
    if delegation is None:
        abort(404)
    if not access.gave_delegation(user, delegation):
        abort(403)
    today = date.today()
    if request.method == "POST":
        try:
            services.cancel_delegation(delegation, user, today)
        except NotAllowed:
            abort(403)
        except Conflict:
            flash(_("This delegation has already ended."), "warning")
            return redirect(url_for("delegations.list_delegations"))
        db.session.commit()
        flash(_("The delegation is cancelled."), "success")
        return redirect(url_for("delegations.list_delegations"))
    if not access.can_cancel_delegation(user, delegation, today):
        flash(_("This delegation has already ended."), "warning")
        return redirect(url_for("delegations.list_delegations"))
    return render_template("delegations/confirm_cancel.html", delegation=delegation,
                           running=delegation.is_running(today))
