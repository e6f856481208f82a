"""Queueing messages in the outbox. Delivery is a separate step (``send-notifications``)."""

from flask import current_app
from flask_babel import force_locale

from tracker.extensions import db
from tracker.notifications.models import Notification


def outbox_locale():
    """The language messages are written in: the default one, whoever triggers them (the
    actor's browser is not the recipient's, and CLI runs have no browser at all)."""
    return force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))


def notify(users, subject, body, application=None):
    """Queue one message per distinct user; the caller's transaction commits them."""
    seen = set()
    queued = []
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        notification = Notification(
            user_id=user.id,
            application_id=application.id if application is not None else None,
            subject=str(subject)[:200],
            body=str(body),
        )
        db.session.add(notification)
        queued.append(notification)
    return queued
