"""Delivering the outbox through a real SMTP server, and what happens when it fails."""

import logging
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import sqlalchemy as sa

from tracker.core.models import utcnow
from tracker.notifications.delivery import backoff, claim_batch, deliver_pending
from tracker.notifications.models import Notification
from tracker.notifications.services import notify


def reload(db, notification):
    db.session.expire_all()
    return db.session.get(Notification, notification.id)


def subject_of(envelope):
    message = message_from_bytes(envelope.content)
    return str(make_header(decode_header(message["Subject"])))


def test_backoff_doubles_from_one_minute_up_to_six_hours():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(9) == timedelta(minutes=256)
    assert backoff(10) == backoff(50) == timedelta(hours=6)


def test_the_command_delivers_through_smtp(app, db, make, smtp_server):
    user = make.user(email="ada@example.org")
    application = make.application(applicant=user)
    [notification] = notify([user, user], lambda: ("Application submitted — é", "Body text."),
                            application)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["send-notifications"])

    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed" in result.output
    [envelope] = smtp_server.messages
    assert envelope.rcpt_tos == ["ada@example.org"]
    assert envelope.mail_from == "mobility@example.org"
    assert subject_of(envelope) == "Application submitted — é"
    assert "Body text." in message_from_bytes(envelope.content).get_payload(decode=True).decode()
    delivered = reload(db, notification)
    assert delivered.sent_at is not None and delivered.attempts == 0
    assert delivered.next_attempt_at is None

    again = app.test_cli_runner().invoke(args=["send-notifications"])
    assert "0 sent, 0 failed" in again.output
    assert len(smtp_server.messages) == 1


def test_unreachable_server_keeps_the_message_for_a_later_attempt(app, db, make, dead_smtp,
                                                                   monkeypatch):
    user = make.user(email="grace@example.org")
    notification = make.notification(user, subject="Endorsed")
    before = utcnow()

    assert deliver_pending() == {"sent": 0, "failed": 1, "gave_up": 0, "skipped": 0}

    failed = reload(db, notification)
    assert failed.sent_at is None
    assert failed.attempts == 1
    assert "ConnectionRefusedError" in failed.last_error
    assert before + timedelta(seconds=50) < failed.next_attempt_at
    assert failed.next_attempt_at < utcnow() + timedelta(minutes=2)

    # Not due yet: a run now leaves it alone.
    assert deliver_pending() == {"sent": 0, "failed": 0, "gave_up": 0, "skipped": 0}
    assert reload(db, notification).attempts == 1


def test_failed_message_is_delivered_on_a_later_run(app, db, make, smtp_server):
    user = make.user(email="grace@example.org")
    notification = make.notification(user, subject="Returned")
    smtp_server.refuse_data = "451 4.3.0 Try again later"

    assert deliver_pending()["failed"] == 1
    failed = reload(db, notification)
    assert failed.attempts == 1 and failed.sent_at is None
    assert "451" in failed.last_error
    assert smtp_server.messages == []

    # The second failure waits twice as long.
    failed.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert deliver_pending()["failed"] == 1
    failed = reload(db, notification)
    assert failed.attempts == 2
    assert failed.next_attempt_at > utcnow() + timedelta(seconds=110)

    # Time passes, the server accepts again.
    smtp_server.refuse_data = False
    failed.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert deliver_pending() == {"sent": 1, "failed": 0, "gave_up": 0, "skipped": 0}
    delivered = reload(db, notification)
    assert delivered.sent_at is not None and delivered.attempts == 2
    assert [subject_of(envelope) for envelope in smtp_server.messages] == ["Returned"]


def test_one_refused_recipient_does_not_stop_the_others(app, db, make, smtp_server):
    users = [make.user(email=f"person{n}@example.org") for n in range(3)]
    notifications = [make.notification(user, subject=f"Message {n}")
                     for n, user in enumerate(users)]
    smtp_server.refused.add("person1@example.org")

    assert deliver_pending() == {"sent": 2, "failed": 0, "gave_up": 1, "skipped": 0}

    states = [reload(db, notification) for notification in notifications]
    assert [n.sent_at is not None for n in states] == [True, False, True]
    assert states[1].attempts == 1 and "SMTPRecipientsRefused" in states[1].last_error
    # "550 Mailbox unavailable" is permanent: not tried again.
    assert states[1].failed_at is not None and states[1].next_attempt_at is None
    assert sorted(e.rcpt_tos[0] for e in smtp_server.messages) == [
        "person0@example.org", "person2@example.org"
    ]


def test_a_batch_limit_is_respected(app, db, make, smtp_server):
    user = make.user()
    for n in range(5):
        make.notification(user, subject=f"Message {n}")
    assert deliver_pending(limit=3, batch_size=2)["sent"] == 3
    assert deliver_pending(limit=3, batch_size=2)["sent"] == 2
    assert len(smtp_server.messages) == 5


def test_without_mail_server_messages_are_logged_and_marked_sent(app, db, make, caplog,
                                                                 monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    user = make.user(email="logged@example.org")
    notification = make.notification(user, subject="Approved", body="Your stay is approved.")
    caplog.set_level(logging.INFO, logger=app.logger.name)

    result = app.test_cli_runner().invoke(args=["send-notifications"])

    assert "1 sent" in result.output
    assert "logged@example.org" in caplog.text and "Approved" in caplog.text
    assert reload(db, notification).sent_at is not None


def test_a_claimed_row_is_not_taken_by_a_second_sender_until_its_lease_ends(db, make):
    user = make.user()
    first, second = make.notification(user), make.notification(user)

    assert claim_batch(10) == [first.id, second.id]
    assert claim_batch(10) == []  # what another sender running now would get

    # A sender that died: once the lease is over, the messages are due again.
    later = utcnow() + timedelta(minutes=16)
    assert claim_batch(10, now=later) == [first.id, second.id]


def test_sent_and_future_messages_are_not_claimed(db, make):
    user = make.user()
    make.notification(user, sent_at=utcnow())
    make.notification(user, next_attempt_at=utcnow() + timedelta(hours=1))
    due = make.notification(user, next_attempt_at=utcnow() - timedelta(minutes=1))
    assert claim_batch(10) == [due.id]


def test_subject_line_breaks_cannot_inject_headers(app, db, make, smtp_server):
    user = make.user(email="safe@example.org")
    make.notification(user, subject="Hello\r\nBcc: victim@example.org")
    assert deliver_pending()["sent"] == 1
    [envelope] = smtp_server.messages
    assert envelope.rcpt_tos == ["safe@example.org"]
    assert message_from_bytes(envelope.content)["Bcc"] is None


def test_two_senders_at_once_deliver_each_message_exactly_once(app, db, make, smtp_server):
    import threading

    user = make.user(email="many@example.org")
    for n in range(30):
        make.notification(user, subject=f"Message {n}")
    results, errors = [], []

    def sender():
        try:
            with app.app_context():
                results.append(deliver_pending(batch_size=4))
                db.session.remove()
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(result["sent"] for result in results) == 30
    subjects = sorted(subject_of(envelope) for envelope in smtp_server.messages)
    assert subjects == sorted(f"Message {n}" for n in range(30))
    db.session.expire_all()
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(Notification.sent_at.is_(None))
    ) == 0


# Giving up ---------------------------------------------------------------------------------
def test_a_non_ascii_address_is_given_up_at_once_not_retried_forever(app, db, make,
                                                                     smtp_server):
    user = make.user(email="zoë@example.org")
    notification = make.notification(user, subject="Approved")

    assert deliver_pending() == {"sent": 0, "failed": 0, "gave_up": 1, "skipped": 0}

    given_up = reload(db, notification)
    assert given_up.failed_at is not None and given_up.sent_at is None
    assert "SMTPNotSupportedError" in given_up.last_error
    # Nothing is due any more, now or later.
    given_up.next_attempt_at = None
    db.session.commit()
    assert deliver_pending() == {"sent": 0, "failed": 0, "gave_up": 0, "skipped": 0}
    assert smtp_server.messages == []


def test_a_permanently_refused_message_is_given_up(app, db, make, smtp_server):
    notification = make.notification(make.user(), subject="Declined")
    smtp_server.refuse_data = True  # 550

    assert deliver_pending()["gave_up"] == 1
    assert reload(db, notification).failed_at is not None


def test_temporary_failures_stop_after_the_last_attempt(app, db, make, dead_smtp):
    from tracker.notifications.delivery import MAX_ATTEMPTS

    notification = make.notification(make.user(), subject="Endorsed")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        outcome = deliver_pending()
        row = reload(db, notification)
        assert row.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert outcome["failed"] == 1 and row.failed_at is None
            row.next_attempt_at = utcnow() - timedelta(seconds=1)  # time passes
            db.session.commit()
    assert outcome["gave_up"] == 1
    assert reload(db, notification).failed_at is not None
    assert deliver_pending() == {"sent": 0, "failed": 0, "gave_up": 0, "skipped": 0}


def test_a_refused_login_is_not_the_messages_fault(app, db, make):
    import smtplib

    from tracker.notifications.delivery import is_permanent

    assert not is_permanent(smtplib.SMTPAuthenticationError(535, b"bad credentials"))
    assert not is_permanent(smtplib.SMTPSenderRefused(550, b"no", "mobility@example.org"))
    assert not is_permanent(smtplib.SMTPDataError(451, b"later"))
    assert not is_permanent(ConnectionRefusedError())
    assert is_permanent(smtplib.SMTPDataError(554, b"rejected"))
    assert is_permanent(smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"unknown")}))
    assert not is_permanent(smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"busy")}))
