"""Giving, cancelling and announcing delegations (stand-ins).

The web page, the API and the command line call these functions; they flush, never commit.
Who may give or cancel is asked of :mod:`tracker.access` (403), the state of a delegation
decides what a cancel does (409 once it has ended), the values are checked here (422, each
field with its message). Every write of a delegation is in :func:`give_delegation`,
:func:`cancel_delegation` and :func:`announce_started`.
"""

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from tracker import access
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.core.dates import format_day
from tracker.core.errors import Conflict, InvalidValues, NotAllowed
from tracker.core.language import reader_locale
from tracker.core.models import utcnow
from tracker.delegations.models import Delegation
from tracker.extensions import db
from tracker.notifications.services import notify

# A stand-in covers an absence, not a change of director: at most a year, counted inclusive.
MAX_DAYS = 366
# The lists show ended delegations this long after their last day; older ones are history.
RECENT_DAYS = 90


def delegation_problems(delegator, delegate, starts_on, ends_on, today):
    """``{field: [messages]}`` of what is wrong with a delegation's values (empty: none).

    ``delegate`` is the User named, or None when nobody (or nobody known) was named.
    """
    problems = {}
    if delegate is None:
        problems["delegate_id"] = [_l("Choose the person who stands in for you.")]
    elif delegate.id == delegator.id:
        problems["delegate_id"] = [_l("You cannot stand in for yourself: choose someone else.")]
    elif not delegate.is_active:
        problems["delegate_id"] = [_l("This person's account is not active: choose someone "
                                      "who can sign in.")]
    if starts_on is None:
        problems["starts_on"] = [_l("Give the first day.")]
    elif starts_on < today:
        problems["starts_on"] = [_l("A delegation cannot start in the past: start today or "
                                    "later.")]
    if ends_on is None:
        problems["ends_on"] = [_l("Give the last day.")]
    elif starts_on is not None:
        if ends_on < starts_on:
            problems["ends_on"] = [_l("The last day comes before the first.")]
        elif (ends_on - starts_on).days + 1 > MAX_DAYS:
            problems["ends_on"] = [_l("A delegation lasts at most %(days)s days.",
                                      days=MAX_DAYS)]
    return problems


def _overlapping(delegator, starts_on, ends_on):
    """The delegator's delegation (not cancelled) that shares a day with the period, if any."""
    return db.session.scalars(
        sa.select(Delegation)
        .where(
            Delegation.delegator_id == delegator.id,
            Delegation.cancelled_at.is_(None),
            Delegation.starts_on <= ends_on,
            Delegation.ends_on >= starts_on,
        )
        .order_by(Delegation.starts_on)
        .limit(1)
    ).first()


def give_delegation(delegator, delegate_id, starts_on, ends_on, today=None):
    """``delegator`` names the person ``delegate_id`` as stand-in from ``starts_on`` to
    ``ends_on`` (included). One that starts today is announced at once.

    Raises :class:`NotAllowed` (403) unless the delegator is a director or an admin, and
    :class:`InvalidValues` (422) for the values, an overlap with another of their
    delegations included. Returns the Delegation.
    """
    today = today or date.today()
    if not access.may_give_delegation(delegator):
        raise NotAllowed(_l("Only laboratory directors and administrators name stand-ins."))
    delegate = None
    if isinstance(delegate_id, int) and not isinstance(delegate_id, bool):
        delegate = db.session.get(User, delegate_id)
    problems = delegation_problems(delegator, delegate, starts_on, ends_on, today)
    if not problems:
        # Lock the delegator's row (PostgreSQL; SQLite has one writer anyway): two gives
        # at the same moment are checked for overlaps one after the other.
        db.session.execute(
            sa.select(User.id).where(User.id == delegator.id).with_for_update()
        )
        other = _overlapping(delegator, starts_on, ends_on)
        if other is not None:
            locale = reader_locale()
            problems["starts_on"] = [_l(
                "This period overlaps your delegation to %(name)s from %(start)s to %(end)s: "
                "cancel it or choose other days.",
                name=other.delegate.full_name, start=format_day(other.starts_on, locale),
                end=format_day(other.ends_on, locale),
            )]
    if problems:
        raise InvalidValues(_l("Please correct the fields marked."), problems)
    delegation = Delegation(delegator_id=delegator.id, delegate_id=delegate.id,
                            starts_on=starts_on, ends_on=ends_on, created_by_id=delegator.id)
    db.session.add(delegation)
    db.session.flush()
    audit.record(delegator, "create", "delegation", delegation, None,
                 audit.snapshot("delegation", delegation), label=_label(delegation))
    access.forget_delegators(delegate.id)
    if starts_on <= today:
        _announce(delegation)
    return delegation


def cancel_delegation(delegation, actor, today=None):
    """``actor`` (the delegator) cancels ``delegation``.

    One that has not started is deleted (nothing happened under it); one in progress ends
    today and is marked cancelled, which ends the stand-in's rights at once. One that has
    ended, or was cancelled, cannot be (409). Returns the delegation, or None once deleted.
    """
    today = today or date.today()
    if not access.gave_delegation(actor, delegation):
        raise NotAllowed(_l("Only the person who named the stand-in cancels the delegation."))
    if not access.can_cancel_delegation(actor, delegation, today):
        raise Conflict(_l("This delegation has already ended."), code="delegation_ended")
    access.forget_delegators(delegation.delegate_id)
    before = audit.snapshot("delegation", delegation)
    if delegation.starts_on > today:
        audit.record(actor, "delete", "delegation", delegation, before, None,
                     label=_label(delegation))
        db.session.delete(delegation)
        db.session.flush()
        return None
    delegation.ends_on = today
    delegation.cancelled_at = utcnow()
    db.session.flush()
    audit.record(actor, "update", "delegation", delegation, before,
                 audit.snapshot("delegation", delegation), label=_label(delegation))
    return delegation


def _label(delegation):
    """How the audit names a delegation: who stands in for whom (names kept after a
    deletion or a change of name)."""
    return f"{delegation.delegate.full_name} → {delegation.delegator.full_name}"


def given_delegations(user, today=None):
    """``user``'s delegations to others: those not ended, the soonest first, then the recent
    ended and cancelled ones, latest first."""
    return _listed(access.own_delegations(user).where(Delegation.delegator_id == user.id),
                   today)


def received_delegations(user, today=None):
    """The delegations that name ``user`` as stand-in, in the same order."""
    return _listed(access.own_delegations(user).where(Delegation.delegate_id == user.id),
                   today)


def _listed(query, today):
    """Those not ended (soonest first), then those that ended in the last ``RECENT_DAYS``
    days (latest first): older ones are history, kept but not listed."""
    today = today or date.today()
    rows = db.session.scalars(
        query.where(Delegation.ends_on >= today - timedelta(days=RECENT_DAYS))
        .options(selectinload(Delegation.delegator),
                 selectinload(Delegation.delegate))
        .order_by(Delegation.starts_on, Delegation.id)
    ).all()
    current = [row for row in rows if row.cancelled_at is None and row.ends_on >= today]
    past = [row for row in rows if row not in current]
    past.sort(key=lambda row: (row.ends_on, row.id), reverse=True)
    return current + past


# Announcing the start ----------------------------------------------------------------------
def _announce(delegation):
    """Tell the delegator and the stand-in that ``delegation`` runs, once: the conditional
    UPDATE lets exactly one caller mark it, and only that caller queues the messages."""
    marked = db.session.execute(
        sa.update(Delegation)
        .where(Delegation.id == delegation.id, Delegation.notified_at.is_(None))
        .values(notified_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if marked != 1:
        return False
    db.session.refresh(delegation, ["notified_at"])
    delegator, delegate = delegation.delegator, delegation.delegate

    def to_delegate():
        subject = gettext("You stand in for %(name)s", name=delegator.full_name)
        body = gettext(
            "From today until %(end)s you stand in for %(name)s: their review queues are "
            "yours as well, and what you do there is recorded as done by you for them. You "
            "never act on your own applications.",
            end=format_day(delegation.ends_on, reader_locale()), name=delegator.full_name,
        )
        return subject, body

    def to_delegator():
        subject = gettext("%(name)s stands in for you", name=delegate.full_name)
        body = gettext(
            "From today until %(end)s %(name)s stands in for you and may take your review "
            "actions. You can end the delegation early from the stand-ins page.",
            end=format_day(delegation.ends_on, reader_locale()), name=delegate.full_name,
        )
        return subject, body

    notify([delegate], to_delegate)
    notify([delegator], to_delegator)
    return True


def announce_started(today=None):
    """Announce every delegation running ``today`` that was not announced yet; run daily.

    Idempotent: a second run the same day (or a run concurrent with a give) sends nothing
    new. Returns how many delegations were announced; the caller commits.
    """
    today = today or date.today()
    waiting = db.session.scalars(
        sa.select(Delegation)
        .where(Delegation.runs_on(today), Delegation.notified_at.is_(None))
        .options(selectinload(Delegation.delegator),
                 selectinload(Delegation.delegate))
        .order_by(Delegation.id)
    ).all()
    return sum(1 for delegation in waiting if _announce(delegation))
