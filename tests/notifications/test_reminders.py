"""``send-reminders``: who waits is reminded after REMINDER_DAYS working days, the admins are
told after ESCALATION_DAYS, applicants hear of unmet requirements before their stay; a day's
run sends each reminder once (SPEC, Waiting)."""

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tracker.core.dates import working_days_between
from tracker.notifications.models import Notification, Reminder
from tracker.notifications.reminders import send_reminders

# Monday 2 November 2026, 09:30 UTC (10:30 in Paris).
SINCE = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
MONDAY = date(2026, 11, 2)


def day(offset):
    return MONDAY + timedelta(days=offset)


def messages(db, user=None):
    query = sa.select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return db.session.scalars(query).all()


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["send-reminders", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def waiting(make, people):
    """A request submitted on Monday 2 November, waiting on Dana Director since."""
    return make.application(applicant=people["researcher"], host=people["partner"],
                            programme=people["programme"], status="submitted",
                            title="Spectroscopy in Berlin", waiting_since=SINCE)


# Working days -------------------------------------------------------------------------------
@pytest.mark.parametrize("start, end, expected", [
    (day(0), day(0), 0),     # the same day
    (day(0), day(4), 4),     # Monday to Friday
    (day(4), day(5), 0),     # Friday to Saturday
    (day(4), day(6), 0),     # Friday to Sunday
    (day(4), day(7), 1),     # Friday to Monday: the weekend does not count
    (day(0), day(7), 5),     # a week
    (day(5), day(7), 1),     # Saturday to Monday
    (day(0), day(14), 10),   # two weeks
    (day(3), day(0), 0),     # backwards
    (day(0), day(7 * 52), 260),
])
def test_working_days_skip_weekends(start, end, expected):
    assert working_days_between(start, end) == expected


# Reminders ---------------------------------------------------------------------------------
def test_no_reminder_before_five_working_days(app, db, waiting, people):
    # Friday is four working days after Monday; the weekend adds none.
    for offset in (1, 4, 5, 6):
        assert send_reminders(day(offset)) == {"reminder": 0, "escalation": 0,
                                                "requirements": 0}
    assert messages(db) == []


def test_reminder_after_five_working_days_names_the_request_the_wait_and_the_link(
        app, db, waiting, people):
    counts = send_reminders(day(7))  # the next Monday

    assert counts == {"reminder": 1, "escalation": 0, "requirements": 0}
    [message] = messages(db)
    assert message.user_id == people["director"].id
    assert message.application_id == waiting.id
    assert waiting.reference in message.subject
    assert waiting.reference in message.body and "Spectroscopy in Berlin" in message.body
    assert "5 working days" in message.body
    assert "11/2/2026" in message.body  # since when, in the reader's way
    assert f"http://localhost/applications/{waiting.id}" in message.body


def test_the_link_uses_the_public_address_when_set(app, db, waiting, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://mobility.example.org")

    send_reminders(day(7))

    [message] = messages(db)
    assert f"https://mobility.example.org/applications/{waiting.id}" in message.body


def test_a_second_run_on_the_same_day_sends_nothing_new(app, db, waiting):
    assert send_reminders(day(7))["reminder"] == 1
    assert send_reminders(day(7))["reminder"] == 0

    assert len(messages(db)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 1


def test_the_reminder_comes_back_every_five_working_days_while_the_wait_lasts(
        app, db, waiting):
    sent = {offset: send_reminders(day(offset))["reminder"] for offset in range(7, 22)}

    assert [offset for offset, count in sent.items() if count] == [7, 14, 21]


def test_a_new_wait_starts_counting_again(app, db, waiting, people):
    send_reminders(day(7))
    waiting.waiting_since = datetime(2026, 11, 10, 8, 0, tzinfo=timezone.utc)  # a Tuesday
    waiting.status = "endorsed"
    db.session.commit()

    assert send_reminders(day(14))["reminder"] == 0  # four working days
    assert send_reminders(day(15))["reminder"] == 1
    assert [m.user_id for m in messages(db)] == [people["director"].id, people["admin"].id]


def test_the_applicant_of_a_returned_request_is_reminded_and_a_draft_is_not(
        app, db, make, people):
    returned = make.application(applicant=people["researcher"], host=people["partner"],
                                status="returned", waiting_since=SINCE)
    make.application(applicant=people["researcher"], host=people["partner"], status="draft",
                     waiting_since=SINCE)

    send_reminders(day(7))

    assert [(m.user_id, m.application_id) for m in messages(db)] == [
        (people["researcher"].id, returned.id)]


def test_approved_and_ended_requests_are_never_reminded_of(app, db, make, people):
    for status in ("approved", "declined", "withdrawn"):
        make.application(applicant=people["researcher"], host=people["partner"],
                         status=status, waiting_since=SINCE)

    assert send_reminders(day(30)) == {"reminder": 0, "escalation": 0, "requirements": 0}


# Escalation --------------------------------------------------------------------------------
def test_the_admins_are_told_after_ten_working_days(app, db, waiting, people, make):
    inactive = make.user(roles=("admin",), lab=people["unit"], full_name="Gone Admin")
    inactive.active = False
    db.session.commit()

    # Nine working days: Dana Director is reminded (the first time), the admins not yet.
    assert send_reminders(day(11)) == {"reminder": 1, "escalation": 0, "requirements": 0}
    counts = send_reminders(day(14))  # ten

    assert counts == {"reminder": 0, "escalation": 1, "requirements": 0}
    [escalation] = messages(db, people["admin"])
    assert waiting.reference in escalation.subject
    assert "Dana Director" in escalation.body and "10 working days" in escalation.body
    assert f"/applications/{waiting.id}" in escalation.body
    assert messages(db, inactive) == []


def test_no_escalation_to_admins_who_are_those_waited_on(app, db, make, people):
    make.application(applicant=people["researcher"], host=people["partner"],
                     status="endorsed", waiting_since=SINCE)

    counts = send_reminders(day(14))

    assert counts == {"reminder": 1, "escalation": 0, "requirements": 0}


def test_the_escalation_is_sent_once_a_day(app, db, waiting, people):
    send_reminders(day(14))
    send_reminders(day(14))

    assert len(messages(db, people["admin"])) == 1


# Requirements before the stay ------------------------------------------------------------------
@pytest.fixture
def approved_soon(make, people):
    """An approved stay starting on 30 November, with an insurance still missing."""
    make.rule(code="insurance", name="Travel insurance", min_days=None, purposes="",
              document_kind="insurance", blocks="approve")
    return make.application(applicant=people["researcher"], host=people["partner"],
                            status="approved", start_date=date(2026, 11, 30),
                            end_date=date(2026, 12, 10))


def test_applicants_hear_of_unmet_requirements_fourteen_days_before_the_start(
        app, db, approved_soon, people):
    assert send_reminders(date(2026, 11, 15))["requirements"] == 0  # fifteen days before
    assert send_reminders(date(2026, 11, 16))["requirements"] == 1

    [message] = messages(db)
    assert message.user_id == people["researcher"].id
    assert approved_soon.reference in message.body and "Travel insurance" in message.body
    assert f"/applications/{approved_soon.id}" in message.body


def test_the_requirement_reminder_is_sent_once(app, db, approved_soon):
    sent = [send_reminders(date(2026, 11, 16) + timedelta(days=n))["requirements"]
            for n in range(5)]

    assert sent == [1, 0, 0, 0, 0]


def test_no_requirement_reminder_when_they_are_met(app, db, approved_soon, make):
    make.document(approved_soon, kind="insurance", name="insurance.pdf")

    assert send_reminders(date(2026, 11, 16))["requirements"] == 0


def test_no_requirement_reminder_once_the_stay_started(app, db, approved_soon):
    assert send_reminders(date(2026, 12, 1))["requirements"] == 0


# The command --------------------------------------------------------------------------------
def test_the_command_reports_what_it_sent(app, db, waiting):
    output = run(app, "--today", "2026-11-16")

    assert "Reminders for 2026-11-16: 1 to people waited on, 1 escalations to admins, " \
           "0 about unmet requirements queued." in output
    assert len(messages(db)) == 2


def test_dry_run_counts_and_sends_nothing(app, db, waiting):
    output = run(app, "--today", "2026-11-16", "--dry-run")

    assert "1 to people waited on, 1 escalations" in output and "dry run" in output
    assert messages(db) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 0


def test_a_malformed_day_is_refused_without_a_traceback(app):
    result = app.test_cli_runner().invoke(args=["send-reminders", "--today", "16/11/2026"])

    assert result.exit_code == 2
    assert "Traceback" not in result.output and "--today" in result.output


def test_messages_are_written_in_each_recipients_language(app, db, waiting, people, french):
    people["director"].locale = "fr"
    db.session.commit()

    send_reminders(day(14))

    [reminder] = messages(db, people["director"])
    [escalation] = messages(db, people["admin"])
    assert reminder.body != escalation.body
    assert "02/11/2026" in reminder.body  # the French way of writing the day


# Two runs at once ---------------------------------------------------------------------------
@pytest.mark.postgresql
def test_two_runs_at_the_same_moment_send_each_reminder_once(app, db, waiting, people, make):
    other = make.application(applicant=people["other_researcher"], host=people["partner"],
                             status="submitted", waiting_since=SINCE)
    expected = {(waiting.id, people["director"].id), (other.id, people["director"].id),
                (waiting.id, people["admin"].id), (other.id, people["admin"].id)}
    db.session.remove()
    threads_count = 4
    barrier = threading.Barrier(threads_count, timeout=30)
    results = [None] * threads_count

    def work(index):
        with app.app_context():
            try:
                barrier.wait()
                results[index] = send_reminders(day(14))
            except Exception as error:  # reported by the assertion below
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert all(isinstance(result, dict) for result in results), results
    assert sum(r["reminder"] + r["escalation"] for r in results) == len(expected)
    sent = [(m.application_id, m.user_id) for m in messages(db)]
    assert sorted(sent) == sorted(expected)


def test_an_open_change_to_an_approved_stay_is_reminded_like_a_request(
        app, db, make, people):
    from tracker.applications.models import Amendment

    approved = make.application(applicant=people["researcher"], host=people["partner"],
                                programme=people["programme"], status="approved",
                                waiting_since=SINCE)
    db.session.add(Amendment(application_id=approved.id, requested_by_id=people["researcher"].id,
                             status="submitted", changes={}, previous={}, reason="Longer"))
    # An approved stay with nothing open waits on nobody: no reminder for it.
    settled = make.application(applicant=people["researcher"], host=people["partner"],
                               programme=people["programme"], status="approved")
    db.session.commit()
    assert send_reminders(day(7))["reminder"] == 1
    [message] = messages(db)
    assert (message.user_id, message.application_id) == (people["director"].id, approved.id)
    assert settled.waiting_since is None
