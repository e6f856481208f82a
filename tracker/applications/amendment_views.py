"""Amendments of an approved application, from its pages: ask a change (or an extension),
see it side by side with the current values, and act on it.

Each view: load the application through ``visible_applications`` (404) → ask the access
module (403) → call the amendments service → commit once. Routes on the applications
blueprint.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tracker import access
from tracker.applications.amendment_forms import AmendmentForm, amendment_action_form
from tracker.applications.amendments import (
    act_on_amendment,
    amended_overlaps,
    amended_requirements,
    ask_amendment,
    diff_of,
    open_amendment,
)
from tracker.applications.changes import describe
from tracker.applications.models import Amendment
from tracker.applications.views import SOMEONE_ELSE, _cost_rows_changed, bp, load_visible
from tracker.applications.workflow import (
    AMENDMENT_ACTION_LABELS,
    AMENDMENT_STATUS_LABELS,
    AMENDMENT_TRANSITIONS,
    InvalidTransition,
    RequirementsUnmet,
)
from tracker.core.errors import InvalidValues, NotAllowed
from tracker.extensions import db

AMENDMENT_DONE = {
    "endorse": _l("Change endorsed: the international relations office decides next."),
    "approve": _l("Change approved: the application holds the new values."),
    "return": _l("Change returned to the applicant."),
    "reject": _l("Change rejected."),
    "withdraw": _l("Change withdrawn."),
}


def _user():
    return current_user._get_current_object()


def _load_amendment(application, amendment_id):
    amendment = db.session.scalar(db.select(Amendment).where(
        Amendment.id == amendment_id, Amendment.application_id == application.id))
    if amendment is None:
        abort(404)
    return amendment


@bp.route("/<int:application_id>/amendments/new", methods=["GET", "POST"])
@access.login_required
def ask_amendment_page(application_id):
    """Ask a change: every amendable value prefilled, or (``?extend=1``) the end date."""
    application = load_visible(application_id)
    user = _user()
    try:
        access.check_ask_amendment(user, application)
    except NotAllowed:
        abort(403)
    except InvalidTransition:
        flash(_("Only an approved application can be changed."), "warning")
        return redirect(url_for("applications.show", application_id=application_id))
    current = open_amendment(application)
    if current is not None and current.status != "returned":
        flash(_("A change to this application is already being reviewed."), "warning")
        return redirect(url_for("applications.show_amendment", application_id=application_id,
                                amendment_id=current.id))
    extension = request.args.get("extend") == "1"
    form = AmendmentForm(application, extension=extension,
                         asked=current.changes if current is not None else None)
    if not extension and _cost_rows_changed(form):
        pass  # the same form again, one cost row more or less, nothing asked
    elif form.validate_on_submit():
        try:
            amendment = ask_amendment(application, user, form.changes(), form.reason.data,
                                      form.version.data)
        except NotAllowed:
            abort(403)
        except InvalidTransition:  # stale, or someone asked first
            db.session.rollback()
            flash(SOMEONE_ELSE, "warning")
            return redirect(url_for("applications.show", application_id=application_id))
        except InvalidValues as error:
            db.session.rollback()
            form.add_errors(error.fields)
        else:
            db.session.commit()
            flash(_("Change asked: the reviewers have been told."), "success")
            return redirect(url_for("applications.show_amendment",
                                    application_id=application_id, amendment_id=amendment.id))
    return render_template("applications/amendment_form.html", form=form,
                           application=load_visible(application_id), returned=current)


@bp.route("/<int:application_id>/amendments/<int:amendment_id>")
@access.login_required
def show_amendment(application_id, amendment_id):
    application = load_visible(application_id)
    return _render_amendment(application, _load_amendment(application, amendment_id))


def _render_amendment(application, amendment, failed_action=None, failed_form=None,
                      refusal=None):
    user = _user()
    actions = access.amendment_actions(user, amendment)
    forms = {action: amendment_action_form(action, amendment) for action in actions}
    if failed_action is not None:
        forms[failed_action] = failed_form
    shown = amendment.is_open
    return render_template(
        "applications/amendment.html",
        application=application,
        amendment=amendment,
        rows=describe([diff_of(amendment)])[0],
        actions=actions,
        forms=forms,
        failed_action=failed_action,
        refusal=refusal,
        needs_comment={action: AMENDMENT_TRANSITIONS[action].needs_comment
                       for action in actions},
        action_labels=AMENDMENT_ACTION_LABELS,
        amendment_status_labels=AMENDMENT_STATUS_LABELS,
        overlaps=(amended_overlaps(application, amendment)
                  if shown and access.can_see_overlaps(user, application) else []),
        requirements=amended_requirements(application, amendment) if shown else [],
        upload_kinds=access.kinds_user_may_upload(user, application),
    )


@bp.route("/<int:application_id>/amendments/<int:amendment_id>/actions/<action>",
          methods=["POST"])
@access.login_required
def act_on_amendment_page(application_id, amendment_id, action):
    application = load_visible(application_id)
    amendment = _load_amendment(application, amendment_id)
    if action not in AMENDMENT_TRANSITIONS:
        abort(404)
    user = _user()
    form = amendment_action_form(action, amendment, formdata=request.form)
    awarded = getattr(form, "awarded_amount", None)
    awarded_amount = awarded.data if awarded is not None else None
    if awarded is not None and awarded.refused:
        awarded_amount = "unreadable"  # refused by the service, after who may act
    here = url_for("applications.show_amendment", application_id=application_id,
                   amendment_id=amendment_id)
    try:
        act_on_amendment(amendment, action, user, comment=form.comment.data or "",
                         version=form.version.data or "", awarded_amount=awarded_amount)
    except NotAllowed:
        abort(403)
    except RequirementsUnmet as refused:
        db.session.rollback()
        application = load_visible(application_id)
        return _render_amendment(application, _load_amendment(application, amendment_id),
                                 action, form, refused), 409
    except InvalidTransition:
        db.session.rollback()
        flash(_("Someone else acted first: the change has moved on. Here is its current "
                "state."), "warning")
        return redirect(here)
    except InvalidValues as error:
        db.session.rollback()
        for name, messages in error.fields.items():
            field = getattr(form, name, None) or form.comment
            if getattr(field, "refused", False):
                messages = field.process_errors
            field.errors = list(field.errors) + [str(message) for message in messages]
        application = load_visible(application_id)
        return _render_amendment(application, _load_amendment(application, amendment_id),
                                 action, form), 422
    db.session.commit()
    flash(AMENDMENT_DONE[action], "success")
    if action in access.AMENDMENT_REVIEW_ACTIONS:
        return redirect(url_for("review.amendment_queue"))
    return redirect(here)
