"""Applications: create, edit, submit, follow, act on.

Each view: load through ``visible_applications`` (404) → check (403) → call a service →
commit once. Refusals of the workflow come back as exceptions and become a page here.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from tracker.agreements.services import QuotaReached, lacks_agreement, quota_use
from tracker.applications.changes import describe as describe_changes
from tracker.applications.forms import ApplicationForm, OpinionForm, action_form
from tracker.applications.models import (
    COST_KIND_LABELS,
    DURATION_LABELS,
    FUNDING_LABELS,
    OPINION_KIND_LABELS,
    OPINION_KINDS,
    PURPOSE_LABELS,
    VERDICT_LABELS,
    Application,
    Event,
    destination_risk_level,
)
from tracker.applications.opinions import give_opinion as give_opinion_service
from tracker.applications.returns import return_to_answer
from tracker.applications.requirements import (
    BLOCKS_LABELS,
    nationality_label,
    requirements_of,
)
from tracker.applications.services import (
    create_application,
    delete_draft,
    overlapping_applications,
    transition,
    update_application,
)
from tracker.applications.workflow import (
    ACTION_LABELS,
    AMENDMENT_STATUS_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
    InvalidTransition,
    RequirementsUnmet,
)
from tracker.core.errors import InvalidValues, NotAllowed
from tracker import access
from tracker.access import login_required, visible_applications
from tracker.directory.models import DIRECTION_LABELS, DIRECTIONS, RISK_LEVEL_LABELS
from tracker.core.paging import paginate
from tracker.extensions import db
from tracker.review.queues import QUEUES, REVIEW_QUEUES, next_in_queue, queue_of_decision

bp = Blueprint("applications", __name__, url_prefix="/applications")

NEXT_STEPS = {
    "draft": _l("Complete and submit it"),
    "submitted": _l("The laboratory director reviews it"),
    "endorsed": _l("The international relations office decides"),
    "returned": _l("Make the requested changes and submit again"),
    "approved": _l("Go on your stay; it is completed after its last day"),
}
STATUS_BADGES = {
    "draft": "secondary", "submitted": "primary", "endorsed": "info", "returned": "warning",
    "approved": "success", "completed": "success",
}
DONE = {
    "submit": _l("Submitted: the reviewing laboratory has been told."),
    "endorse": _l("Endorsed: the international relations office decides next."),
    "return": _l("Returned to the applicant for changes."),
    "decline": _l("Declined."),
    "approve": _l("Approved."),
    "reject": _l("Rejected."),
    "withdraw": _l("Withdrawn."),
    "cancel": _l("Cancelled."),
    "complete": _l("Marked as completed."),
}
# What the view hands the services for an amount it could not read: not a number to them
# either, so they refuse it in their order (who may act first), never read it otherwise.
UNREADABLE_AMOUNT = "unreadable"
SOMEONE_ELSE = _l(
    "Someone else acted first: the application has changed. Here is its current state."
)


@bp.app_context_processor
def application_labels():
    """Labels shared by the application and review pages."""
    return {
        "status_label": lambda status: STATUS_LABELS.get(status, status),
        "status_badge": lambda status: STATUS_BADGES.get(status, "dark"),
        "action_label": lambda action: ACTION_LABELS.get(action, action),
        "next_step": lambda status: NEXT_STEPS.get(status, ""),
        "duration_label": lambda category: DURATION_LABELS.get(category, category),
        "direction_label": lambda direction: DIRECTION_LABELS.get(direction, direction),
        "purpose_label": lambda purpose: PURPOSE_LABELS.get(purpose, purpose),
        "funding_label": lambda funding: FUNDING_LABELS.get(funding, funding),
        "cost_kind_label": lambda kind: COST_KIND_LABELS.get(kind, kind),
        "opinion_kind_label": lambda kind: OPINION_KIND_LABELS.get(kind, kind),
        "verdict_label": lambda verdict: VERDICT_LABELS.get(verdict, verdict),
        "blocks_label": lambda step: BLOCKS_LABELS.get(step, step),
        "risk_level_label": lambda level: RISK_LEVEL_LABELS.get(level, level),
        "nationality_label": nationality_label,
    }


def _user():
    return current_user._get_current_object()


def load_visible(application_id):
    """The application if the current user may see it; 404 otherwise, as if it did not exist."""
    application = db.session.scalar(
        visible_applications(_user()).where(Application.id == application_id)
    )
    if application is None:
        abort(404)
    return application


@bp.route("/")
@login_required
def list_mine():
    query = (
        access.own_applications(_user())
        .options(selectinload(Application.host_laboratory), selectinload(Application.programme))
        .order_by(Application.created_at.desc(), Application.id.desc())
    )
    pagination = paginate(query)
    return render_template("applications/list_mine.html", pagination=pagination,
                           waiting=access.waiting_on_many(pagination.items))


@bp.route("/new")
@login_required
def new():
    user = _user()
    return render_template("applications/new.html",
                           directions=access.directions_to_apply(user),
                           home_laboratory=user.home_laboratory)


@bp.route("/new/<direction>", methods=["GET", "POST"])
@login_required
def create(direction):
    if direction not in DIRECTIONS:
        abort(404)
    user = _user()
    if not access.can_apply(user, direction):
        abort(403)  # not offered on the "New application" page either
    form = ApplicationForm(direction, user)
    if _cost_rows_changed(form):
        pass  # the same form again, one row more or less, nothing saved
    elif form.validate_on_submit():
        try:
            application = create_application(user, direction, form.values())
        except InvalidValues as error:
            db.session.rollback()
            form.add_errors(error.fields)
        else:
            db.session.commit()
            flash(_("Draft %(reference)s saved. Submit it when it is complete.",
                    reference=application.reference), "success")
            return redirect(url_for("applications.show", application_id=application.id))
    return render_template("applications/form.html", form=form, direction=direction,
                           application=None)


def _cost_rows_changed(form):
    """The form's "Add a cost" and "Remove" buttons when JavaScript did not handle them
    (static/js/cost_items.js does, without a reload): True when a row was added or removed."""
    if request.method != "POST":
        return False
    change = request.form.get("cost_rows", "")
    if change == "add":
        form.add_cost_row()
        return True
    if change.startswith("remove-") and change[len("remove-"):].isdigit():
        form.remove_cost_row(int(change[len("remove-"):]))
        return True
    return False


@bp.route("/<int:application_id>")
@login_required
def show(application_id):
    application = load_visible(application_id)
    return _render_show(application)


def _render_show(application, failed_action=None, failed_form=None, refusal=None,
                 opinion_forms=None):
    user = _user()
    actions = access.allowed_actions(user, application)
    own = access.acts_as_applicant(user, application)
    forms = {action: action_form(action, application, own=own) for action in actions}
    if failed_action is not None:
        forms[failed_action] = failed_form
    opinion_forms = {
        kind: (opinion_forms or {}).get(kind) or OpinionForm(prefix=f"opinion-{kind}",
                                                              formdata=None)
        for kind in access.opinion_kinds_user_may_give(user, application)
    }
    events = db.session.scalars(
        db.select(Event)
        .where(Event.application_id == application.id)
        .options(selectinload(Event.actor), selectinload(Event.on_behalf_of))
        .order_by(Event.id)
    ).all()
    event_changes = dict(zip(
        (event.id for event in events),
        describe_changes([event.changes for event in events]),
    ))
    overlaps = (
        overlapping_applications(application) if access.can_see_overlaps(user, application) else []
    )
    # Opened from a queue (its links say which): the way on to the next request of it.
    queue = request.args.get("queue")
    if queue not in REVIEW_QUEUES or queue not in access.work_queues(user):
        queue = None
    return render_template(
        "applications/show.html",
        application=application,
        actions=actions,
        forms=forms,
        failed_action=failed_action,
        events=events,
        event_changes=event_changes,
        overlaps=overlaps,
        needs_comment={action: TRANSITIONS[action].needs_comment for action in actions},
        can_edit=access.can(user, "edit", application),
        can_delete=access.can_delete(user, application),
        requirements=requirements_of(application),
        refusal=refusal,
        opinion_forms=opinion_forms,
        risk_level=destination_risk_level(application),
        upload_kinds=access.kinds_user_may_upload(user, application),
        returned=_return_for(user, application),
        queue=QUEUES[queue] if queue else None,
        next_application=(next_in_queue(user, queue, application, after_current=True)
                          if queue else None),
        amendments=application.amendments,
        can_ask_amendment=(access.can_ask_amendment(user, application)
                           and not any(amendment.status in ("submitted", "endorsed")
                                       for amendment in application.amendments)),
        amendment_status_labels=AMENDMENT_STATUS_LABELS,
        waiting_on=access.waiting_on(application),
        agreement_quota=(quota_use(application.agreement, application.start_date.year)
                         if application.agreement else None),
        no_agreement=(access.can_see_partner_warning(user, application)
                      and lacks_agreement(application)),
    )


def _return_for(user, application):
    """The reviewer's return, at the top of the applicant's pages while it is to answer."""
    return return_to_answer(application) if access.acts_as_applicant(user, application) else None


@bp.route("/<int:application_id>/edit", methods=["GET", "POST"])
@login_required
def edit(application_id):
    application = load_visible(application_id)
    user = _user()
    try:
        access.check_edit(user, application)
    except NotAllowed:
        abort(403)
    except InvalidTransition:
        flash(_("This application can no longer be edited."), "warning")
        return redirect(url_for("applications.show", application_id=application.id))
    form = ApplicationForm(application.direction, user, obj=application, application=application)
    if request.method == "GET":
        form.version.data = application.version
    if _cost_rows_changed(form):
        pass  # the same form again, one row more or less, nothing saved
    elif form.validate_on_submit():
        try:
            update_application(application, user, form.values(), form.version.data)
        except NotAllowed:
            abort(403)
        except InvalidTransition:
            db.session.rollback()
            flash(SOMEONE_ELSE, "warning")
            return redirect(url_for("applications.show", application_id=application_id))
        except InvalidValues as error:
            db.session.rollback()
            form.add_errors(error.fields)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("applications.show", application_id=application_id))
    return render_template("applications/form.html", form=form, direction=application.direction,
                           application=application, returned=_return_for(user, application))


@bp.route("/<int:application_id>/delete", methods=["GET", "POST"])
@login_required
def delete(application_id):
    """Delete a draft of one's own: a page asking to confirm (GET), then the deletion (POST,
    with its CSRF token). Works without scripts."""
    application = load_visible(application_id)
    user = _user()
    try:
        access.check_delete(user, application)
    except NotAllowed:
        abort(403)
    except InvalidTransition:
        abort(409)  # no longer a draft: the page says the state does not allow it
    if request.method == "POST":
        reference = application.reference
        delete_draft(application, user)
        db.session.commit()
        flash(_("The draft %(reference)s is deleted.", reference=reference), "success")
        return redirect(url_for("applications.list_mine"))
    return render_template("applications/confirm_delete.html", application=application)


@bp.route("/<int:application_id>/actions/<action>", methods=["POST"])
@login_required
def act(application_id, action):
    application = load_visible(application_id)
    if action not in TRANSITIONS:
        abort(404)
    user = _user()
    form = action_form(action, application, formdata=request.form,
                       own=access.acts_as_applicant(user, application))
    awarded = getattr(form, "awarded_amount", None)
    awarded_amount = awarded.data if awarded is not None else None
    if awarded is not None and awarded.refused:
        # Text that is no amount in the reader's language: the services refuse it (after
        # asking who may act), and the field's own message says how to write it.
        awarded_amount = UNREADABLE_AMOUNT
    try:
        event = transition(
            application,
            action,
            user,
            comment=form.comment.data or "",
            version=form.version.data or "",
            awarded_amount=awarded_amount,
        )
    except NotAllowed:
        abort(403)
    except RequirementsUnmet as refused:
        # Shown next to the action, with the requirements that bar it (the checklist above
        # says how to meet each).
        db.session.rollback()
        application = load_visible(application_id)
        return _render_show(application, failed_action=action, failed_form=form,
                            refusal=refused), 409
    except QuotaReached as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        return redirect(url_for("applications.show", application_id=application_id))
    except InvalidTransition:  # StaleVersion included: the page shows the current state
        db.session.rollback()
        flash(SOMEONE_ELSE, "warning")
        return redirect(url_for("applications.show", application_id=application_id))
    except InvalidValues as error:
        db.session.rollback()
        _add_field_errors(form, error.fields)
        application = load_visible(application_id)
        return _render_show(application, failed_action=action, failed_form=form)
    db.session.commit()
    queue = queue_of_decision(user, application, action, event.from_status)
    if queue is not None:
        # A reviewer's decision is one of a queue: on to the next request of it.
        done = _("%(reference)s: %(done)s", reference=application.reference, done=DONE[action])
        return _on_in_queue(user, queue, application, done)
    flash(DONE[action], "success")
    return redirect(url_for("applications.show", application_id=application_id))


def _on_in_queue(user, queue, application, done, anchor=""):
    """After a reviewer's decision or opinion (``done`` says which) on ``application``: the
    oldest request left in ``queue`` that they can act on, else the queue's page."""
    following = next_in_queue(user, queue, application)
    if following is None:
        flash(_("%(done)s Nothing else waits in this queue.", done=done), "success")
        return redirect(url_for(QUEUES[queue].page))
    flash(_("%(done)s Here is the next request of the queue, %(reference)s.", done=done,
            reference=following.reference), "success")
    return redirect(url_for("applications.show", application_id=following.id, queue=queue)
                    + anchor)


@bp.route("/<int:application_id>/opinions/<kind>", methods=["POST"])
@login_required
def give_opinion(application_id, kind):
    """A security officer's or host director's opinion, from the application page."""
    application = load_visible(application_id)
    if kind not in OPINION_KINDS:
        abort(404)
    user = _user()
    form = OpinionForm(prefix=f"opinion-{kind}", formdata=request.form)
    try:
        access.check_opinion(user, application, kind)
    except NotAllowed:
        abort(403)
    except InvalidTransition:
        flash(_("This opinion is not asked for in the current state."), "warning")
        return redirect(url_for("applications.show", application_id=application_id))
    try:
        give_opinion_service(application, user, kind, form.verdict.data or "",
                             form.comment.data or "")
    except InvalidValues as error:
        db.session.rollback()
        for name, messages in error.fields.items():
            field = getattr(form, name, None) or form.verdict
            field.errors = list(dict.fromkeys([*field.errors, *map(str, messages)]))
        application = load_visible(application_id)
        return _render_show(application, opinion_forms={kind: form}), 422
    db.session.commit()
    done = _("Your %(kind)s was recorded.", kind=str(OPINION_KIND_LABELS[kind]).lower())
    if kind in access.work_queues(user):
        return _on_in_queue(user, kind, application, done, anchor="#opinions")
    flash(done, "success")
    return redirect(url_for("applications.show", application_id=application_id) + "#opinions")


def _add_field_errors(form, fields):
    for name, messages in fields.items():
        field = getattr(form, name, None) or form.comment
        if getattr(field, "refused", False):
            messages = field.process_errors  # how to write an amount, in the reader's way
        field.errors = list(field.errors) + list(messages)


from tracker.applications import document_views  # noqa: E402,F401  (routes on this blueprint)
from tracker.applications import invitation_views  # noqa: E402,F401  (routes on this blueprint)
from tracker.applications import amendment_views  # noqa: E402,F401  (routes on this blueprint)
