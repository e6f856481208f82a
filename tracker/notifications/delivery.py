"""Delivering the outbox: SMTP when ``MAIL_SERVER`` is set, the log otherwise.

A run claims a batch of due messages with one conditional UPDATE (and ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL), so two senders running at once never take the same row. A claim is
a lease: it sets ``next_attempt_at`` a little ahead, so a sender that dies mid-batch only
delays its messages. A failed message is kept, with its error and a later attempt time
(exponential backoff); a message is marked sent only once the server has accepted it.

Delivery gives up on a message (``failed_at``) at once when the refusal is permanent (the
server refuses the address or the message with a 5xx code, or cannot carry a non-ASCII
address), and after ``MAX_ATTEMPTS`` failures of any other kind. Admins see those messages
on the "Undelivered messages" page and may send them again.
"""

import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import sqlalchemy as sa
from flask import current_app

from tracker.core.models import utcnow
from tracker.extensions import db
from tracker.notifications.models import Notification

BATCH_SIZE = 50
LEASE = timedelta(minutes=15)
MAX_BACKOFF = timedelta(hours=6)
SMTP_TIMEOUT = 30
# With the backoff below, ten attempts span about eight and a half hours.
MAX_ATTEMPTS = 10


def backoff(attempts):
    """Wait after the ``attempts``-th failure: 1, 2, 4 ... minutes, at most 6 hours."""
    exponent = min(max(attempts - 1, 0), 20)  # 2**20 minutes is far beyond the cap already
    return min(timedelta(minutes=2**exponent), MAX_BACKOFF)


def is_permanent(error):
    """True when sending ``error``'s message again cannot succeed.

    A refusal of the sender or of the credentials is the server's configuration, not the
    message's fault: those stay temporary, so fixing the configuration delivers everything.
    """
    if isinstance(error, (smtplib.SMTPNotSupportedError, UnicodeError)):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def _due(now):
    return sa.and_(
        Notification.sent_at.is_(None),
        Notification.failed_at.is_(None),
        sa.or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
    )


def claim_batch(limit, now=None):
    """Take up to ``limit`` due notifications for this sender; commits the claim."""
    now = now or utcnow()
    candidates = db.session.scalars(
        sa.select(Notification.id)
        .where(_due(now))
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers anyway
    ).all()
    if not candidates:
        db.session.commit()
        return []
    # The condition is checked again by the UPDATE: a row another sender took is skipped.
    claimed = db.session.scalars(
        sa.update(Notification)
        .where(Notification.id.in_(candidates), _due(now))
        .values(next_attempt_at=now + LEASE)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(claimed)


def build_message(notification, sender):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notification.user.email
    # Header values may not hold line breaks; a subject is one line.
    message["Subject"] = " ".join(notification.subject.split())
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(notification.body)
    return message


class SMTPMailer:
    """One SMTP connection for a batch, opened on first use and again after an error."""

    def __init__(self, config):
        self.config = config
        self.connection = None

    def _connect(self):
        config = self.config
        connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"],
                                  timeout=SMTP_TIMEOUT)
        try:
            if config.get("MAIL_USE_TLS"):
                connection.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        except Exception:
            connection.close()
            raise
        return connection

    def send(self, message):
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise  # the connection is still good for the next message
        except Exception:
            self.close()
            raise

    def close(self):
        if self.connection is not None:
            try:
                self.connection.quit()
            except Exception:
                self.connection.close()
            self.connection = None


class LogMailer:
    """Without ``MAIL_SERVER``: messages go to the application log."""

    def send(self, message):
        current_app.logger.info(
            "Notification to %s: %s\n%s", message["To"], message["Subject"], message.get_content()
        )

    def close(self):
        pass


def deliver_pending(limit=500, batch_size=BATCH_SIZE):
    """Deliver up to ``limit`` due notifications.

    Returns the counts ``{"sent": n, "failed": n, "gave_up": n, "skipped": n}`` (failed: to
    be tried again; gave up: not to be tried again; skipped: deleted or already sent by the
    time this sender got to it).
    """
    config = current_app.config
    mailer = SMTPMailer(config) if config.get("MAIL_SERVER") else LogMailer()
    sender = config.get("MAIL_DEFAULT_SENDER") or "mobility@localhost"
    counts = {"sent": 0, "failed": 0, "gave_up": 0, "skipped": 0}
    try:
        while sum(counts.values()) < limit:
            size = min(batch_size, limit - sum(counts.values()))
            claimed = claim_batch(size)
            if not claimed:
                break
            for notification_id in claimed:
                outcome = _deliver_one(notification_id, mailer, sender)
                counts[outcome] += 1
    finally:
        mailer.close()
    return counts


def _deliver_one(notification_id, mailer, sender):
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.sent_at is not None:
        db.session.rollback()
        return "skipped"
    try:
        mailer.send(build_message(notification, sender))
    except Exception as error:  # one message failing must not stop the others
        notification.attempts += 1
        notification.last_error = f"{type(error).__name__}: {error}"[:2000]
        if is_permanent(error) or notification.attempts >= MAX_ATTEMPTS:
            notification.failed_at = utcnow()
            notification.next_attempt_at = None
            outcome = "gave_up"
        else:
            notification.next_attempt_at = utcnow() + backoff(notification.attempts)
            outcome = "failed"
        db.session.commit()
        current_app.logger.warning(
            "Notification %s not delivered (attempt %s%s): %s",
            notification_id, notification.attempts,
            ", given up" if outcome == "gave_up" else "", notification.last_error,
        )
        return outcome
    notification.sent_at = utcnow()
    notification.next_attempt_at = None
    notification.last_error = ""
    db.session.commit()
    return "sent"


def delivery_job(progress, owner=None, limit=500):
    """A background job's work (``tracker.jobs``): deliver the due messages; a sentence
    of the counts."""
    counts = deliver_pending(limit=limit)
    progress(sum(counts.values()), sum(counts.values()))
    return (f"{counts['sent']} sent, {counts['failed']} failed, {counts['gave_up']} given up, "
            f"{counts['skipped']} skipped.")
