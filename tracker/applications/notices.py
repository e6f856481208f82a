"""Who is told what when an application moves: the people who act next, and the message.

:func:`notify_next` is called by :func:`tracker.applications.services.transition` for every
transition; it queues the messages in the outbox (:mod:`tracker.notifications`).
"""

import sqlalchemy as sa
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from tracker.applications.models import OPINION_KIND_LABELS, VERDICT_LABELS
from tracker.auth.models import User, UserRole
from tracker.core.numbers import format_amount
from tracker.extensions import db
from tracker.notifications.services import notify, outbox_locale


def active_admins():
    """Every active administrator, in a stable order."""
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


def recipients(application, action, from_status):
    """The people told of ``action`` taken on ``application`` (which was ``from_status``)."""
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


def notify_next(application, action, actor, from_status, comment):
    """Queue the message of ``action`` for everyone it concerns but ``actor``."""
    users = [user for user in recipients(application, action, from_status) if user.id != actor.id]
    if not users:
        return []
    with outbox_locale():
        subject = str(SUBJECTS[action]) % {"reference": application.reference}
        body = gettext(
            "%(actor)s: %(action)s on “%(title)s” (%(reference)s), now %(status)s.",
            actor=actor.full_name, action=action, title=application.title,
            reference=application.reference, status=application.status,
        )
        if action == "approve" and application.awarded_amount is not None:
            # Written as the message's language writes amounts, as the pages do.
            body += "\n\n" + gettext(
                "Amount awarded: %(amount)s",
                amount=format_amount(application.awarded_amount, str(get_locale() or "en")),
            )
        if comment:
            body += "\n\n" + gettext("Comment: %(comment)s", comment=comment)
    return notify(users, subject, body, application)


def notify_opinion(application, opinion, actor):
    """Queue the news of ``opinion`` for who acts next (the reviewers while submitted, the
    admins once endorsed) and for the applicant."""
    if application.status == "submitted":
        users = reviewers_of(application)
    elif application.status == "endorsed":
        users = [admin for admin in active_admins() if admin.id != application.applicant_id]
    else:
        users = []
    users = [user for user in users + [application.applicant] if user.id != actor.id]
    if not users:
        return []
    with outbox_locale():
        subject = gettext("%(reference)s: %(kind)s given", reference=application.reference,
                          kind=str(OPINION_KIND_LABELS[opinion.kind]).lower())
        body = gettext(
            "%(actor)s gave the %(kind)s on “%(title)s” (%(reference)s): %(verdict)s.",
            actor=actor.full_name, kind=str(OPINION_KIND_LABELS[opinion.kind]).lower(),
            title=application.title, reference=application.reference,
            verdict=str(VERDICT_LABELS[opinion.verdict]),
        )
        if opinion.comment:
            body += "\n\n" + gettext("Comment: %(comment)s", comment=opinion.comment)
    return notify(users, subject, body, application)
