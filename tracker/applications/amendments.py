"""Amendments: a change asked to an approved application, reviewed like the application.

:func:`ask_amendment` records the change (the applicant, or an admin), checked as an edit
would be; :func:`act_on_amendment` takes the reviewers' and the applicant's actions of the
workflow's ``AMENDMENT_TRANSITIONS``. The application stays approved throughout; an
approval writes the asked values into it through the same conditional UPDATE as every
other write (its version moves on) and records ONE ``amend`` Event with each field's old and
new value. The rules are checked again on the amended values: every rule of an edit, the
programme's budget for any added amount, and the requirements (an extension past 90 days
may need a hosting agreement), whose unmet ones bar the approval. Overlaps are warnings
(:func:`amended_overlaps`).

Services flush, never commit; refusals are of the family of :mod:`tracker.core.errors`.
"""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from tracker import access
from tracker.applications.models import Amendment, Application, Event, duration_days
from tracker.applications.notices import notify_amendment
from tracker.applications.requirements import requirements_of
from tracker.applications.services import (
    _conditional_update,
    _store_cost_items,
    check_added_to_budget,
    overlapping_applications,
    remaining_budgets,
)
from tracker.applications.validation import (
    MAX_COMMENT,
    amount_problem,
    application_problems,
    as_amount,
    changes_between,
    columns_of,
    comment_problems,
    current_data,
    values_from,
)
from tracker.applications.workflow import (
    AMENDABLE_FIELDS,
    AMENDMENT_EVENTS,
    AMENDMENT_TRANSITIONS,
    OPEN_AMENDMENT,
    AmendmentOpen,
    RequirementsUnmet,
    StaleVersion,
)
from tracker.core.errors import InvalidValues
from tracker.core.language import reader_locale
from tracker.core.models import utcnow
from tracker.core.numbers import format_amount
from tracker.extensions import db

TERMINAL_AMENDMENT = frozenset({"approved", "rejected", "withdrawn"})
CORRECT_FIELDS = _l("Please correct the fields marked.")


class AmendedApplication:
    """``application`` as it would be with an amendment's values: what the requirements and
    the overlaps are judged on. Everything not amended is the application's own."""

    def __init__(self, application, values):
        self._application = application
        self.start_date = values["start_date"]
        self.end_date = values["end_date"]
        self.host_laboratory = values["host_laboratory"]
        self.host_laboratory_id = values["host_laboratory"].id
        self.requested_amount = values["requested_amount"]

    def __getattr__(self, name):
        return getattr(self._application, name)

    @property
    def duration_days(self):
        return duration_days(self.start_date, self.end_date)


def open_amendment(application):
    """The open (submitted, endorsed or returned) amendment of ``application``, or None."""
    return db.session.scalar(
        sa.select(Amendment).where(Amendment.application_id == application.id,
                                   Amendment.status.in_(OPEN_AMENDMENT))
    )


def amended_data(application, amendment):
    """The application's stored data with the amendment's asked values in place (JSON
    values, as :func:`values_from` reads them)."""
    return {**current_data(application), **amendment.changes}


def amended_values(application, amendment):
    return values_from(amended_data(application, amendment), application.direction)


def diff_of(amendment):
    """``{field: {"old", "new"}}``: what the amendment asks, as ``changes.describe`` reads."""
    return {field: {"old": amendment.previous.get(field), "new": new}
            for field, new in amendment.changes.items()}


def amended_requirements(application, amendment):
    """The requirements of ``application`` judged on the amendment's values."""
    return requirements_of(AmendedApplication(application, amended_values(application,
                                                                          amendment)))


def amended_overlaps(application, amendment):
    """The applicant's other active applications whose dates overlap the amended ones."""
    return overlapping_applications(
        AmendedApplication(application, amended_values(application, amendment)))


# Asking ------------------------------------------------------------------------------------
def ask_amendment(application, actor, changes, reason, version, today=None):
    """Ask ``changes`` (``{field: new value}`` of :data:`AMENDABLE_FIELDS`) to the approved
    ``application`` at ``version``, for ``reason``. Returns the Amendment (status submitted).

    Refusals in the order of docs/api.md: 403 (not the applicant nor an admin), 409 (stale
    version, not approved, another change open), 422 (the values, the reason, the budget).
    A returned amendment is asked again in place: same row, new values, submitted again.
    """
    today = today or date.today()
    access.check_ask_amendment(actor, application, "" if version is None else version)
    _lock(application)
    current = open_amendment(application)
    if current is not None and current.status != "returned":
        raise AmendmentOpen(_l("A change to this application is already being reviewed."))

    changes = dict(changes or {})
    reason = (reason or "").strip()
    problems = {}
    for field in sorted(set(changes) - set(AMENDABLE_FIELDS)):
        problems[field] = [_l("This value cannot be changed by an amendment.")]
    if not reason:
        problems["reason"] = [_l("Say why the change is needed.")]
    elif len(reason) > MAX_COMMENT:
        problems["reason"] = [_l("Use at most %(max)d characters.", max=MAX_COMMENT)]
    before = current_data(application)
    if ("requested_amount" in changes and "cost_items" not in changes
            and before["cost_items"]):
        problems["requested_amount"] = [
            _l("This stay has cost items: change them, the amount is their sum.")]
    if problems:
        raise InvalidValues(CORRECT_FIELDS, problems)

    values = values_from({**before, **changes}, application.direction)
    problems = application_problems(
        values, application.applicant, today,
        past_allowed=(values["start_date"] == application.start_date
                      or access.may_record_past_stay(actor)),
    )
    asked = {}
    if not problems:
        after = {**columns_of(values), "cost_items": values["cost_items"]}
        asked = changes_between(before, after)
        if not asked:
            problems["changes"] = [_l("Change at least one value.")]
    if not problems and application.programme_id is not None and "requested_amount" in asked:
        problems.update(_ask_budget_problems(application, values["requested_amount"]))
    if problems:
        raise InvalidValues(CORRECT_FIELDS, problems)

    new_values = {field: change["new"] for field, change in asked.items()}
    old_values = {field: change["old"] for field, change in asked.items()}
    if current is not None:
        amendment = _update_amendment(current, "returned", {
            "status": "submitted", "changes": new_values, "previous": old_values,
            "reason": reason, "requested_by_id": actor.id, "awarded_amount": None,
        })
    else:
        amendment = Amendment(application_id=application.id, requested_by_id=actor.id,
                              status="submitted", changes=new_values, previous=old_values,
                              reason=reason, version=1)
        db.session.add(amendment)
        try:
            db.session.flush()
        except IntegrityError:
            # Someone asked at the same moment: the one-open index kept theirs. The caller
            # rolls back on any refusal; nothing of this request is kept.
            db.session.rollback()
            raise AmendmentOpen(
                _l("A change to this application is already being reviewed.")) from None
    application.waiting_since = utcnow()  # the change now waits on its reviewers
    db.session.add(Event(application_id=application.id, actor_id=actor.id,
                         action=AMENDMENT_EVENTS["ask"], from_status=application.status,
                         to_status=application.status, comment=reason))
    notify_amendment(application, "ask", actor, None, reason)
    db.session.flush()
    return amendment


def _lock(application):
    """Serialise the asks of one application (PostgreSQL; SQLite has one writer anyway)."""
    db.session.execute(
        sa.select(Application.id).where(Application.id == application.id).with_for_update()
    )


def _ask_budget_problems(application, requested):
    """The asked amount, beyond what is awarded now, must fit in the programme's budget."""
    added = requested - (application.awarded_amount or Decimal("0.00"))
    remaining = remaining_budgets([application.programme_id]).get(application.programme_id)
    if added > 0 and remaining is not None and added > remaining:
        return {"requested_amount": [
            _l("Only %(remaining)s of the programme's budget remain.",
               remaining=format_amount(max(remaining, Decimal("0.00")), reader_locale()))
        ]}
    return {}


def _update_amendment(amendment, from_status, columns):
    """``UPDATE ... WHERE id AND status AND version``: of two people acting on the same
    amendment at once, exactly one matches; the other gets :class:`StaleVersion`."""
    db.session.flush()
    seen = amendment.version
    result = db.session.execute(
        sa.update(Amendment)
        .where(Amendment.id == amendment.id, Amendment.status == from_status,
               Amendment.version == seen)
        .values(version=seen + 1, updated_at=utcnow(), **columns)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.expire(amendment)
        raise StaleVersion(_l("Someone else acted on this change first."))
    db.session.refresh(amendment)
    return amendment


# Reviewing ---------------------------------------------------------------------------------
def act_on_amendment(amendment, action, actor, comment="", version=None, awarded_amount=None,
                     today=None):
    """Take ``action`` (endorse, approve, return, reject, withdraw) on ``amendment``.

    Checks who (403), version and state (409), the requirements on the amended values
    (409 ``requirements_unmet``, for endorse and approve), then the values (422: comment,
    the amended values again, the awarded amount and the budget). Returns the Event.
    """
    today = today or date.today()
    rule = AMENDMENT_TRANSITIONS.get(action)
    if rule is None:
        raise InvalidValues(_l("Unknown action."), {"action": [_l("Unknown action.")]})
    access.check_amendment_transition(actor, amendment, action, version)
    application = amendment.application
    values = amended_values(application, amendment)
    if action in ("endorse", "approve"):
        _check_requirements(application, values, action)

    comment = (comment or "").strip()
    problems = comment_problems(comment, rule.needs_comment)
    awarded = application.awarded_amount
    if action == "approve":
        problems.update(application_problems(
            values, application.applicant, today,
            past_allowed=("start_date" not in amendment.changes
                          or access.may_record_past_stay(actor)),
        ))
        if awarded_amount not in (None, ""):
            awarded = as_amount(awarded_amount)
            problem = amount_problem(awarded)
            if problem is not None:
                problems["awarded_amount"] = [problem]
        elif "requested_amount" in amendment.changes:
            awarded = values["requested_amount"]  # granted as asked unless the office says
    if problems:
        raise InvalidValues(CORRECT_FIELDS, problems)

    from_status = amendment.status
    columns = {"status": rule.target}
    if rule.target in TERMINAL_AMENDMENT:
        columns["decided_at"] = utcnow()
    if action == "approve":
        columns["awarded_amount"] = awarded
    # The amendment first: of two reviewers, the loser stops here, before any other write.
    _update_amendment(amendment, from_status, columns)

    if action == "approve":
        event = _apply(application, amendment, values, awarded, actor)
    else:
        event = Event(application_id=application.id, actor_id=actor.id,
                      action=AMENDMENT_EVENTS[action], from_status=application.status,
                      to_status=application.status, comment=comment)
        db.session.add(event)
    # An open change waits anew on whoever acts next; a settled one on nobody.
    application.waiting_since = None if rule.target in TERMINAL_AMENDMENT else utcnow()
    notify_amendment(application, action, actor, from_status, comment,
                     requester=amendment.requested_by)
    db.session.flush()
    return event


def _check_requirements(application, values, action):
    """Every requirement unmet on the amended values bars the approval (the application
    took its submit step long ago); an unfavourable opinion bars endorsing and approving."""
    requirements = requirements_of(AmendedApplication(application, values))
    unfavourable = [requirement for requirement in requirements if requirement.unfavourable]
    if unfavourable:
        raise RequirementsUnmet(
            _l("An unfavourable opinion was given: the change can only be returned or "
               "rejected."),
            [requirement.as_json() for requirement in unfavourable])
    blocking = [requirement for requirement in requirements if not requirement.met]
    if action == "approve" and blocking:
        raise RequirementsUnmet(
            _l("Some requirements are not met on the changed values: see the change's "
               "requirements."),
            [requirement.as_json() for requirement in blocking])


def _apply(application, amendment, values, awarded, actor):
    """Write the amended values into ``application`` and record ONE ``amend`` Event."""
    before = current_data(application)
    old_awarded = application.awarded_amount or Decimal("0.00")
    if application.programme_id is not None and awarded is not None and awarded > old_awarded:
        check_added_to_budget(application, awarded - old_awarded)
    columns = {**columns_of(values), "awarded_amount": awarded}
    _conditional_update(application, "approved", columns)
    if "cost_items" in amendment.changes:
        _store_cost_items(application, values["cost_items"])
    event = Event(application_id=application.id, actor_id=actor.id,
                  action=AMENDMENT_EVENTS["approve"], from_status="approved",
                  to_status="approved", comment=amendment.reason,
                  changes=changes_between(before, current_data(application)) or None)
    db.session.add(event)
    return event
