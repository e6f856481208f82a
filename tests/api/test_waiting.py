"""Who an application waits on, and since when, in its JSON (SPEC, Waiting)."""

from datetime import datetime, timezone

import pytest

from tests.requirement_world import set_risk
from tracker.applications.services import transition

SINCE = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


def waiting(api, application, user):
    body = api.get(f"/api/v1/applications/{application.id}", user).get_json()
    return [person["full_name"] for person in body["waiting_on"]], body["waiting_since"]


def security_rule(make):
    """Outgoing stays to an orange or red country need a security opinion before approval."""
    set_risk("UA", "orange")
    return make.rule(code="security_opinion", name="Risk country", min_days=None, purposes="",
                     direction="outgoing", min_risk_level="orange", document_kind=None,
                     opinion_kind="security", blocks="approve")


@pytest.mark.parametrize("status, who", [
    ("draft", ["Rita Researcher"]),
    ("returned", ["Rita Researcher"]),
    ("submitted", ["Dana Director"]),
    ("endorsed", ["Ada Admin"]),
])
def test_each_waiting_state_names_who_acts_next_and_since_when(api, make, org, status, who):
    application = make.application(applicant=org.researcher, host=org.partner, status=status,
                                   waiting_since=SINCE)

    assert waiting(api, application, org.admin) == (who, "2026-11-02T09:30:00+00:00")


@pytest.mark.parametrize("status", ["approved", "declined", "rejected", "withdrawn",
                                    "cancelled", "completed"])
def test_approved_and_ended_applications_wait_on_nobody(api, make, org, status):
    application = make.application(applicant=org.researcher, host=org.partner, status=status)

    assert waiting(api, application, org.admin) == ([], None)


def test_the_person_entries_carry_id_and_full_name(api, make, org):
    application = make.application(applicant=org.researcher, host=org.partner,
                                   status="submitted", waiting_since=SINCE)

    body = api.get(f"/api/v1/applications/{application.id}", org.researcher).get_json()

    assert body["waiting_on"] == [{"id": org.director.id, "full_name": "Dana Director"}]


def test_a_directors_own_request_waits_on_the_admins(api, make, org):
    second_admin = make.user(roles=("admin",), lab=org.other_unit, full_name="Bea Admin")
    application = make.application(applicant=org.director, host=org.partner,
                                   status="submitted", waiting_since=SINCE)

    names, _ = waiting(api, application, org.director)

    assert names == ["Ada Admin", "Bea Admin"] and second_admin.active


def test_an_admins_own_endorsed_request_waits_on_the_other_admins(api, make, org):
    office = make.user(roles=("admin",), lab=org.other_unit, full_name="Otto Office")
    application = make.application(applicant=org.admin, host=org.partner, status="endorsed",
                                   waiting_since=SINCE)

    assert waiting(api, application, org.admin)[0] == [office.full_name]


def test_an_inactive_director_leaves_the_request_to_the_admins(api, make, org, db):
    org.director.active = False
    db.session.commit()
    application = make.application(applicant=org.researcher, host=org.partner,
                                   status="submitted", waiting_since=SINCE)

    assert waiting(api, application, org.admin)[0] == ["Ada Admin"]


def test_a_missing_security_opinion_is_waited_on_beside_the_director(api, make, org):
    security_rule(make)
    officer = make.user(roles=("researcher", "security_officer"), lab=org.other_unit,
                        full_name="Sam Security")
    risky = make.lab("partner", country="UA", acronym="KYIV")
    application = make.application(applicant=org.researcher, host=risky, status="submitted",
                                   waiting_since=SINCE)

    assert waiting(api, application, org.admin)[0] == ["Dana Director", officer.full_name]


def test_once_endorsed_a_missing_security_opinion_is_all_the_decision_waits_on(
        api, make, org):
    security_rule(make)
    officer = make.user(roles=("researcher", "security_officer"), lab=org.other_unit,
                        full_name="Sam Security")
    risky = make.lab("partner", country="UA", acronym="KYIV")
    application = make.application(applicant=org.researcher, host=risky, status="endorsed",
                                   waiting_since=SINCE)

    assert waiting(api, application, org.admin)[0] == [officer.full_name]

    response = api.post(f"/api/v1/applications/{application.id}/opinions", officer,
                        json={"kind": "security", "verdict": "favourable"})
    assert response.status_code == 201, response.get_json()

    names, since = waiting(api, application, org.admin)
    assert names == ["Ada Admin"]
    assert since > "2026-11-02T09:30:00+00:00"  # the opinion started a new wait


def test_a_missing_host_opinion_is_waited_on_from_the_joint_units_director(api, make, org):
    make.rule(code="host_opinion", name="Joint unit", min_days=None, purposes="",
              direction="outgoing", host_joint_unit_director=True, document_kind=None,
              opinion_kind="host", blocks="approve")
    host_director = make.director_of(org.joint, full_name="Hana Host")
    application = make.application(applicant=org.researcher, host=org.joint,
                                   status="endorsed", waiting_since=SINCE)

    assert waiting(api, application, org.admin)[0] == [host_director.full_name]


def test_transitions_set_and_clear_waiting_since(api, make, org, db):
    application = make.application(applicant=org.researcher, host=org.partner,
                                   status="submitted", waiting_since=SINCE)

    response = api.post(f"/api/v1/applications/{application.id}/transitions", org.director,
                        json={"action": "endorse", "version": 1})
    body = response.get_json()
    assert response.status_code == 200, body
    assert [p["full_name"] for p in body["waiting_on"]] == ["Ada Admin"]
    assert body["waiting_since"] > "2026-11-02T09:30:00+00:00"

    db.session.refresh(application)
    transition(application, "approve", org.admin, version=2, awarded_amount="100.00")
    db.session.commit()
    assert waiting(api, application, org.researcher) == ([], None)


def test_a_new_draft_waits_on_its_applicant_from_its_creation(api, org, make):
    programme = make.programme("outgoing")
    body = api.post("/api/v1/applications", org.researcher, json={
        "direction": "outgoing", "programme_id": programme.id,
        "home_laboratory_id": org.unit.id, "host_laboratory_id": org.partner.id,
        "title": "Conference", "purpose": "conference",
        "start_date": "2030-03-01", "end_date": "2030-03-03", "requested_amount": "10.00",
    }).get_json()

    assert body["waiting_on"] == [{"id": org.researcher.id, "full_name": "Rita Researcher"}]
    assert body["waiting_since"] is not None


def test_the_list_carries_waiting_on_for_every_item(api, make, org):
    make.application(applicant=org.researcher, host=org.partner, status="submitted",
                     waiting_since=SINCE)
    make.application(applicant=org.researcher, host=org.partner, status="approved")

    items = api.get("/api/v1/applications", org.researcher).get_json()["items"]

    assert sorted([p["full_name"] for p in item["waiting_on"]] for item in items) == [
        [], ["Dana Director"]]
