"""Who is told what when an application moves: the people who act next, and the message.

:func:`notify_next` is called by :func:`tracker.applications.services.transition` for every
transition; it queues the messages in the outbox (:mod:`tracker.notifications`).
"""

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from tracker import access
from tracker.applications.models import OPINION_KIND_LABELS, VERDICT_LABELS
from tracker.auth.models import User, UserRole
from tracker.core.language import reader_locale
from tracker.core.numbers import format_amount
from tracker.extensions import db
from tracker.notifications.services import notify


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


def with_stand_ins(people, application):
    """``people`` and, after them, whoever stands in for one of them today (never the
    applicant): a request that arrives during a delegation reaches the stand-in too."""
    stand_ins = access.stand_ins_for(people)
    told = list(people)
    seen = {person.id for person in told} | {application.applicant_id}
    for person in people:
        for stand_in in stand_ins.get(person.id, []):
            if stand_in.id not in seen:
                seen.add(stand_in.id)
                told.append(stand_in)
    return told


def recipients(application, action, from_status):
    """The people told of ``action`` taken on ``application`` (which was ``from_status``)."""
    applicant = [application.applicant]
    if action == "submit":
        return with_stand_ins(reviewers_of(application), application)
    if action == "endorse":
        return with_stand_ins(
            [a for a in active_admins() if a.id != application.applicant_id], application)
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


# What happened, as a sentence to the people told (who act next, or the applicant). The
# applicant alone is told of return, decline, approve, reject and complete: "your".
BODIES = {
    "submit": _l("%(actor)s submitted the application %(reference)s “%(title)s”, "
                 "which awaits your review."),
    "endorse": _l("%(actor)s endorsed the application %(reference)s “%(title)s”, "
                  "which awaits a decision."),
    "return": _l("%(actor)s returned your application %(reference)s “%(title)s” "
                 "for changes."),
    "decline": _l("%(actor)s declined your application %(reference)s “%(title)s”."),
    "approve": _l("%(actor)s approved your application %(reference)s “%(title)s”."),
    "reject": _l("%(actor)s did not approve your application %(reference)s “%(title)s”."),
    "withdraw": _l("%(actor)s withdrew the application %(reference)s “%(title)s”."),
    "cancel": _l("%(actor)s cancelled the application %(reference)s “%(title)s”."),
    "complete": _l("%(actor)s marked your application %(reference)s “%(title)s” "
                   "as completed."),
}
APPROVED_WITH_AMOUNT = _l("%(actor)s approved your application %(reference)s “%(title)s”: "
                          "%(amount)s awarded.")


def message_body(application, action, actor, comment):
    """The sentence telling what ``actor`` did, in the current (recipient's) language, with the
    awarded amount when an approval sets one, and the comment when there is one."""
    values = {"actor": actor.full_name, "reference": application.reference,
              "title": application.title}
    if action == "approve" and application.awarded_amount is not None:
        values["amount"] = format_amount(application.awarded_amount, reader_locale())
        body = str(APPROVED_WITH_AMOUNT) % values
    else:
        body = str(BODIES[action]) % values
    if comment:
        body += "\n\n" + gettext("Comment: %(comment)s", comment=comment)
    return body


def notify_next(application, action, actor, from_status, comment):
    """Queue the message of ``action`` for everyone it concerns but ``actor``."""
    users = [user for user in recipients(application, action, from_status) if user.id != actor.id]
    if not users:
        return []

    def compose():
        subject = str(SUBJECTS[action]) % {"reference": application.reference}
        return subject, message_body(application, action, actor, comment)

    return notify(users, compose, application)


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

    def compose():
        kind = str(OPINION_KIND_LABELS[opinion.kind]).lower()
        subject = gettext("%(reference)s: %(kind)s given", reference=application.reference,
                          kind=kind)
        body = gettext(
            "%(actor)s gave the %(kind)s on “%(title)s” (%(reference)s): %(verdict)s.",
            actor=actor.full_name, kind=kind, title=application.title,
            reference=application.reference, verdict=str(VERDICT_LABELS[opinion.verdict]),
        )
        if opinion.comment:
            body += "\n\n" + gettext("Comment: %(comment)s", comment=opinion.comment)
        return subject, body

    return notify(users, compose, application)


# Amendments ---------------------------------------------------------------------------------
AMENDMENT_SUBJECTS = {
    "ask": _l("%(reference)s: a change awaits your review"),
    "endorse": _l("%(reference)s: a change endorsed, awaiting a decision"),
    "return": _l("%(reference)s: the change you asked is returned for changes"),
    "approve": _l("%(reference)s: the change you asked is approved"),
    "reject": _l("%(reference)s: the change you asked is not approved"),
    "withdraw": _l("%(reference)s: a change withdrawn"),
}
AMENDMENT_BODIES = {
    "ask": _l("%(actor)s asked a change to the approved application %(reference)s "
              "“%(title)s”, which awaits your review."),
    "endorse": _l("%(actor)s endorsed a change to the application %(reference)s "
                  "“%(title)s”, which awaits a decision."),
    "return": _l("%(actor)s returned the change asked to %(reference)s “%(title)s” "
                 "for changes."),
    "approve": _l("%(actor)s approved the change asked to %(reference)s “%(title)s”: "
                  "the application now holds the new values."),
    "reject": _l("%(actor)s did not approve the change asked to %(reference)s "
                 "“%(title)s”."),
    "withdraw": _l("%(actor)s withdrew the change asked to %(reference)s “%(title)s”."),
}


def amendment_recipients(application, action, from_status, requester=None):
    """The people told of ``action`` on an amendment of ``application``: who acts next, or
    the applicant (and an admin who asked for them) on a decision."""
    if action == "ask":
        return reviewers_of(application)
    if action == "endorse":
        return [admin for admin in active_admins() if admin.id != application.applicant_id]
    if action == "withdraw":
        if from_status == "submitted":
            return reviewers_of(application)
        if from_status == "endorsed":
            return active_admins()
        return []
    told = [application.applicant]
    if requester is not None and requester.id != application.applicant_id:
        told.append(requester)
    return told  # return, approve, reject


def notify_amendment(application, action, actor, from_status, comment, requester=None):
    """Queue the message of ``action`` on an amendment for everyone it concerns but
    ``actor``, each in their own language."""
    users = [user for user in amendment_recipients(application, action, from_status, requester)
             if user.id != actor.id]
    if not users:
        return []

    def compose():
        values = {"actor": actor.full_name, "reference": application.reference,
                  "title": application.title}
        subject = str(AMENDMENT_SUBJECTS[action]) % {"reference": application.reference}
        body = str(AMENDMENT_BODIES[action]) % values
        if comment:
            body += "\n\n" + gettext("Comment: %(comment)s", comment=comment)
        return subject, body

    return notify(users, compose, application)
