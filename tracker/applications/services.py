"""Creating, editing and moving applications through the workflow.

Everything that writes an application goes through here, whoever asks (web, API, command
line). Services flush, never commit: the caller commits once, so an application, its Event
and its Notifications are saved together or not at all.

Errors are the classes of :mod:`tracker.applications.workflow`: ``NotAllowed`` (403),
``InvalidTransition`` and ``StaleVersion`` (409), ``InvalidValues`` (422, with ``fields``).
"""

from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from tracker.applications.models import (
    PURPOSES,
    Application,
    Event,
    ReferenceCounter,
    duration_days,
)
from tracker.applications.workflow import (
    ACTIVE_FOR_OVERLAP,
    GRANTED,
    TRANSITIONS,
    InvalidValues,
    NotAllowed,
    StaleVersion,
)
from tracker.auth.models import User, UserRole
from tracker import access
from tracker.core.models import utcnow
from tracker.directory.models import MAX_STAY_DAYS, Laboratory, Programme
from tracker.extensions import db
from tracker.notifications.services import notify

EDITABLE_FIELDS = (
    "programme_id",
    "home_laboratory_id",
    "host_laboratory_id",
    "title",
    "purpose",
    "start_date",
    "end_date",
    "requested_amount",
    "justification",
)
MAX_AMOUNT = Decimal("9999999999.99")  # what Numeric(12, 2) holds
MAX_COMMENT = 5000
# Laboratory kinds allowed at each end of a stay, by direction (SPEC.md).
LAB_KINDS_BY_DIRECTION = {
    "outgoing": {"home": {"unit"}, "host": {"partner", "joint_unit"}},
    "incoming": {"home": {"partner", "joint_unit"}, "host": {"unit"}},
}


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


# Validation --------------------------------------------------------------------------------
def _as_date(value):
    if value is None or value == "" or isinstance(value, date):
        return value or None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return "invalid"


def _as_amount(value):
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "invalid"
    if not amount.is_finite():
        return "invalid"
    return amount


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _resolve(model, value):
    ident = _as_int(value)
    return db.session.get(model, ident) if ident is not None else None


def _amount_problem(amount, required=True):
    if amount is None:
        return _l("Enter an amount.") if required else None
    if amount == "invalid":
        return _l("Enter an amount in euros, such as 1500.00.")
    if amount < 0:
        return _l("The amount cannot be negative.")
    if amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        return _l("Enter an amount in euros with at most two decimals.")
    return None


def application_problems(values, applicant, today=None, submitting=False):
    """Every SPEC rule ``values`` break, as ``{field: [messages]}`` (empty when valid).

    ``values`` holds ``direction`` and resolved objects (``programme``, ``home_laboratory``,
    ``host_laboratory``) besides the plain fields. The programme must be open only when
    ``submitting``.
    """
    today = today or date.today()
    problems = {}

    def add(field, message):
        problems.setdefault(field, []).append(message)

    direction = values.get("direction")
    if direction not in LAB_KINDS_BY_DIRECTION:
        add("direction", _l("Choose incoming or outgoing."))
        return problems
    title = (values.get("title") or "").strip()
    if not title:
        add("title", _l("Enter a title."))
    elif len(title) > 200:
        add("title", _l("Use at most 200 characters."))
    if values.get("purpose") not in PURPOSES:
        add("purpose", _l("Choose a purpose."))
    amount_problem = _amount_problem(values.get("requested_amount"))
    if amount_problem is not None:
        add("requested_amount", amount_problem)

    start, end = values.get("start_date"), values.get("end_date")
    for field, day in (("start_date", start), ("end_date", end)):
        if day is None:
            add(field, _l("Enter a date."))
        elif day == "invalid":
            add(field, _l("Enter a date as YYYY-MM-DD."))
    days = None
    if isinstance(start, date) and isinstance(end, date):
        if end < start:
            add("end_date", _l("The stay must end on or after its first day."))
        else:
            days = duration_days(start, end)
            if days > MAX_STAY_DAYS:
                add("end_date", _l("A stay lasts at most five years."))

    programme = values.get("programme")
    if programme is None:
        add("programme_id", _l("Choose a programme."))
    else:
        if programme.direction != direction:
            add("programme_id", _l("This programme is not for this direction."))
        if applicant.category not in programme.eligible_categories:
            add("programme_id", _l("This programme is not open to your category."))
        if days is not None and not programme.min_days <= days <= programme.max_days:
            add(
                "end_date",
                _l(
                    "This programme funds stays of %(min)d to %(max)d days; this one lasts "
                    "%(days)d.",
                    min=programme.min_days,
                    max=programme.max_days,
                    days=days,
                ),
            )
        if submitting and not programme.is_open_on(today):
            add("programme_id", _l("This programme is not open for applications today."))

    kinds = LAB_KINDS_BY_DIRECTION[direction]
    home, host = values.get("home_laboratory"), values.get("host_laboratory")
    if home is None:
        add("home_laboratory_id", _l("Choose the home laboratory."))
    elif home.kind not in kinds["home"]:
        add(
            "home_laboratory_id",
            _l("For an outgoing stay, the home laboratory is one of our units.")
            if direction == "outgoing"
            else _l("For an incoming stay, the home laboratory is a partner or joint unit abroad."),
        )
    elif direction == "outgoing" and home.id != applicant.home_laboratory_id:
        add("home_laboratory_id", _l("For an outgoing stay, the home laboratory is your own unit."))
    if host is None:
        add("host_laboratory_id", _l("Choose the host laboratory."))
    elif host.kind not in kinds["host"]:
        add(
            "host_laboratory_id",
            _l("For an outgoing stay, the host is a partner or joint unit abroad.")
            if direction == "outgoing"
            else _l("For an incoming stay, the host laboratory is one of our units."),
        )
    if home is not None and host is not None and home.id == host.id:
        add("host_laboratory_id", _l("The host laboratory differs from the home laboratory."))
    return problems


def _values_from(data, direction):
    """Parse ``data`` (form or JSON values, ids for related rows) into checked values."""
    return {
        "direction": direction,
        "programme": _resolve(Programme, data.get("programme_id")),
        "home_laboratory": _resolve(Laboratory, data.get("home_laboratory_id")),
        "host_laboratory": _resolve(Laboratory, data.get("host_laboratory_id")),
        "title": (data.get("title") or "").strip(),
        "purpose": data.get("purpose"),
        "start_date": _as_date(data.get("start_date")),
        "end_date": _as_date(data.get("end_date")),
        "requested_amount": _as_amount(data.get("requested_amount")),
        "justification": (data.get("justification") or "").strip(),
    }


def _values_of(application):
    return {
        "direction": application.direction,
        "programme": application.programme,
        "home_laboratory": application.home_laboratory,
        "host_laboratory": application.host_laboratory,
        "title": application.title,
        "purpose": application.purpose,
        "start_date": application.start_date,
        "end_date": application.end_date,
        "requested_amount": application.requested_amount,
        "justification": application.justification,
    }


def _columns(values):
    return {
        "programme_id": values["programme"].id,
        "home_laboratory_id": values["home_laboratory"].id,
        "host_laboratory_id": values["host_laboratory"].id,
        "title": values["title"],
        "purpose": values["purpose"],
        "start_date": values["start_date"],
        "end_date": values["end_date"],
        "requested_amount": values["requested_amount"],
        "justification": values["justification"],
    }


# Drafts ------------------------------------------------------------------------------------
def create_application(applicant, direction, data, today=None):
    """A new draft of ``applicant``, with its reference and a ``create`` Event."""
    today = today or date.today()
    if not access.signed_in(applicant):
        raise NotAllowed(_l("Sign in to apply."))
    values = _values_from(data, direction)
    problems = application_problems(values, applicant, today)
    if problems:
        raise InvalidValues(_l("Please correct the fields marked."), problems)
    application = Application(
        reference=next_reference(today.year),
        direction=direction,
        applicant_id=applicant.id,
        status="draft",
        version=1,
        **_columns(values),
    )
    db.session.add(application)
    db.session.flush()
    db.session.add(
        Event(application_id=application.id, actor_id=applicant.id, action="create",
              from_status=None, to_status="draft")
    )
    db.session.flush()
    return application


def update_application(application, actor, data, version, today=None):
    """Edit ``application`` (its applicant, in draft or returned, at ``version``)."""
    today = today or date.today()
    access.check_edit(actor, application, "" if version is None else version)
    values = _values_from({**_current_data(application), **data}, application.direction)
    problems = application_problems(values, actor, today)
    if problems:
        raise InvalidValues(_l("Please correct the fields marked."), problems)
    _conditional_update(application, application.status, _columns(values))
    db.session.add(
        Event(application_id=application.id, actor_id=actor.id, action="edit",
              from_status=application.status, to_status=application.status)
    )
    db.session.flush()
    return application


def _current_data(application):
    return {field: getattr(application, field) for field in EDITABLE_FIELDS}


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

    Checks, in SPEC order: who (``NotAllowed``), version and state (``StaleVersion``,
    ``InvalidTransition``), then values (``InvalidValues``: comment, awarded amount, budget,
    and on submit every rule of :func:`application_problems`). Then moves the status with a
    conditional UPDATE, writes one Event and queues the notifications. Returns the Event.
    """
    today = today or date.today()
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise InvalidValues(_l("Unknown action."), {"action": [_l("Unknown action.")]})
    access.check_transition(actor, application, action, version, today)

    comment = (comment or "").strip()
    problems = {}
    if rule.needs_comment and not comment:
        problems["comment"] = [_l("Please explain why in a comment.")]
    elif len(comment) > MAX_COMMENT:
        problems["comment"] = [_l("Use at most %(max)d characters.", max=MAX_COMMENT)]
    columns = {"status": rule.target}
    if action == "submit":
        problems.update(application_problems(_values_of(application), application.applicant,
                                             today, submitting=True))
        columns["submitted_at"] = utcnow()
    if action == "approve":
        amount = _as_amount(awarded_amount)
        amount_problem = _amount_problem(amount)
        if amount_problem is not None:
            problems["awarded_amount"] = [amount_problem]
        elif not problems:
            _check_budget(application, amount)
        columns["awarded_amount"] = amount
    if problems:
        raise InvalidValues(_l("Please correct the fields marked."), problems)

    from_status = application.status
    _conditional_update(application, from_status, columns)
    event = Event(application_id=application.id, actor_id=actor.id, action=action,
                  from_status=from_status, to_status=rule.target, comment=comment)
    db.session.add(event)
    _notify_next(application, action, actor, from_status, comment)
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
                _l("Only %(remaining)s EUR of the programme's budget remain.",
                   remaining=f"{remaining:.2f}")
            ]},
        )


# Who acts next -----------------------------------------------------------------------------
def active_admins():
    return db.session.scalars(
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "admin", User.active.is_(True))
        .order_by(User.id)
    ).all()


def reviewers_of(application):
    """Who endorses ``application``: its reviewing director, or admins when that is them."""
    laboratory = application.reviewing_laboratory
    director = laboratory.director if laboratory is not None else None
    if director is not None and director.id != application.applicant_id and director.active:
        return [director]
    return [admin for admin in active_admins() if admin.id != application.applicant_id]


def _recipients(application, action, from_status):
    applicant = [application.applicant]
    if action == "submit":
        return reviewers_of(application)
    if action == "endorse":
        return [a for a in active_admins() if a.id != application.applicant_id]
    if action == "withdraw":
        if from_status == "submitted":
            return reviewers_of(application)
        if from_status == "endorsed":
            return active_admins()
        return []
    if action == "cancel":
        return applicant + active_admins()
    return applicant  # return, decline, approve, reject, complete


SUBJECTS = {
    "submit": _l("%(reference)s: a request awaits your review"),
    "endorse": _l("%(reference)s: endorsed, awaiting a decision"),
    "return": _l("%(reference)s: returned to you for changes"),
    "decline": _l("%(reference)s: declined by the laboratory"),
    "approve": _l("%(reference)s: approved"),
    "reject": _l("%(reference)s: not approved"),
    "withdraw": _l("%(reference)s: withdrawn by the applicant"),
    "cancel": _l("%(reference)s: cancelled"),
    "complete": _l("%(reference)s: marked as completed"),
}


def _notify_next(application, action, actor, from_status, comment):
    users = [user for user in _recipients(application, action, from_status) if user.id != actor.id]
    if not users:
        return []
    # The outbox is written in the default language, whatever the actor's browser speaks.
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "en")):
        subject = str(SUBJECTS[action]) % {"reference": application.reference}
        body = gettext(
            "%(actor)s: %(action)s on “%(title)s” (%(reference)s), now %(status)s.",
            actor=actor.full_name, action=action, title=application.title,
            reference=application.reference, status=application.status,
        )
        if comment:
            body += "\n\n" + gettext("Comment: %(comment)s", comment=comment)
    return notify(users, subject, body, application)


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
