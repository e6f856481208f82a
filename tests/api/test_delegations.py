"""Stand-ins through the API: giving, listing, cancelling, every refusal, and what a
stand-in may do during the delegation (and not before, after, or on their own request)."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.api.conftest import assert_error
from tests.requirement_world import as_unit_mission, build_world, outgoing
from tracker.applications.models import Event
from tracker.delegations.models import Delegation
from tracker.delegations.services import announce_started
from tracker.extensions import db
from tracker.notifications.models import Notification

TODAY = date.today()


@pytest.fixture
def w(make):
    return build_world(make)


def give(api, giver, delegate, starts_on=TODAY, ends_on=None):
    body = {"delegate_id": delegate if isinstance(delegate, int) else delegate.id,
            "starts_on": str(starts_on),
            "ends_on": str(ends_on or starts_on + timedelta(days=6))}
    return api.post("/api/v1/delegations", user=giver, json=body)


def endorse(api, user, application):
    return api.post(f"/api/v1/applications/{application.id}/transitions", user=user,
                    json={"action": "endorse", "version": application.version})


# Giving, listing, cancelling --------------------------------------------------------------
def test_a_director_names_a_stand_in_and_both_see_it(api, w):
    response = give(api, w["director"], w["researcher"], TODAY + timedelta(days=3))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created == {
        "id": created["id"], "delegator_id": w["director"].id,
        "delegator_name": "Unit Director", "delegate_id": w["researcher"].id,
        "delegate_name": "Rita Researcher", "starts_on": str(TODAY + timedelta(days=3)),
        "ends_on": str(TODAY + timedelta(days=9)), "status": "upcoming",
        "created_at": created["created_at"], "cancelled_at": None,
    }
    mine = api.get("/api/v1/delegations", user=w["director"]).get_json()
    assert [d["id"] for d in mine["given"]] == [created["id"]] and mine["received"] == []
    theirs = api.get("/api/v1/delegations", user=w["researcher"]).get_json()
    assert theirs["given"] == [] and [d["id"] for d in theirs["received"]] == [created["id"]]
    # Nobody else sees it, nor cancels it.
    assert api.get("/api/v1/delegations", user=w["other"]).get_json() == {
        "given": [], "received": []}
    assert_error(api.delete(f"/api/v1/delegations/{created['id']}", user=w["admin"]), 404,
                 "not_found")


def test_an_admin_names_a_stand_in(api, w):
    response = give(api, w["admin"], w["other"])
    assert response.status_code == 201 and response.get_json()["status"] == "running"


def test_only_directors_and_admins_name_stand_ins(api, w):
    error = assert_error(give(api, w["researcher"], w["other"]), 403, "forbidden")
    assert "directors and administrators" in error["message"]
    assert_error(api.post("/api/v1/delegations", user=w["security"], json={}), 403)
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == 0


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"delegate_id": "self"}, "delegate_id", "yourself"),
    ({"delegate_id": 999999}, "delegate_id", "Choose the person"),
    ({"delegate_id": "inactive"}, "delegate_id", "not active"),
    ({"starts_on": str(TODAY - timedelta(days=1))}, "starts_on", "past"),
    ({"ends_on": str(TODAY - timedelta(days=1)), "starts_on": str(TODAY)}, "ends_on",
     "before the first"),
    ({"ends_on": str(TODAY + timedelta(days=366))}, "ends_on", "366 days"),
])
def test_each_refusal_names_its_field(api, make, w, change, field, words):
    body = {"delegate_id": w["researcher"].id, "starts_on": str(TODAY),
            "ends_on": str(TODAY + timedelta(days=6)), **change}
    if body["delegate_id"] == "self":
        body["delegate_id"] = w["director"].id
    elif body["delegate_id"] == "inactive":
        body["delegate_id"] = make.user(lab=w["unit"], active=False).id
    error = assert_error(api.post("/api/v1/delegations", user=w["director"], json=body), 422,
                         "invalid")
    assert list(error["fields"]) == [field]
    assert words in " ".join(error["fields"][field])
    assert db.session.scalar(sa.select(sa.func.count(Delegation.id))) == 0


def test_a_year_is_the_longest_delegation(api, w):
    response = give(api, w["director"], w["researcher"], TODAY, TODAY + timedelta(days=365))
    assert response.status_code == 201


def test_missing_or_malformed_values_are_422(api, w):
    error = assert_error(api.post("/api/v1/delegations", user=w["director"], json={}), 422)
    assert set(error["fields"]) == {"delegate_id", "starts_on", "ends_on"}
    error = assert_error(api.post("/api/v1/delegations", user=w["director"], json={
        "delegate_id": "x", "starts_on": "tomorrow", "ends_on": "2026-02-30", "extra": 1}), 422)
    assert set(error["fields"]) == {"delegate_id", "starts_on", "ends_on", "extra"}


def test_an_overlapping_delegation_is_refused_with_the_other_named(api, w):
    assert give(api, w["director"], w["researcher"], TODAY + timedelta(days=5)).status_code == 201
    error = assert_error(give(api, w["director"], w["other"], TODAY, TODAY + timedelta(days=5)),
                         422)
    assert "overlaps your delegation to Rita Researcher" in error["fields"]["starts_on"][0]
    # Next to it, not overlapping: fine. Another delegator's period is theirs.
    assert give(api, w["director"], w["other"], TODAY, TODAY + timedelta(days=4)).status_code == 201
    assert give(api, w["admin"], w["researcher"], TODAY).status_code == 201


def test_cancelling_one_not_started_deletes_it(api, w):
    created = give(api, w["director"], w["researcher"], TODAY + timedelta(days=2)).get_json()
    assert_error(api.delete(f"/api/v1/delegations/{created['id']}", user=w["researcher"]), 403)
    response = api.delete(f"/api/v1/delegations/{created['id']}", user=w["director"])
    assert response.status_code == 204
    assert db.session.get(Delegation, created["id"]) is None


def test_cancelling_one_in_progress_ends_it_today_and_the_rights_at_once(api, make, w):
    application = outgoing(make, w, w["partner_de"], applicant=w["other"])
    created = give(api, w["director"], w["researcher"]).get_json()
    assert api.get(f"/api/v1/applications/{application.id}", user=w["researcher"]).status_code == 200
    assert api.delete(f"/api/v1/delegations/{created['id']}",
                      user=w["director"]).status_code == 204
    listed = api.get("/api/v1/delegations", user=w["director"]).get_json()["given"]
    assert listed[0]["status"] == "cancelled" and listed[0]["ends_on"] == str(TODAY)
    assert listed[0]["cancelled_at"] is not None
    assert_error(api.get(f"/api/v1/applications/{application.id}", user=w["researcher"]), 404)
    assert_error(endorse(api, w["researcher"], application), 404)
    # Done is done: a second cancel is a conflict; so is one of an ended delegation.
    assert_error(api.delete(f"/api/v1/delegations/{created['id']}", user=w["director"]), 409,
                 "delegation_ended")


def test_an_ended_delegation_cannot_be_cancelled(api, make, w):
    ended = make.delegation(w["director"], w["researcher"], TODAY - timedelta(days=10),
                            TODAY - timedelta(days=1))
    assert_error(api.delete(f"/api/v1/delegations/{ended.id}", user=w["director"]), 409,
                 "delegation_ended")
    listed = api.get("/api/v1/delegations", user=w["director"]).get_json()["given"]
    assert listed[0]["status"] == "ended"


# What a stand-in may do -------------------------------------------------------------------
def test_the_stand_in_acts_for_the_director_only_during_the_delegation(api, make, w):
    application = outgoing(make, w, w["partner_de"], applicant=w["other"])
    # Before it starts: not theirs to see or do.
    upcoming = make.delegation(w["director"], w["researcher"], TODAY + timedelta(days=1))
    assert_error(api.get(f"/api/v1/applications/{application.id}", user=w["researcher"]), 404)
    listed = api.get("/api/v1/applications", user=w["researcher"]).get_json()["items"]
    assert application.id not in [item["id"] for item in listed]
    # During it: seen, listed, endorsed; the Event names both.
    upcoming.starts_on = TODAY
    db.session.commit()
    listed = api.get("/api/v1/applications", user=w["researcher"]).get_json()["items"]
    assert application.id in [item["id"] for item in listed]
    response = endorse(api, w["researcher"], application)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "endorsed"
    events = api.get(f"/api/v1/applications/{application.id}/events",
                     user=w["researcher"]).get_json()["items"]
    assert events[-1]["action"] == "endorse"
    assert events[-1]["actor_id"] == w["researcher"].id
    assert events[-1]["on_behalf_of_id"] == w["director"].id


def test_after_the_delegation_the_stand_in_has_no_rights_left(api, make, w):
    application = outgoing(make, w, w["partner_de"], applicant=w["other"])
    make.delegation(w["director"], w["researcher"], TODAY - timedelta(days=8),
                    TODAY - timedelta(days=1))
    assert_error(api.get(f"/api/v1/applications/{application.id}", user=w["researcher"]), 404)
    assert_error(endorse(api, w["researcher"], application), 404)


def test_a_stand_in_never_acts_on_their_own_application(api, make, w):
    own = outgoing(make, w, w["partner_de"], applicant=w["researcher"])
    make.delegation(w["director"], w["researcher"])
    error = assert_error(endorse(api, w["researcher"], own), 403, "forbidden")
    assert error["message"]
    for action in ("decline", "return"):
        assert_error(api.post(f"/api/v1/applications/{own.id}/transitions", user=w["researcher"],
                              json={"action": action, "comment": "No.", "version": own.version}),
                     403)
    assert db.session.get(type(own), own.id).status == "submitted"


def test_the_director_acting_with_their_own_rights_is_not_named_twice(api, make, w):
    application = outgoing(make, w, w["partner_de"], applicant=w["other"])
    make.delegation(w["director"], w["researcher"])
    assert endorse(api, w["director"], application).status_code == 200
    event = db.session.scalars(sa.select(Event).where(Event.action == "endorse")).one()
    assert event.actor_id == w["director"].id and event.on_behalf_of_id is None


def test_a_stand_in_approves_a_unit_mission_for_the_director(api, make, w):
    application = as_unit_mission(outgoing(make, w, w["partner_de"], applicant=w["other"]))
    make.delegation(w["director"], w["researcher"])
    response = api.post(f"/api/v1/applications/{application.id}/transitions",
                        user=w["researcher"], json={"action": "approve",
                                                    "version": application.version})
    assert response.status_code == 200 and response.get_json()["status"] == "approved"


def test_an_admins_stand_in_decides_but_administers_nothing(api, make, w):
    application = outgoing(make, w, w["partner_de"], applicant=w["other"], status="endorsed")
    make.delegation(w["admin"], w["researcher"])
    response = api.post(f"/api/v1/applications/{application.id}/transitions",
                        user=w["researcher"], json={"action": "approve", "version":
                                                    application.version,
                                                    "awarded_amount": "1000.00"})
    assert response.status_code == 200, response.get_json()
    event = db.session.scalars(sa.select(Event).where(Event.action == "approve")).one()
    assert (event.actor_id, event.on_behalf_of_id) == (w["researcher"].id, w["admin"].id)
    # Completing, cancelling someone's stay, the directory: the admin's own.
    assert_error(api.post(f"/api/v1/applications/{application.id}/transitions",
                          user=w["researcher"], json={"action": "cancel", "comment": "No.",
                                                      "version": application.version + 1}),
                 404)
    assert_error(api.post("/api/v1/laboratories", user=w["researcher"], json={}), 403)


def test_an_inactive_delegator_gives_no_rights(api, make, w):
    application = outgoing(make, w, w["partner_de"], applicant=w["other"])
    make.delegation(w["director"], w["researcher"])
    w["director"].active = False
    db.session.commit()
    assert_error(api.get(f"/api/v1/applications/{application.id}", user=w["researcher"]), 404)


# Notices of the start ---------------------------------------------------------------------
def _notices():
    return db.session.execute(
        sa.select(Notification.user_id, Notification.subject).order_by(Notification.id)
    ).all()


def test_a_delegation_starting_today_is_announced_to_both_once(api, w):
    give(api, w["director"], w["researcher"])
    assert _notices() == [(w["researcher"].id, "You stand in for Unit Director"),
                          (w["director"].id, "Rita Researcher stands in for you")]
    assert announce_started(TODAY) == 0
    db.session.commit()
    assert len(_notices()) == 2


def test_a_later_delegation_is_announced_on_its_first_day_once(api, w):
    start = TODAY + timedelta(days=4)
    give(api, w["director"], w["researcher"], start)
    assert _notices() == []
    assert announce_started(start - timedelta(days=1)) == 0
    assert announce_started(start) == 1
    db.session.commit()
    assert len(_notices()) == 2
    assert announce_started(start) == 0 and announce_started(start + timedelta(days=1)) == 0
    db.session.commit()
    assert len(_notices()) == 2


def test_the_notice_is_in_each_recipients_language(api, make, w):
    french = make.user(lab=w["unit"], full_name="Françoise Française", locale="fr")
    give(api, w["director"], french)
    bodies = dict(db.session.execute(sa.select(Notification.user_id, Notification.body)).all())
    assert "stands in for you" in bodies[w["director"].id]
    assert "vous suppléez Unit Director" in bodies[french.id]


def test_a_stand_in_gives_the_host_opinion_for_the_joint_units_director(api, make, w):
    theirs = outgoing(make, w, w["joint"], applicant=w["other"])
    own = outgoing(make, w, w["joint"], applicant=w["researcher"])
    make.delegation(w["host"], w["researcher"])
    body = {"kind": "host", "verdict": "favourable"}
    response = api.post(f"/api/v1/applications/{theirs.id}/opinions", user=w["researcher"],
                        json=body)
    assert response.status_code == 201, response.get_json()
    event = db.session.scalars(sa.select(Event).where(Event.action == "opinion")).one()
    assert (event.actor_id, event.on_behalf_of_id) == (w["researcher"].id, w["host"].id)
    assert_error(api.post(f"/api/v1/applications/{own.id}/opinions", user=w["researcher"],
                          json=body), 403)


def test_giving_and_cancelling_are_in_the_audit_of_the_directory(api, w):
    from tracker.audit.models import AuditEntry

    def entries():
        return db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.subject_type == "delegation")
            .order_by(AuditEntry.id)).all()

    later = give(api, w["director"], w["researcher"], TODAY + timedelta(days=3)).get_json()
    running = give(api, w["admin"], w["other"], TODAY).get_json()
    assert api.delete(f"/api/v1/delegations/{later['id']}", user=w["director"]).status_code == 204
    assert api.delete(f"/api/v1/delegations/{running['id']}", user=w["admin"]).status_code == 204
    found = entries()
    assert [(e.action, e.actor_id) for e in found] == [
        ("create", w["director"].id), ("create", w["admin"].id),
        ("delete", w["director"].id), ("update", w["admin"].id)]
    assert found[0].subject_label == "Rita Researcher → Unit Director"
    assert found[0].after["starts_on"] == str(TODAY + timedelta(days=3))
    assert found[2].before["delegate_id"]["id"] == w["researcher"].id and found[2].after is None
    # Cancelled while running: it ends today, and only that is recorded.
    assert found[3].before == {"ends_on": str(TODAY + timedelta(days=6))}
    assert found[3].after == {"ends_on": str(TODAY)}


def test_a_request_waits_on_the_reviewer_and_their_stand_in_during_the_delegation(
        api, make, w):
    submitted = outgoing(make, w, w["partner_de"])  # Rita's: her director reviews it
    others = outgoing(make, w, w["partner_de"], applicant=w["admin"])

    def waiting(application):
        body = api.get(f"/api/v1/applications/{application.id}", user=w["admin"]).get_json()
        return [person["id"] for person in body["waiting_on"]]

    assert waiting(submitted) == [w["director"].id]
    # Tomorrow's stand-in is not waited on yet.
    give(api, w["director"], w["other"], TODAY + timedelta(days=1))
    assert waiting(submitted) == [w["director"].id]
    # Today's is, after the director; a stand-in is never waited on for their own request.
    db.session.execute(sa.delete(Delegation))
    db.session.commit()
    assert give(api, w["director"], w["researcher"], TODAY).status_code == 201
    assert waiting(others) == [w["director"].id, w["researcher"].id]
    assert waiting(submitted) == [w["director"].id]


def test_a_stand_in_finds_the_delegators_queue_on_the_home_page(client, login, api, make, w):
    outgoing(make, w, w["partner_de"], applicant=w["admin"])
    # Tomorrow's delegation gives nothing today; today's gives the director's block.
    assert give(api, w["director"], w["other"], TODAY + timedelta(days=1)).status_code == 201
    login(w["other"])
    assert 'id="queue-director"' not in client.get("/").get_data(as_text=True)
    db.session.execute(sa.update(Delegation).values(starts_on=TODAY))
    db.session.commit()
    assert 'id="queue-director"' in client.get("/").get_data(as_text=True)


def test_a_request_submitted_during_a_delegation_reaches_the_stand_in_too(api, make, w):
    draft = outgoing(make, w, w["partner_de"], status="draft", applicant=w["other"])
    assert give(api, w["director"], w["researcher"], TODAY).status_code == 201
    db.session.execute(sa.delete(Notification))
    db.session.commit()
    response = api.post(f"/api/v1/applications/{draft.id}/transitions", user=w["other"],
                        json={"action": "submit", "version": draft.version})
    assert response.status_code == 200, response.get_json()
    told = db.session.scalars(sa.select(Notification.user_id).where(
        Notification.application_id == draft.id)).all()
    assert sorted(told) == sorted([w["director"].id, w["researcher"].id])
    # Never the applicant, even when they stand in for the reviewer.
    mine = outgoing(make, w, w["partner_de"], status="draft", applicant=w["researcher"])
    api.post(f"/api/v1/applications/{mine.id}/transitions", user=w["researcher"],
             json={"action": "submit", "version": mine.version})
    assert db.session.scalars(sa.select(Notification.user_id).where(
        Notification.application_id == mine.id)).all() == [w["director"].id]
