"""Races on a real server: threads released together by a barrier.

PostgreSQL only. SQLite lets one writer at a time into the whole file, so threads there would
test SQLite's lock rather than our conditional UPDATE and counters; the CI's PostgreSQL leg
runs these.
"""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.applications.models import Application, Event
from tracker.applications.services import create_application, transition
from tracker.applications.workflow import StaleVersion
from tracker.core.errors import Refused
from tracker.auth.models import User
from tracker.notifications.models import Notification

THREADS = 8


# SQLite serialises every writer on the file, so real races need PostgreSQL: these tests run
# on the PostgreSQL leg and are deselected on the SQLite one (see tests/conftest.py).
postgresql_only = pytest.mark.postgresql


def run_together(app, db, work):
    """Run ``work(index)`` in THREADS threads, each with its own app context and session,
    released at once by a barrier. Returns what each returned (or the exception's class)."""
    barrier = threading.Barrier(THREADS, timeout=30)
    results = [None] * THREADS

    def thread(index):
        with app.app_context():
            try:
                results[index] = work(index, barrier)
                db.session.commit()
            except Refused as error:
                db.session.rollback()
                results[index] = type(error)
            except Exception as error:  # reported by the assertions, not swallowed
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@postgresql_only
def test_eight_admins_approving_at_once_make_exactly_one_approval(app, db, make, people):
    admin_ids = [make.user(roles=("admin",), lab=people["other_unit"]).id
                 for _ in range(THREADS)]
    application = make.application(applicant=people["researcher"], status="endorsed",
                                   host=people["partner"], programme=people["programme"])
    application_id, researcher_id = application.id, people["researcher"].id
    db.session.remove()

    def approve(index, barrier):
        target = db.session.get(Application, application_id)
        admin = db.session.get(User, admin_ids[index])
        barrier.wait()
        transition(target, "approve", admin, version=1, awarded_amount="500.00")
        return "approved"

    results = run_together(app, db, approve)
    assert results.count("approved") == 1, results
    assert results.count(StaleVersion) == THREADS - 1, results

    stored = db.session.get(Application, application_id)
    assert (stored.status, stored.version, stored.awarded_amount) == (
        "approved", 2, Decimal("500.00"))
    approvals = db.session.scalars(
        sa.select(Event).where(Event.application_id == application_id, Event.action == "approve")
    ).all()
    assert len(approvals) == 1
    notifications = db.session.scalars(
        sa.select(Notification).where(Notification.application_id == application_id)
    ).all()
    assert [n.user_id for n in notifications] == [researcher_id]


@postgresql_only
def test_references_stay_unique_when_drafts_are_created_at_once(app, db, make, people):
    per_thread = 5
    start = date.today() + timedelta(days=40)
    data = {
        "programme_id": people["programme"].id,
        "home_laboratory_id": people["unit"].id,
        "host_laboratory_id": people["partner"].id,
        "title": "Concurrent draft",
        "purpose": "conference",
        "start_date": start,
        "end_date": start + timedelta(days=3),
        "requested_amount": "100.00",
    }
    applicant_id = people["researcher"].id
    db.session.remove()

    def create_several(index, barrier):
        applicant = db.session.get(User, applicant_id)
        barrier.wait()
        references = []
        for _ in range(per_thread):
            references.append(create_application(applicant, "outgoing", data).reference)
            db.session.commit()
        return references

    results = run_together(app, db, create_several)
    assert all(isinstance(r, list) for r in results), results
    references = [reference for batch in results for reference in batch]
    year = date.today().year
    assert sorted(references) == [f"MOB-{year}-{n:06d}" for n in range(1, THREADS * per_thread + 1)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == len(references)


def test_the_slower_of_two_admins_loses_on_either_database(app, db, make, people):
    """Two sessions hold the same endorsed application; the second to write is refused.

    Deterministic, so it runs on SQLite too: the conditional UPDATE, not a lock, decides.
    """
    second_admin = make.user(roles=("admin",), lab=people["other_unit"])
    application = make.application(applicant=people["researcher"], status="endorsed",
                                   host=people["partner"], programme=people["programme"])
    seen_by_first = db.session.get(Application, application.id)  # loaded at version 1
    assert seen_by_first.version == 1
    with app.app_context():  # the other admin, in a session of their own
        theirs = db.session.get(Application, application.id)
        transition(theirs, "reject", db.session.get(User, second_admin.id),
                   comment="Out of budget.", version=1)
        db.session.commit()
    with pytest.raises(StaleVersion):
        # No version given: the in-memory copy still says endorsed, version 1.
        transition(seen_by_first, "approve", people["admin"], awarded_amount="100")
    db.session.rollback()
    stored = db.session.get(Application, application.id)
    assert (stored.status, stored.awarded_amount) == ("rejected", None)
    assert [e.action for e in db.session.scalars(sa.select(Event))] == ["reject"]


@postgresql_only
def test_two_reviewers_of_one_amendment_exactly_one_wins(app, db, make, people):
    from tracker.applications.amendments import act_on_amendment, ask_amendment
    from tracker.applications.models import Amendment

    admin_ids = [make.user(roles=("admin",), lab=people["other_unit"]).id
                 for _ in range(THREADS)]
    application = make.application(applicant=people["researcher"], status="approved",
                                   host=people["partner"], programme=people["programme"],
                                   awarded_amount=Decimal("1500.00"))
    old_end = application.end_date
    amendment = ask_amendment(application, people["researcher"],
                              {"end_date": (old_end + timedelta(days=10)).isoformat()},
                              "More time", application.version)
    act_on_amendment(amendment, "endorse", people["director"], version=1)
    db.session.commit()
    application_id, amendment_id = application.id, amendment.id
    db.session.remove()

    def approve(index, barrier):
        target = db.session.get(Amendment, amendment_id)
        admin = db.session.get(User, admin_ids[index])
        barrier.wait()
        act_on_amendment(target, "approve", admin, version=2)
        return "approved"

    results = run_together(app, db, approve)
    assert results.count("approved") == 1, results
    assert results.count(StaleVersion) == THREADS - 1, results

    stored = db.session.get(Application, application_id)
    assert (stored.status, stored.end_date) == ("approved", old_end + timedelta(days=10))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(
        Event.application_id == application_id, Event.action == "amend")) == 1


@postgresql_only
def test_two_asking_at_once_open_exactly_one_amendment(app, db, make, people):
    from tracker.applications.amendments import ask_amendment
    from tracker.applications.models import Amendment
    from tracker.applications.workflow import AmendmentOpen

    application = make.application(applicant=people["researcher"], status="approved",
                                   host=people["partner"], programme=people["programme"],
                                   awarded_amount=Decimal("1500.00"))
    application_id, researcher_id = application.id, people["researcher"].id
    end = application.end_date
    db.session.remove()

    def ask(index, barrier):
        target = db.session.get(Application, application_id)
        researcher = db.session.get(User, researcher_id)
        barrier.wait()
        ask_amendment(target, researcher, {"end_date": (end + timedelta(days=index + 1))
                                           .isoformat()}, "More time", 1)
        return "asked"

    results = run_together(app, db, ask)
    assert results.count("asked") == 1, results
    assert results.count(AmendmentOpen) == THREADS - 1, results
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Amendment)) == 1
