"""Reminders of who must act, sent once a day by ``flask --app tracker send-reminders``.

Who must act next, and since when, is :func:`tracker.access.waiting_on_many` and the
application's ``waiting_since``. The waits are counted in working days (Monday to Friday):

- ``reminder``: each person waited on, once the wait reaches ``REMINDER_DAYS``, and again
  every ``REMINDER_DAYS`` while it lasts. A draft is its author's own business: no reminder
  until it has been submitted (a returned request is reminded of);
- ``escalation``: the active admins (not the applicant, and not those already reminded as
  the ones waited on) once the wait reaches ``ESCALATION_DAYS``, and again every
  ``ESCALATION_DAYS``;
- ``requirements``: the applicant of an approved stay starting within
  ``REQUIREMENTS_REMINDER_DAYS`` calendar days whose requirements are not all met, once.

Every reminder sent is a :class:`~tracker.notifications.models.Reminder` row, unique per
application, person, kind and day, inserted if absent: only the run whose insert took the row
queues the message, so a second run on the same day, even at the same moment, sends nothing
new. The messages go through the outbox (:func:`notify`), in each recipient's language, and
name the request, how long it has waited and the one link to act.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext, ngettext
from sqlalchemy.dialects import postgresql, sqlite

from tracker import access
from tracker.applications.models import Application
from tracker.applications.requirements import requirements_of
from tracker.core.dates import format_day, local_day, working_days_between
from tracker.core.urls import external_url
from tracker.extensions import db
from tracker.notifications.models import Reminder
from tracker.notifications.services import notify

# Reminded of while waited on: returned (the applicant), submitted and endorsed.
# "approved": only while a change asked to it is open (the workflow clears the wait otherwise).
REMINDED_STATUSES = ("returned", "submitted", "endorsed", "approved")
# Applications whose waits are worked out together (one waiting_on_many call each).
CHUNK = 500


@dataclass
class Due:
    """A reminder to send: ``kind`` about ``application`` to ``users``."""

    application: Application
    kind: str
    users: list
    waited: int = 0
    waiting_on: list = field(default_factory=list)
    unmet: list = field(default_factory=list)


def _last_sent(application_ids, kinds):
    """``{(application id, user id, kind): the last day a reminder was sent}``."""
    if not application_ids:
        return {}
    rows = db.session.execute(
        sa.select(Reminder.application_id, Reminder.user_id, Reminder.kind,
                  sa.func.max(Reminder.sent_on))
        .where(Reminder.application_id.in_(application_ids), Reminder.kind.in_(kinds))
        .group_by(Reminder.application_id, Reminder.user_id, Reminder.kind)
    )
    return {(app_id, user_id, kind): sent_on for app_id, user_id, kind, sent_on in rows}


def _is_due(last, since_day, today, every):
    """Due when nothing was sent in this wait (since ``since_day``), or ``every`` working
    days have passed since the last one; never twice on the same day."""
    if last is None or last < since_day:
        return True
    return last != today and working_days_between(last, today) >= every


def waiting_reminders(today):
    """The reminders and escalations due ``today`` (a list of :class:`Due`)."""
    config = current_app.config
    every, escalate_after = config["REMINDER_DAYS"], config["ESCALATION_DAYS"]
    ids = db.session.scalars(
        sa.select(Application.id)
        .where(Application.status.in_(REMINDED_STATUSES), Application.waiting_since.is_not(None))
        .order_by(Application.id)
    ).all()
    due = []
    admins = None
    for start in range(0, len(ids), CHUNK):
        applications = db.session.scalars(
            sa.select(Application).where(Application.id.in_(ids[start:start + CHUNK]))
            .order_by(Application.id)
        ).all()
        waited = {a.id: working_days_between(local_day(a.waiting_since), today)
                  for a in applications}
        applications = [a for a in applications if waited[a.id] >= every]
        if not applications:
            continue
        waiting = access.waiting_on_many(applications)
        last_sent = _last_sent([a.id for a in applications], ("reminder", "escalation"))
        for application in applications:
            since_day = local_day(application.waiting_since)
            days = waited[application.id]
            users = waiting[application.id]
            if not users:
                continue  # waits on nobody (an approved stay with no change open)
            reminded = [user for user in users if _is_due(
                last_sent.get((application.id, user.id, "reminder")), since_day, today, every)]
            if reminded:
                due.append(Due(application, "reminder", reminded, days, users))
            if days < escalate_after:
                continue
            if admins is None:
                admins = access.active_users_with_role("admin")
            waited_on = {user.id for user in users}
            escalated = [
                admin for admin in admins
                if admin.id != application.applicant_id and admin.id not in waited_on
                and _is_due(last_sent.get((application.id, admin.id, "escalation")),
                            since_day, today, escalate_after)
            ]
            if escalated:
                due.append(Due(application, "escalation", escalated, days, users))
    return due


def requirement_reminders(today):
    """The applicants of approved stays starting soon with unmet requirements (once each)."""
    horizon = today + timedelta(days=current_app.config["REQUIREMENTS_REMINDER_DAYS"])
    applications = db.session.scalars(
        sa.select(Application)
        .where(Application.status == "approved",
               Application.start_date >= today, Application.start_date <= horizon)
        .order_by(Application.id)
    ).all()
    already = _last_sent([a.id for a in applications], ("requirements",))
    due = []
    for application in applications:
        if (application.id, application.applicant_id, "requirements") in already:
            continue
        unmet = [requirement for requirement in requirements_of(application)
                 if not requirement.met]
        if unmet:
            due.append(Due(application, "requirements", [application.applicant],
                           unmet=unmet))
    return due


def _claim(application_id, user_id, kind, today):
    """Insert the reminder row if absent; True when this call inserted it."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Reminder)
        .values(application_id=application_id, user_id=user_id, kind=kind, sent_on=today)
        .on_conflict_do_nothing(
            index_elements=["application_id", "user_id", "kind", "sent_on"])
        .returning(Reminder.id)
    )
    return db.session.execute(statement).scalar() is not None


def _waited_text(days):
    return ngettext("%(num)d working day", "%(num)d working days", days)


def _compose(due, link):
    """The ``compose()`` of :func:`notify` for ``due``: called in each recipient's language."""
    application = due.application
    values = {"reference": application.reference, "title": application.title, "link": link}

    def compose():
        if due.kind == "requirements":
            subject = gettext("%(reference)s: requirements to meet before your stay", **values)
            body = gettext(
                "Your stay %(reference)s “%(title)s” starts on %(start)s and some of its "
                "requirements are not met yet: %(requirements)s.",
                start=format_day(application.start_date),
                requirements="; ".join(str(requirement.name) for requirement in due.unmet),
                **values)
            body += "\n\n" + gettext("See them and act here: %(link)s", link=link)
            return subject, body
        since = format_day(application.waiting_since)
        waited = _waited_text(due.waited)
        if due.kind == "reminder":
            subject = gettext("%(reference)s is waiting on you", **values)
            body = gettext(
                "The request %(reference)s “%(title)s” has been waiting on you since "
                "%(since)s, %(waited)s.", since=since, waited=waited, **values)
        else:
            names = ", ".join(user.full_name for user in due.waiting_on) or gettext("nobody")
            subject = gettext("%(reference)s has been waiting for %(waited)s",
                              waited=waited, **values)
            body = gettext(
                "The request %(reference)s “%(title)s” has been waiting on %(names)s since "
                "%(since)s, %(waited)s.", names=names, since=since, waited=waited,
                **values)
        body += "\n\n" + gettext("Act on it here: %(link)s", link=link)
        return subject, body

    return compose


def send_reminders(today=None, dry_run=False):
    """Queue the reminders due ``today`` (by default, today in the organisation's time zone);
    returns ``{kind: number of messages}``.

    Commits after each application, so that a second run waiting on one of our rows waits
    for little. ``dry_run`` counts what would be sent and writes nothing.
    """
    today = today or local_day(datetime.now(timezone.utc))
    counts = {"reminder": 0, "escalation": 0, "requirements": 0}
    for due in waiting_reminders(today) + requirement_reminders(today):
        if dry_run:
            counts[due.kind] += len(due.users)
            continue
        taken = [user for user in due.users
                 if _claim(due.application.id, user.id, due.kind, today)]
        if taken:
            link = external_url("applications.show", application_id=due.application.id)
            notify(taken, _compose(due, link), due.application)
            counts[due.kind] += len(taken)
        db.session.commit()
    return counts


def reminders_job(progress, owner=None, day=None):
    """A background job's work (``send-reminders --background``): :func:`send_reminders`
    for ``day`` (ISO), and a sentence of the counts."""
    counts = send_reminders(date.fromisoformat(day) if day else None)
    progress(sum(counts.values()), sum(counts.values()))
    return (f"{counts['reminder']} reminders, {counts['escalation']} escalations, "
            f"{counts['requirements']} about unmet requirements.")
