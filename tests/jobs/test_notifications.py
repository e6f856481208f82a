"""Outbox delivery and reminders as jobs when a queue is configured."""

import sqlalchemy as sa

from tracker.extensions import db
from tracker.jobs.models import Job
from tracker.notifications.models import Notification
from tracker.notifications.services import notify


def _jobs(kind):
    db.session.expire_all()
    return db.session.scalars(sa.select(Job).where(Job.kind == kind)).all()


def test_committed_messages_are_delivered_by_a_job(app, make, queue):
    person = make.user()
    notify([person], lambda: ("Subject", "Body"))
    notify([person], lambda: ("Another", "Body"))
    assert queue.waiting() == 0  # nothing before the commit
    db.session.commit()
    assert queue.waiting() == 1  # one delivery for the transaction
    queue.work()
    [job] = _jobs("notifications")
    assert job.status == "done" and job.owner_id is None
    sent = db.session.scalars(sa.select(Notification.sent_at)).all()
    assert len(sent) == 2 and all(sent)


def test_rolled_back_messages_start_no_job(app, make, queue):
    person = make.user()
    notify([person], lambda: ("Subject", "Body"))
    db.session.rollback()
    db.session.commit()
    assert queue.waiting() == 0 and _jobs("notifications") == []


def test_without_redis_the_outbox_waits_for_its_command(app, make):
    person = make.user()
    notify([person], lambda: ("Subject", "Body"))
    db.session.commit()
    assert _jobs("notifications") == []
    assert db.session.scalar(sa.select(Notification.sent_at)) is None


def test_send_reminders_in_the_background(app, queue):
    result = app.test_cli_runner().invoke(args=["send-reminders", "--background",
                                                "--today", "2026-03-02"])
    assert result.exit_code == 0, result.output
    assert "Queued as job" in result.output
    queue.work()
    [job] = _jobs("reminders")
    assert job.status == "done" and job.message.startswith("0 reminders")


def test_send_notifications_in_the_background(app, make, queue):
    make.notification(make.user())
    result = app.test_cli_runner().invoke(args=["send-notifications", "--background"])
    assert result.exit_code == 0, result.output
    queue.work()
    [job] = _jobs("notifications")
    assert job.message.startswith("1 sent")


def test_background_without_redis_is_refused(app):
    result = app.test_cli_runner().invoke(args=["send-reminders", "--background"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output
    worker = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert worker.exit_code != 0 and "REDIS_URL is not set" in worker.output


def test_the_worker_command_runs_the_queue(app, make, queue, monkeypatch):
    from rq import SimpleWorker

    import rq

    # The command's worker forks a process per job; the test's in-memory state is read
    # in this process, so it runs the same command with the non-forking worker.
    monkeypatch.setattr(rq, "Worker", SimpleWorker)
    make.notification(make.user())
    app.test_cli_runner().invoke(args=["send-notifications", "--background"])
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert queue.waiting() == 0
    assert _jobs("notifications")[0].status == "done"
