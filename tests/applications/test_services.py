"""The services: drafts, the rules of docs/rules.md, the guards of transition(), history
and notifications."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.applications.models import Application, Event
from tracker.applications.services import (
    create_application,
    ids_with_overlaps,
    overlapping_applications,
    remaining_budgets,
    transition,
    update_application,
)
from tracker.applications.workflow import InvalidTransition, StaleVersion
from tracker.core.errors import InvalidValues, NotAllowed
from tracker.notifications.models import Notification


def draft_data(people, **changes):
    start = date.today() + timedelta(days=40)
    data = {
        "programme_id": people["programme"].id,
        "home_laboratory_id": people["unit"].id,
        "host_laboratory_id": people["partner"].id,
        "title": "Fieldwork in Berlin",
        "purpose": "fieldwork",
        "start_date": start,
        "end_date": start + timedelta(days=13),
        "requested_amount": Decimal("1200.00"),
        "justification": "Samples.",
    }
    data.update(changes)
    return data


def notified(db, application):
    rows = db.session.scalars(
        sa.select(Notification).where(Notification.application_id == application.id)
    ).all()
    return sorted(row.user_id for row in rows)


def events(db, application):
    return db.session.scalars(
        sa.select(Event).where(Event.application_id == application.id).order_by(Event.id)
    ).all()


def submitted(make, people, applicant=None, **fields):
    return make.application(
        applicant=applicant or people["researcher"], status="submitted", host=people["partner"],
        programme=fields.pop("programme", people["programme"]), **fields,
    )


# Drafts and references ---------------------------------------------------------------------
def test_create_gives_sequential_references_and_a_create_event(db, people):
    first = create_application(people["researcher"], "outgoing", draft_data(people))
    second = create_application(people["researcher"], "outgoing", draft_data(people))
    db.session.commit()
    year = date.today().year
    assert (first.reference, second.reference) == (f"MOB-{year}-000001", f"MOB-{year}-000002")
    assert re.fullmatch(r"MOB-\d{4}-\d{6}", first.reference)
    assert first.status == "draft" and first.version == 1
    assert [(e.action, e.to_status) for e in events(db, first)] == [("create", "draft")]


def test_reference_year_follows_the_day_of_creation(db, people):
    application = create_application(
        people["researcher"], "outgoing",
        draft_data(people, start_date=date(2031, 4, 1), end_date=date(2031, 4, 10)),
        today=date(2031, 3, 1))
    assert application.reference == "MOB-2031-000001"


@pytest.mark.parametrize("changes,field", [
    ({"home_laboratory_id": "other_unit"}, "home_laboratory_id"),  # not the applicant's unit
    ({"host_laboratory_id": "other_unit"}, "host_laboratory_id"),  # outgoing host must be abroad
    ({"host_laboratory_id": "unit"}, "host_laboratory_id"),
    ({"title": "  "}, "title"),
    ({"purpose": "holiday"}, "purpose"),
    ({"requested_amount": Decimal("-1")}, "requested_amount"),
    ({"requested_amount": "abc"}, "requested_amount"),
    ({"start_date": None}, "start_date"),
    ({"end_date": "2026-02-30"}, "end_date"),
    ({"funding": "programme", "programme_id": None}, "programme_id"),
    ({"programme_id": 999999}, "programme_id"),
    ({"funding": "unit"}, "programme_id"),  # a unit mission names no programme
    ({"funding": "lottery"}, "funding"),
    ({"budget_line": "x" * 101}, "budget_line"),
    ({"cost_items": "travel"}, "cost_items"),
    ({"cost_items": [{"kind": "yacht", "amount": "10"}]}, "cost_items.0.kind"),
    ({"cost_items": [{"kind": "travel", "amount": "10"},
                     {"kind": "travel", "amount": "1500,50"}]}, "cost_items.1.amount"),
    ({"cost_items": [{"kind": "travel", "amount": "-3"}]}, "cost_items.0.amount"),
    ({"cost_items": [{"kind": "travel", "amount": "1", "description": "d" * 201}]},
     "cost_items.0.description"),
    ({"cost_items": [{"kind": "travel", "amount": "1"}] * 31}, "cost_items"),
])
def test_field_level_problems(db, people, changes, field):
    resolved = {k: people[v].id if k.endswith("_laboratory_id") else v
                for k, v in changes.items()}
    with pytest.raises(InvalidValues) as refused:
        create_application(people["researcher"], "outgoing", draft_data(people, **resolved))
    assert field in refused.value.fields
    assert refused.value.status == 422


def test_end_before_start_and_five_years(db, people):
    start = date.today() + timedelta(days=10)
    with pytest.raises(InvalidValues) as refused:
        create_application(people["researcher"], "outgoing",
                           draft_data(people, start_date=start, end_date=start - timedelta(days=1)))
    assert "end_date" in refused.value.fields
    with pytest.raises(InvalidValues) as refused:
        create_application(people["researcher"], "outgoing",
                           draft_data(people, end_date=start + timedelta(days=5 * 366)))
    assert "end_date" in refused.value.fields


def test_programme_rules(db, make, people):
    incoming = make.programme("incoming")
    short = make.programme("outgoing", min_days=30, max_days=60)
    postdocs = make.programme("outgoing", categories=("postdoc",))
    for programme in (incoming, short, postdocs):
        with pytest.raises(InvalidValues) as refused:
            create_application(people["researcher"], "outgoing",
                               draft_data(people, programme_id=programme.id))
        fields = refused.value.fields
        assert "programme_id" in fields or "end_date" in fields


def test_incoming_lab_kinds(db, make, people):
    visitor = make.user(lab=people["partner"], nationality="DE")
    programme = make.programme("incoming")
    good = draft_data(people, programme_id=programme.id, home_laboratory_id=people["partner"].id,
                      host_laboratory_id=people["unit"].id)
    application = create_application(visitor, "incoming", good)
    assert application.reviewing_laboratory_id == people["unit"].id
    with pytest.raises(InvalidValues) as refused:
        create_application(visitor, "incoming", {**good, "home_laboratory_id": people["other_unit"].id,
                                                 "host_laboratory_id": people["partner"].id})
    assert {"home_laboratory_id", "host_laboratory_id"} <= set(refused.value.fields)


def test_edit_only_by_applicant_in_draft_or_returned_at_the_current_version(db, make, people):
    application = create_application(people["researcher"], "outgoing", draft_data(people))
    db.session.commit()
    update_application(application, people["researcher"], {"title": "New title"}, version=1)
    db.session.commit()
    assert (application.title, application.version) == ("New title", 2)
    with pytest.raises(StaleVersion):
        update_application(application, people["researcher"], {"title": "Again"}, version=1)
    with pytest.raises(NotAllowed):
        update_application(application, people["director"], {"title": "Mine"}, version=2)
    transition(application, "submit", people["researcher"], version=2)
    db.session.commit()
    with pytest.raises(InvalidTransition):
        update_application(application, people["researcher"], {"title": "Late"}, version=3)
    db.session.rollback()
    assert db.session.get(Application, application.id).title == "New title"


# Submit ------------------------------------------------------------------------------------
def test_submit_sets_submitted_at_and_notifies_the_reviewing_director(db, make, people):
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   programme=people["programme"])
    transition(application, "submit", people["researcher"], version=1)
    db.session.commit()
    stored = db.session.get(Application, application.id)
    assert stored.status == "submitted" and stored.submitted_at is not None
    assert notified(db, stored) == [people["director"].id]
    event = events(db, stored)[-1]
    assert (event.actor_id, event.action, event.from_status, event.to_status) == (
        people["researcher"].id, "submit", "draft", "submitted")


def test_submit_rechecks_the_rules(db, make, people):
    closed = make.programme("outgoing", opens_on=date.today() - timedelta(days=90),
                            closes_on=date.today() - timedelta(days=1))
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   programme=closed)
    with pytest.raises(InvalidValues) as refused:
        transition(application, "submit", people["researcher"], version=1)
    assert "programme_id" in refused.value.fields
    long_stay = make.application(applicant=people["researcher"], host=people["partner"],
                                 programme=make.programme("outgoing", max_days=10))
    with pytest.raises(InvalidValues) as refused:
        transition(long_stay, "submit", people["researcher"], version=1)
    assert "end_date" in refused.value.fields


def test_director_applicant_is_endorsed_by_an_admin_never_by_themselves(db, make, people):
    director = people["director"]
    application = make.application(applicant=director, host=people["partner"],
                                   programme=people["programme"])
    transition(application, "submit", director, version=1)
    db.session.commit()
    assert notified(db, application) == [people["admin"].id]
    with pytest.raises(NotAllowed):
        transition(application, "endorse", director, version=2)
    transition(application, "endorse", people["admin"], version=2)
    db.session.commit()
    assert db.session.get(Application, application.id).status == "endorsed"


def test_an_admin_never_endorses_or_approves_their_own(db, make, people):
    # An admin who also directs the reviewing unit applies: another admin must act.
    boss = make.user(roles=("admin", "director", "researcher"), lab=people["other_unit"])
    people["other_unit"].director = boss
    db.session.commit()
    second_admin = make.user(roles=("admin",), lab=people["other_unit"])
    application = make.application(applicant=boss, status="submitted", host=people["partner"],
                                   programme=people["programme"])
    with pytest.raises(NotAllowed):
        transition(application, "endorse", boss, version=1)
    transition(application, "endorse", second_admin, version=1)
    db.session.commit()
    with pytest.raises(NotAllowed):
        transition(application, "approve", boss, version=2, awarded_amount="10")
    with pytest.raises(NotAllowed):
        transition(application, "reject", boss, comment="No.", version=2)


def test_self_endorsement_by_a_director_of_another_lab_is_refused(db, make, people):
    application = submitted(make, people)
    with pytest.raises(NotAllowed):
        transition(application, "endorse", people["other_director"], version=1)


# Comments, amounts, budget, versions -------------------------------------------------------
@pytest.mark.parametrize("action,status,actor", [
    ("return", "submitted", "director"),
    ("return", "endorsed", "admin"),
    ("decline", "submitted", "director"),
    ("reject", "endorsed", "admin"),
    ("cancel", "approved", "researcher"),
    ("cancel", "approved", "admin"),
])
@pytest.mark.parametrize("comment", ["", "   "])
def test_these_actions_need_a_comment(db, make, people, action, status, actor, comment):
    application = make.application(applicant=people["researcher"], status=status,
                                   host=people["partner"], programme=people["programme"])
    with pytest.raises(InvalidValues) as refused:
        transition(application, action, people[actor], comment=comment, version=1)
    assert list(refused.value.fields) == ["comment"]
    db.session.rollback()
    assert db.session.get(Application, application.id).status == status


def test_approve_needs_a_valid_amount(db, make, people):
    application = make.application(applicant=people["researcher"], status="endorsed",
                                   host=people["partner"], programme=people["programme"])
    for amount in (None, "", "-5", "abc", "1.234"):
        with pytest.raises(InvalidValues) as refused:
            transition(application, "approve", people["admin"], version=1, awarded_amount=amount)
        assert "awarded_amount" in refused.value.fields
    transition(application, "approve", people["admin"], version=1, awarded_amount="0")
    db.session.commit()
    assert db.session.get(Application, application.id).awarded_amount == Decimal("0.00")


def test_budget_overrun_is_refused(db, make, people):
    programme = make.programme("outgoing", budget=Decimal("1000.00"))
    make.application(applicant=people["other_researcher"], status="approved",
                     host=people["partner"], programme=programme,
                     awarded_amount=Decimal("800.00"))
    make.application(applicant=people["other_researcher"], status="cancelled",
                     host=people["partner"], programme=programme,
                     awarded_amount=Decimal("900.00"))  # cancelled: no longer counts
    application = make.application(applicant=people["researcher"], status="endorsed",
                                   host=people["partner"], programme=programme)
    assert remaining_budgets([programme.id]) == {programme.id: Decimal("200.00")}
    with pytest.raises(InvalidValues) as refused:
        transition(application, "approve", people["admin"], version=1, awarded_amount="200.01")
    assert "awarded_amount" in refused.value.fields
    db.session.rollback()
    transition(application, "approve", people["admin"], version=1, awarded_amount="200.00")
    db.session.commit()
    assert remaining_budgets([programme.id]) == {programme.id: Decimal("0.00")}


def test_stale_version_is_refused_and_changes_nothing(db, make, people):
    application = submitted(make, people)
    transition(application, "endorse", people["director"], version=1)
    db.session.commit()
    with pytest.raises(StaleVersion) as refused:
        transition(application, "return", people["admin"], comment="Fix it.", version=1)
    assert refused.value.status == 409
    db.session.rollback()
    stored = db.session.get(Application, application.id)
    assert (stored.status, stored.version) == ("endorsed", 2)
    assert [e.action for e in events(db, stored)] == ["endorse"]


def test_a_row_changed_behind_our_back_loses_the_conditional_update(db, make, people):
    application = submitted(make, people)
    # Another transaction moved the row on; this session still holds version 1 in memory.
    db.session.execute(sa.update(Application).where(Application.id == application.id)
                       .values(version=2, status="endorsed")
                       .execution_options(synchronize_session=False))
    with pytest.raises(StaleVersion):
        transition(application, "decline", people["director"], comment="No.")
    db.session.rollback()
    assert events(db, application) == []


def test_complete_only_after_the_end_date(db, make, people):
    application = make.application(applicant=people["researcher"], status="approved",
                                   host=people["partner"], programme=people["programme"],
                                   awarded_amount=Decimal("10"))
    with pytest.raises(InvalidTransition):
        transition(application, "complete", people["admin"], version=1, today=application.end_date)
    transition(application, "complete", people["admin"], version=1,
               today=application.end_date + timedelta(days=1))
    db.session.commit()
    assert notified(db, application) == [people["researcher"].id]


def test_unknown_action_is_an_invalid_value(db, make, people):
    application = submitted(make, people)
    with pytest.raises(InvalidValues) as refused:
        transition(application, "teleport", people["director"])
    assert "action" in refused.value.fields


# Notifications: the people who act next, never the actor -----------------------------------
def test_notifications_follow_the_workflow(db, make, people):
    second_admin = make.user(roles=("admin",), lab=people["other_unit"])
    application = make.application(applicant=people["researcher"], host=people["partner"],
                                   programme=people["programme"])
    steps = [
        ("submit", people["researcher"], {}, [people["director"].id]),
        ("return", people["director"], {"comment": "Dates?"}, [people["researcher"].id]),
        ("submit", people["researcher"], {}, [people["director"].id]),
        ("endorse", people["director"], {}, sorted([people["admin"].id, second_admin.id])),
        ("approve", people["admin"], {"awarded_amount": "900"}, [people["researcher"].id]),
        ("cancel", people["researcher"], {"comment": "Ill."},
         sorted([people["admin"].id, second_admin.id])),
    ]
    for action, actor, extra, expected in steps:
        before = {n.id for n in db.session.scalars(sa.select(Notification))}
        transition(application, action, actor, **extra)
        db.session.commit()
        new = db.session.scalars(sa.select(Notification).where(Notification.id.not_in(before))).all()
        assert sorted(n.user_id for n in new) == expected, action
        assert all(application.reference in n.subject for n in new)
    history = events(db, application)
    assert [e.action for e in history] == [s[0] for s in steps]
    assert history[1].comment == "Dates?"


# Overlaps ----------------------------------------------------------------------------------
def test_overlaps_are_found_among_active_applications_of_the_same_person(db, make, people):
    start = date.today() + timedelta(days=100)
    mine = dict(applicant=people["researcher"], host=people["partner"], programme=people["programme"])
    subject = make.application(status="submitted", start_date=start,
                               end_date=start + timedelta(days=10), **mine)
    approved = make.application(status="approved", start_date=start + timedelta(days=10),
                                end_date=start + timedelta(days=20), **mine)
    make.application(status="draft", start_date=start, end_date=start + timedelta(days=5), **mine)
    make.application(status="withdrawn", start_date=start, end_date=start + timedelta(days=5), **mine)
    make.application(status="approved", start_date=start + timedelta(days=11),
                     end_date=start + timedelta(days=30), applicant=people["researcher"],
                     host=people["partner"], programme=people["programme"])
    someone_else = make.application(applicant=people["other_researcher"], status="approved",
                                    host=people["partner"], programme=people["programme"],
                                    start_date=start, end_date=start + timedelta(days=3))
    assert [a.id for a in overlapping_applications(subject)] == [approved.id]
    assert ids_with_overlaps([subject, someone_else]) == {subject.id}


def test_overlong_comment_is_refused(db, make, people):
    application = submitted(make, people)
    with pytest.raises(InvalidValues) as refused:
        transition(application, "decline", people["director"], comment="x" * 5001, version=1)
    assert list(refused.value.fields) == ["comment"]


# Funding and cost items ------------------------------------------------------------------
def unit_mission(people, **changes):
    data = draft_data(people, funding="unit", budget_line="LPMC-MISSIONS", **changes)
    del data["programme_id"]
    return data


def test_a_unit_mission_has_no_programme_and_any_length_from_one_day(db, people):
    start = date.today() + timedelta(days=20)
    application = create_application(people["researcher"], "outgoing",
                                     unit_mission(people, start_date=start, end_date=start))
    assert (application.funding, application.programme_id) == ("unit", None)
    assert application.budget_line == "LPMC-MISSIONS"
    assert application.duration_days == 1


def test_funding_left_out_follows_the_programme(db, people):
    with_call = create_application(people["researcher"], "outgoing", draft_data(people))
    data = draft_data(people)
    del data["programme_id"]
    without = create_application(people["researcher"], "outgoing", data)
    assert (with_call.funding, without.funding) == ("programme", "unit")


def test_cost_items_make_up_the_requested_amount_in_their_order(db, people):
    items = [{"kind": "travel", "description": "Train", "amount": "320.50"},
             {"kind": "accommodation", "description": " Hotel ", "amount": Decimal("140")}]
    application = create_application(
        people["researcher"], "outgoing",
        unit_mission(people, cost_items=items, requested_amount="99999.00"))
    db.session.commit()
    assert application.requested_amount == Decimal("460.50")  # the sum, not what was typed
    assert [(item.kind, item.description, item.amount) for item in application.cost_items] == [
        ("travel", "Train", Decimal("320.50")), ("accommodation", "Hotel", Decimal("140.00"))]


def test_editing_replaces_cost_items_and_switching_to_the_unit_leaves_the_call(db, people):
    application = create_application(
        people["researcher"], "outgoing",
        draft_data(people, cost_items=[{"kind": "travel", "amount": "100"}]))
    update_application(application, people["researcher"],
                       {"funding": "unit", "cost_items": [{"kind": "visa", "amount": "60"},
                                                          {"kind": "other", "amount": "5.5"}]},
                       application.version)
    db.session.commit()
    assert (application.funding, application.programme_id) == ("unit", None)
    assert [item.kind for item in application.cost_items] == ["visa", "other"]
    assert application.requested_amount == Decimal("65.50")
    # An edit that does not name the cost items keeps them.
    update_application(application, people["researcher"], {"title": "Visa run"},
                       application.version)
    db.session.commit()
    assert len(application.cost_items) == 2 and application.requested_amount == Decimal("65.50")


def test_a_refused_cost_item_stores_nothing(db, people):
    with pytest.raises(InvalidValues):
        create_application(people["researcher"], "outgoing",
                           unit_mission(people, cost_items=[{"kind": "travel", "amount": "x"}]))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_the_director_approves_a_unit_mission_from_submitted_without_the_office(db, people):
    application = create_application(
        people["researcher"], "outgoing",
        unit_mission(people, cost_items=[{"kind": "travel", "amount": "250"}]))
    transition(application, "submit", people["researcher"], version=application.version)
    # The office does not decide missions on the unit's funds: not theirs (403), not "not now".
    with pytest.raises(NotAllowed):
        transition(application, "approve", people["admin"], version=application.version)
    # Nor is a unit mission endorsed for the office.
    with pytest.raises((NotAllowed, InvalidTransition)):
        transition(application, "endorse", people["director"], version=application.version)
    transition(application, "approve", people["director"], version=application.version)
    db.session.commit()
    assert application.status == "approved"
    assert application.awarded_amount == Decimal("250.00")  # what was asked, by default


def test_a_programme_call_still_needs_the_office_after_endorsement(db, people):
    application = create_application(people["researcher"], "outgoing", draft_data(people))
    transition(application, "submit", people["researcher"], version=application.version)
    with pytest.raises((NotAllowed, InvalidTransition)):
        transition(application, "approve", people["director"], version=application.version,
                   awarded_amount="100")
    transition(application, "endorse", people["director"], version=application.version)
    with pytest.raises(InvalidValues) as refused:
        transition(application, "approve", people["admin"], version=application.version)
    assert "awarded_amount" in refused.value.fields  # the office names the amount
