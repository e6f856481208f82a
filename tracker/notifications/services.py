"""Queueing messages in the outbox. Delivery is a separate step (``send-notifications``)."""

from flask import current_app
from flask_babel import force_locale

from tracker.core.cache import TTLCache
from tracker.extensions import db
from tracker.jobs.services import start_job_after_commit
from tracker.notifications.models import Notification

# Each user's unread count, shown on every page: kept a while rather than counted on each,
# and forgotten as soon as a transaction that queues or reads one of theirs commits.
unread_cache = TTLCache("notifications.unread")


def unread_changed(user_id):
    """Note that ``user_id``'s unread count changes in this transaction: their kept count
    is forgotten when it commits."""
    unread_cache.forget_after_commit(user_id)


def recipient_locale(user):
    """The language ``user`` reads their messages in: the one they chose, else the default.

    Never the language of whoever triggers the message (the actor's browser is not the
    recipient's, and command-line runs have no browser at all)."""
    languages = current_app.config.get("LANGUAGES") or ()
    if user is not None and getattr(user, "locale", None) in languages:
        return user.locale
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def notify(users, compose, application=None):
    """Queue one message per distinct user, each in that user's language.

    ``compose()`` returns ``(subject, body)``; it is called inside ``force_locale`` of each
    language needed (once per language), so every ``gettext`` in it speaks the recipient's
    language. The text is stored as written then: the outbox delivers it as it is. The
    caller's transaction commits the messages.
    """
    seen = set()
    queued = []
    written = {}
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        locale = recipient_locale(user)
        if locale not in written:
            with force_locale(locale):
                subject, body = compose()
                written[locale] = str(subject), str(body)
        subject, body = written[locale]
        notification = Notification(
            user_id=user.id,
            application_id=application.id if application is not None else None,
            subject=subject[:200],
            body=body,
        )
        db.session.add(notification)
        unread_changed(user.id)
        queued.append(notification)
    if queued:
        # With a job queue the outbox is delivered as soon as the messages are committed;
        # without one, by the send-notifications command (cron).
        start_job_after_commit("notifications", "tracker.notifications.delivery:delivery_job")
    return queued
