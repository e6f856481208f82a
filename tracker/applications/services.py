"""Creating, editing and moving applications through the workflow.

Everything that writes an application goes through here, whoever asks (web, API, command
line). Services flush, never commit: the caller commits once, so an application, its Event
and its Notifications are saved together or not at all. The rules on values live in
:mod:`tracker.applications.validation`, who may act in :mod:`tracker.access`, who is told in
:mod:`tracker.applications.notices`.

Errors are of the family of :mod:`tracker.core.errors`: ``NotAllowed`` (403),
``InvalidTransition`` and ``StaleVersion`` (409), ``InvalidValues`` (422, with ``fields``).
"""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from tracker import access
from tracker.agreements.services import check_quota, suggested_agreement_id
from tracker.applications.documents import remove_files_on_commit
from tracker.applications.models import Application, CostItem, Event, ReferenceCounter
from tracker.applications.notices import notify_next
from tracker.applications.requirements import check_step
from tracker.applications.validation import (
    amount_problem,
    application_problems,
    as_amount,
    changes_between,
    columns_of,
    comment_problems,
    current_data,
    values_from,
    values_of,
)
from tracker.applications.workflow import (
    ACTIVE_FOR_OVERLAP, GRANTED, SETTLED, TRANSITIONS, StaleVersion,
)
from tracker.core.errors import InvalidValues, NotAllowed
from tracker.core.language import reader_locale
from tracker.core.models import utcnow
from tracker.core.numbers import format_amount
from tracker.directory.models import Programme
from tracker.extensions import db


# Reference numbers -------------------------------------------------------------------------
def next_reference(year):
    """The next ``MOB-YYYY-NNNNNN`` of ``year``, unique even under concurrent creation.

    One INSERT ... ON CONFLICT DO UPDATE ... RETURNING: the database increments the year's
    counter atomically and the row stays locked until the caller's transaction ends.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ReferenceCounter).values(year=year, last_value=1)
    statement = statement.on_conflict_do_update(
        index_elements=[ReferenceCounter.year],
        set_={"last_value": ReferenceCounter.last_value + 1},
    ).returning(ReferenceCounter.last_value)
    value = db.session.execute(statement).scalar_one()
    return f"MOB-{year}-{value:06d}"


# Drafts ------------------------------------------------------------------------------------
def create_application(applicant, direction, data, today=None, actor=None):
    """A new draft of ``applicant``, with its reference and a ``create`` Event.

    ``actor`` is who creates it when not the applicant: a host inviting a visitor, whose
    account may not be usable yet (:mod:`tracker.applications.invitations`).
    """
    today = today or date.today()
    actor = actor or applicant
    if not access.signed_in(actor):
        raise NotAllowed(_l("Sign in to apply."))
    values = values_from(data, direction)
    problems = application_problems(values, applicant, today,
                                    past_allowed=access.may_record_past_stay(actor))
    if problems:
        raise InvalidValues(_l("Please correct the fields marked."), problems)
    application = Application(
        reference=next_reference(today.year),
        direction=direction,
        applicant_id=applicant.id,
        status="draft",
        version=1,
        waiting_since=utcnow(),
        **with_agreement(columns_of(values)),
    )
    db.session.add(application)
    db.session.flush()
    _store_cost_items(application, values["cost_items"])
    db.session.add(
        Event(application_id=application.id, actor_id=actor.id, action="create",
              from_status=None, to_status="draft")
    )
    db.session.flush()
    return application


def update_application(application, actor, data, version, today=None):
    """Edit ``application`` (its applicant, in draft or returned, at ``version``)."""
    today = today or date.today()
    access.check_edit(actor, application, "" if version is None else version)
    before = current_data(application)
    merged = {**before, **data}
    if data.get("funding") == "unit" and "programme_id" not in data:
        merged["programme_id"] = None  # a mission on the unit's funds leaves its call
    values = values_from(merged, application.direction)
    problems = application_problems(values, actor, today,
                                    past_allowed=access.may_record_past_stay(actor))
    if problems:
        raise InvalidValues(_l("Please correct the fields marked."), problems)
    _conditional_update(application, application.status, with_agreement(columns_of(values)))
    if "cost_items" in data:
        _store_cost_items(application, values["cost_items"])
    db.session.add(
        Event(application_id=application.id, actor_id=actor.id, action="edit",
              from_status=application.status, to_status=application.status,
              changes=changes_between(before, current_data(application)) or None)
    )
    db.session.flush()
    return application


def with_agreement(columns):
    """``columns`` and the agreement the stay falls under, suggested anew at each write
    (its laboratories or its dates may have changed): the one in force on its first day
    that covers both its laboratories (docs/rules.md, Agreements)."""
    return {**columns, "agreement_id": suggested_agreement_id(
        columns["home_laboratory_id"], columns["host_laboratory_id"], columns["start_date"])}


def delete_draft(application, actor):
    """Delete ``application``, a draft of ``actor``'s, with its cost items, documents (their
    files once the transaction commits), opinions and events; an invitation that made it
    keeps its row, without the application."""
    access.check_delete(actor, application)
    remove_files_on_commit([document.stored_name for document in application.documents])
    db.session.delete(application)
    db.session.flush()


def _store_cost_items(application, items):
    """Replace the cost items of ``application`` by ``items`` (checked), in their order."""
    db.session.execute(sa.delete(CostItem).where(CostItem.application_id == application.id))
    db.session.add_all(
        CostItem(application_id=application.id, position=position, kind=item["kind"],
                 description=item["description"], amount=item["amount"])
        for position, item in enumerate(items)
    )
    db.session.flush()
    db.session.expire(application, ["cost_items"])


def _conditional_update(application, from_status, columns):
    """Write ``columns`` and bump the version only if nobody changed the row meanwhile.

    ``UPDATE ... WHERE id AND status AND version``: of two concurrent writers the database
    lets exactly one match; the other sees no row and gets :class:`StaleVersion`.
    """
    db.session.flush()
    seen_version = application.version
    result = db.session.execute(
        sa.update(Application)
        .where(
            Application.id == application.id,
            Application.status == from_status,
            Application.version == seen_version,
        )
        .values(version=seen_version + 1, updated_at=utcnow(), **columns)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.expire(application)
        raise StaleVersion(_l("Someone else acted on this application first."))
    db.session.refresh(application)


# The workflow ------------------------------------------------------------------------------
def transition(application, action, actor, comment="", version=None, awarded_amount=None,
               today=None):
    """Take ``action`` on ``application`` as ``actor``: the only code that writes ``status``.

    Checks, in the order of docs/api.md: who (``NotAllowed``), version and state (``StaleVersion``,
    ``InvalidTransition``), requirements (``RequirementsUnmet``, 409), then values
    (``InvalidValues``: comment, awarded amount, budget,
    and on submit every rule of :func:`application_problems`). Then moves the status with a
    conditional UPDATE, writes one Event and queues the notifications. Returns the Event.
    """
    today = today or date.today()
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise InvalidValues(_l("Unknown action."), {"action": [_l("Unknown action.")]})
    access.check_transition(actor, application, action, version, today)
    # Requirements (docs/rules.md): a wrong state too (409), before any value is looked at.
    check_step(application, action)
    if action == "approve":
        # A quota set as a limit is the agreement's state: 409, before any value.
        check_quota(application)

    comment = (comment or "").strip()
    problems = comment_problems(comment, rule.needs_comment)
    # Whoever acts next starts waiting now; nobody waits on an approved or ended request.
    columns = {"status": rule.target,
               "waiting_since": None if rule.target in SETTLED else utcnow()}
    if action == "submit":
        problems.update(application_problems(
            values_of(application), application.applicant, today, submitting=True,
            past_allowed=access.may_record_past_stay(actor),
        ))
        columns["submitted_at"] = utcnow()
    if action == "approve":
        amount = as_amount(awarded_amount)
        if amount is None and application.funding == "unit":
            amount = application.requested_amount  # the director grants what was asked
        problem = amount_problem(amount)
        if problem is not None:
            problems["awarded_amount"] = [problem]
        elif not problems and application.programme_id is not None:
            _check_budget(application, amount)
        columns["awarded_amount"] = amount
    if problems:
        raise InvalidValues(_l("Please correct the fields marked."), problems)

    from_status = application.status
    # Asked before the status moves: a stand-in acting for a delegator is named with them.
    delegator = access.acting_for(actor, action, application, today)
    _conditional_update(application, from_status, columns)
    event = Event(application_id=application.id, actor_id=actor.id, action=action,
                  from_status=from_status, to_status=rule.target, comment=comment,
                  on_behalf_of_id=delegator.id if delegator is not None else None)
    db.session.add(event)
    notify_next(application, action, actor, from_status, comment)
    db.session.flush()
    return event


def budget_committed(programme_id):
    """Sum of the awarded amounts that count against ``programme_id``'s budget."""
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Application.awarded_amount), 0)).where(
            Application.programme_id == programme_id,
            Application.status.in_(GRANTED),
        )
    )


def check_added_to_budget(application, added):
    """Raise ``InvalidValues`` (422 ``awarded_amount``) when ``added`` more for
    ``application`` (already counted in its programme's commitments) does not fit in what
    remains of the programme's budget. The programme row stays locked until the commit."""
    _check_budget(application, added)


def _check_budget(application, amount):
    # Lock the programme row (PostgreSQL; SQLite has one writer anyway) so that two
    # approvals of different applications cannot both fit into the same remaining budget.
    programme = db.session.scalars(
        sa.select(Programme)
        .where(Programme.id == application.programme_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    remaining = programme.budget - Decimal(budget_committed(programme.id))
    if amount > remaining:
        raise InvalidValues(
            _l("This exceeds the programme's budget."),
            {"awarded_amount": [
                _l("Only %(remaining)s of the programme's budget remain.",
                   remaining=format_amount(remaining, reader_locale()))
            ]},
        )


# Overlaps ----------------------------------------------------------------------------------
def _overlap_condition(application_table, other):
    return sa.and_(
        other.applicant_id == application_table.applicant_id,
        other.id != application_table.id,
        other.status.in_(ACTIVE_FOR_OVERLAP),
        other.start_date <= application_table.end_date,
        other.end_date >= application_table.start_date,
    )


def overlapping_applications(application):
    """The applicant's other submitted/endorsed/approved applications with overlapping dates."""
    other = aliased(Application)
    return db.session.scalars(
        sa.select(other).where(_overlap_condition(application, other)).order_by(other.start_date)
    ).all()


def ids_with_overlaps(applications):
    """Ids of those of ``applications`` that overlap another one, in a single query."""
    ids = [application.id for application in applications]
    if not ids:
        return set()
    other = aliased(Application)
    return set(
        db.session.scalars(
            sa.select(Application.id).where(
                Application.id.in_(ids),
                sa.exists().where(_overlap_condition(Application, other)),
            )
        )
    )


def remaining_budgets(programme_ids):
    """``{programme_id: budget minus committed awards}`` in one aggregate query."""
    ids = set(programme_ids)
    if not ids:
        return {}
    committed = (
        sa.select(
            Application.programme_id,
            sa.func.sum(Application.awarded_amount).label("committed"),
        )
        .where(Application.programme_id.in_(ids), Application.status.in_(GRANTED))
        .group_by(Application.programme_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Programme.id, Programme.budget - sa.func.coalesce(committed.c.committed, 0))
        .outerjoin(committed, committed.c.programme_id == Programme.id)
        .where(Programme.id.in_(ids))
    )
    return {programme_id: Decimal(remaining) for programme_id, remaining in rows}
