"""Amendments of an approved application: asked, reviewed like the application, applied once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.requirement_world import seed_default_rules
from tracker.applications.amendments import (
    act_on_amendment,
    amended_overlaps,
    ask_amendment,
)
from tracker.applications.models import Amendment, Event
from tracker.applications.workflow import (
    AmendmentOpen,
    InvalidTransition,
    RequirementsUnmet,
    StaleVersion,
)
from tracker.core.errors import InvalidValues, NotAllowed
from tracker.extensions import db
from tracker.notifications.models import Notification


@pytest.fixture
def approved(make, people):
    """An approved programme-funded outgoing stay of the researcher, 1500 awarded."""
    return make.application(applicant=people["researcher"], status="approved",
                            host=people["partner"], programme=people["programme"],
                            awarded_amount=Decimal("1500.00"))


@pytest.fixture
def unit_mission(make, people):
    application = make.application(applicant=people["researcher"], status="approved",
                                   host=people["partner"], programme=people["programme"],
                                   awarded_amount=Decimal("1500.00"))
    application.programme = None
    application.funding = "unit"
    db.session.commit()
    return application


def later(application, days=10):
    return (application.end_date + timedelta(days=days)).isoformat()


def extend(application, user, days=10, reason="The experiment needs more time."):
    amendment = ask_amendment(application, user, {"end_date": later(application, days)},
                              reason, application.version)
    db.session.commit()
    return amendment


def events(application, action):
    return db.session.scalars(
        sa.select(Event).where(Event.application_id == application.id, Event.action == action)
    ).all()


# Asking -----------------------------------------------------------------------------------
def test_the_applicant_asks_an_extension_recorded_with_the_old_value(approved, people):
    old_end = approved.end_date
    amendment = extend(approved, people["researcher"])

    assert amendment.status == "submitted"
    assert amendment.changes == {"end_date": later(approved)}
    assert amendment.previous == {"end_date": old_end.isoformat()}
    assert approved.end_date == old_end and approved.status == "approved"
    assert [e.comment for e in events(approved, "amendment_ask")] == [
        "The experiment needs more time."]
    told = db.session.scalars(sa.select(Notification.user_id)).all()
    assert people["director"].id in told


def test_an_admin_may_ask_a_change_too(approved, people):
    amendment = extend(approved, people["admin"])
    assert amendment.requested_by_id == people["admin"].id


@pytest.mark.parametrize("who", ["other_researcher", "director"])
def test_nobody_else_asks_a_change(approved, people, who):
    with pytest.raises(NotAllowed):
        ask_amendment(approved, people[who], {"end_date": later(approved)}, "why", 1)


@pytest.mark.parametrize("status", ["draft", "submitted", "endorsed", "cancelled"])
def test_only_an_approved_application_is_amended(make, people, status):
    application = make.application(applicant=people["researcher"], status=status,
                                   programme=people["programme"])
    with pytest.raises(InvalidTransition):
        ask_amendment(application, people["researcher"], {"end_date": later(application)},
                      "why", 1)


def test_a_stale_version_is_refused(approved, people):
    with pytest.raises(StaleVersion):
        ask_amendment(approved, people["researcher"], {"end_date": later(approved)}, "why", 7)


def test_one_open_amendment_at_a_time(approved, people):
    extend(approved, people["researcher"])
    with pytest.raises(AmendmentOpen):
        ask_amendment(approved, people["researcher"], {"end_date": later(approved, 20)},
                      "again", approved.version)


def test_the_database_holds_one_open_amendment(approved, people):
    extend(approved, people["researcher"])
    db.session.add(Amendment(application_id=approved.id, requested_by_id=people["admin"].id,
                             status="endorsed", changes={}, previous={}, reason="x"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(("changes", "reason", "field"), [
    ({"end_date": "2020-01-01"}, "why", "end_date"),
    ({"end_date": "not a date"}, "why", "end_date"),
    ({"end_date": "2099-01-01"}, "", "reason"),
    ({"title": "Another title"}, "why", "title"),
    ({"host_laboratory_id": 999999}, "why", "host_laboratory_id"),
    ({"requested_amount": "-5"}, "why", "requested_amount"),
    ({}, "why", "changes"),
])
def test_invalid_values_are_refused_by_field(approved, people, changes, reason, field):
    with pytest.raises(InvalidValues) as refused:
        ask_amendment(approved, people["researcher"], changes, reason, approved.version)
    assert field in refused.value.fields


def test_the_added_amount_must_fit_in_the_budget(make, people):
    programme = make.programme("outgoing", budget=Decimal("2000.00"))
    application = make.application(applicant=people["researcher"], status="approved",
                                   host=people["partner"], programme=programme,
                                   awarded_amount=Decimal("1500.00"))
    with pytest.raises(InvalidValues) as refused:
        ask_amendment(application, people["researcher"], {"requested_amount": "2600.00"},
                      "more travel", application.version)
    assert "requested_amount" in refused.value.fields
    # Within the 500 left: asked.
    assert ask_amendment(application, people["researcher"], {"requested_amount": "1900.00"},
                         "more travel", application.version).status == "submitted"


# Reviewing --------------------------------------------------------------------------------
def test_programme_change_endorsed_then_approved_changes_the_application_once(approved, people):
    old_end, old_version = approved.end_date, approved.version
    amendment = extend(approved, people["researcher"])

    act_on_amendment(amendment, "endorse", people["director"], version=1)
    db.session.commit()
    assert (amendment.status, amendment.version) == ("endorsed", 2)
    assert approved.end_date == old_end

    act_on_amendment(amendment, "approve", people["admin"], version=2)
    db.session.commit()
    assert amendment.status == "approved" and amendment.decided_at is not None
    assert approved.status == "approved"
    assert approved.end_date == old_end + timedelta(days=10)
    assert approved.version == old_version + 1
    amended = events(approved, "amend")
    assert len(amended) == 1
    assert amended[0].changes == {"end_date": {"old": old_end.isoformat(),
                                               "new": later(approved, 0)}}
    assert amended[0].comment == "The experiment needs more time."
    told = db.session.scalars(sa.select(Notification.user_id).where(
        Notification.subject.contains("approved"))).all()
    assert people["researcher"].id in told


def test_unit_mission_change_is_approved_by_the_director(unit_mission, people):
    amendment = ask_amendment(unit_mission, people["researcher"],
                              {"requested_amount": "1800.00"}, "dearer flights",
                              unit_mission.version)
    db.session.commit()
    with pytest.raises(NotAllowed):
        act_on_amendment(amendment, "endorse", people["director"], version=1)
    with pytest.raises(NotAllowed):
        act_on_amendment(amendment, "approve", people["admin"], version=1)

    act_on_amendment(amendment, "approve", people["director"], version=1)
    db.session.commit()
    assert unit_mission.requested_amount == Decimal("1800.00")
    assert unit_mission.awarded_amount == Decimal("1800.00")


def test_the_office_may_award_another_amount(make, people, approved):
    amendment = ask_amendment(approved, people["researcher"], {"requested_amount": "1900.00"},
                              "more", approved.version)
    act_on_amendment(amendment, "endorse", people["director"], version=1)
    act_on_amendment(amendment, "approve", people["admin"], version=2, awarded_amount="1700")
    db.session.commit()
    assert (approved.requested_amount, approved.awarded_amount) == (
        Decimal("1900.00"), Decimal("1700.00"))


def test_approval_rechecks_the_budget(make, people):
    programme = make.programme("outgoing", budget=Decimal("2000.00"))
    application = make.application(applicant=people["researcher"], status="approved",
                                   host=people["partner"], programme=programme,
                                   awarded_amount=Decimal("1500.00"))
    amendment = ask_amendment(application, people["researcher"],
                              {"requested_amount": "1900.00"}, "more", application.version)
    act_on_amendment(amendment, "endorse", people["director"], version=1)
    db.session.commit()
    with pytest.raises(InvalidValues) as refused:
        act_on_amendment(amendment, "approve", people["admin"], version=2,
                         awarded_amount="2600.00")
    assert "awarded_amount" in refused.value.fields


def test_nobody_reviews_their_own_change(approved, people, make):
    # The admin asked it for the applicant: another admin decides.
    amendment = extend(approved, people["admin"])
    act_on_amendment(amendment, "endorse", people["director"], version=1)
    with pytest.raises(NotAllowed):
        act_on_amendment(amendment, "approve", people["admin"], version=2)
    with pytest.raises(NotAllowed):
        act_on_amendment(amendment, "endorse", people["researcher"], version=1)


def test_a_director_applicant_is_reviewed_by_an_admin(make, people):
    director = people["director"]
    application = make.application(applicant=director, status="approved",
                                   host=people["partner"], programme=people["programme"])
    amendment = extend(application, director)
    with pytest.raises(NotAllowed):
        act_on_amendment(amendment, "endorse", director, version=1)
    act_on_amendment(amendment, "endorse", people["admin"], version=1)
    assert amendment.status == "endorsed"


def test_a_stale_amendment_version_is_refused(approved, people):
    amendment = extend(approved, people["researcher"])
    act_on_amendment(amendment, "endorse", people["director"], version=1)
    with pytest.raises(StaleVersion):
        act_on_amendment(amendment, "approve", people["admin"], version=1)


def test_return_needs_a_comment_then_the_applicant_asks_again(approved, people):
    amendment = extend(approved, people["researcher"])
    with pytest.raises(InvalidValues) as refused:
        act_on_amendment(amendment, "return", people["director"], version=1)
    assert "comment" in refused.value.fields
    act_on_amendment(amendment, "return", people["director"], "Ten days is too long.",
                     version=1)
    db.session.commit()
    assert amendment.status == "returned"
    with pytest.raises(InvalidTransition):
        act_on_amendment(amendment, "endorse", people["director"], version=2)

    again = ask_amendment(approved, people["researcher"], {"end_date": later(approved, 5)},
                          "Five days then.", approved.version)
    db.session.commit()
    assert again.id == amendment.id
    assert (again.status, again.version, again.reason) == ("submitted", 3, "Five days then.")
    assert again.changes == {"end_date": later(approved, 5)}
    assert len(events(approved, "amendment_return")) == 1


def test_rejected_then_a_new_change_may_be_asked(approved, people):
    amendment = extend(approved, people["researcher"])
    act_on_amendment(amendment, "endorse", people["director"], version=1)
    with pytest.raises(InvalidValues):
        act_on_amendment(amendment, "reject", people["admin"], version=2)
    act_on_amendment(amendment, "reject", people["admin"], "No budget for it.", version=2)
    db.session.commit()
    assert amendment.status == "rejected"
    assert approved.end_date + timedelta(days=10) == date.fromisoformat(later(approved))
    assert extend(approved, people["researcher"], 3).status == "submitted"


def test_the_applicant_withdraws_their_change(approved, people):
    amendment = extend(approved, people["researcher"])
    with pytest.raises(NotAllowed):
        act_on_amendment(amendment, "withdraw", people["other_researcher"], version=1)
    act_on_amendment(amendment, "withdraw", people["researcher"], version=1)
    db.session.commit()
    assert amendment.status == "withdrawn"
    with pytest.raises(InvalidTransition):
        act_on_amendment(amendment, "endorse", people["director"], version=2)


def test_an_extension_past_90_days_needs_a_hosting_agreement(make, people):
    seed_default_rules()
    partner = make.lab("partner", country="BR")
    visitor = make.user(lab=partner, nationality="BR")
    programme = make.programme("incoming")
    application = make.application(applicant=visitor, direction="incoming", status="approved",
                                   home=partner, host=people["unit"], programme=programme,
                                   purpose="conference", awarded_amount=Decimal("1500.00"))
    amendment = ask_amendment(application, visitor, {"end_date": later(application, 120)},
                              "Longer stay", application.version)
    act_on_amendment(amendment, "endorse", people["director"], version=1)
    with pytest.raises(RequirementsUnmet) as refused:
        act_on_amendment(amendment, "approve", people["admin"], version=2)
    assert [r["code"] for r in refused.value.requirements] == ["host_agreement"]

    make.document(application, uploader=visitor, kind="host_agreement", name="agreement.pdf")
    act_on_amendment(amendment, "approve", people["admin"], version=2)
    assert application.duration_days > 90


def test_overlaps_are_judged_on_the_amended_dates(approved, make, people):
    make.application(applicant=people["researcher"], status="submitted",
                     host=people["partner"], programme=people["programme"],
                     start_date=approved.end_date + timedelta(days=5))
    amendment = extend(approved, people["researcher"], 10)
    assert len(amended_overlaps(approved, amendment)) == 1


def test_a_change_to_a_cancelled_stay_is_only_withdrawn(approved, people):
    from tracker.applications.services import transition

    amendment = extend(approved, people["researcher"])
    transition(approved, "cancel", people["researcher"], "Not going", approved.version)
    db.session.commit()
    with pytest.raises(InvalidTransition):
        act_on_amendment(amendment, "endorse", people["director"], version=1)
    act_on_amendment(amendment, "withdraw", people["researcher"], version=1)
    assert amendment.status == "withdrawn"


def test_the_queues_hold_the_changes_each_reviewer_decides_now(approved, people, make):
    from tracker import access

    def queue(user):
        return db.session.scalars(access.amendment_queue(user)).all()

    amendment = extend(approved, people["researcher"])
    assert queue(people["director"]) == [amendment]
    assert queue(people["admin"]) == [] and queue(people["other_director"]) == []
    assert queue(people["researcher"]) == []
    act_on_amendment(amendment, "endorse", people["director"], version=1)
    db.session.commit()
    assert queue(people["director"]) == [] and queue(people["admin"]) == [amendment]
    # A change the admin asked is another admin's to decide.
    other_admin = make.user(roles=("admin",), lab=people["other_unit"])
    act_on_amendment(amendment, "withdraw", people["researcher"], version=2)
    asked_by_admin = extend(approved, people["admin"])
    act_on_amendment(asked_by_admin, "endorse", people["director"], version=1)
    db.session.commit()
    assert queue(people["admin"]) == [] and queue(other_admin) == [asked_by_admin]


def test_who_is_told_at_each_step(approved, people):
    def told(subject_part):
        return set(db.session.scalars(sa.select(Notification.user_id).where(
            Notification.subject.contains(subject_part))))

    amendment = extend(approved, people["researcher"])
    assert told("a change awaits your review") == {people["director"].id}
    act_on_amendment(amendment, "endorse", people["director"], version=1)
    assert told("a change endorsed") == {people["admin"].id}
    act_on_amendment(amendment, "return", people["admin"], "Say which days", version=2)
    assert told("returned for changes") == {people["researcher"].id}
    body = db.session.scalars(sa.select(Notification.body).where(
        Notification.subject.contains("returned for changes"))).one()
    assert "Say which days" in body
