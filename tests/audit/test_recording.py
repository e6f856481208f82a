"""Each change of the directory writes one audit entry with who, what, before and after;
nothing is written when nothing changed."""

from datetime import date
from decimal import Decimal

import pytest

from tests.api.conftest import Api
from tests.audit.conftest import entries
from tests.conftest import post_form, sign_in
from tracker.applications.models import RequirementRule
from tracker.audit import services as audit
from tracker.auth.registration import decide_home_request, register_person
from tracker.core.errors import InvalidValues
from tracker.directory import services
from tracker.extensions import db


def _user_values(user, **changes):
    values = dict(email=user.email, full_name=user.full_name, category=user.category,
                  nationality=user.nationality, home_laboratory_id=user.home_laboratory_id,
                  roles=user.roles, active=user.active)
    values.update(changes)
    return values


# The service ---------------------------------------------------------------------------------
def test_json_values_are_iso_days_and_decimal_strings():
    assert audit.json_value(date(2026, 3, 1)) == "2026-03-01"
    assert audit.json_value(Decimal("1200.50")) == "1200.50"
    assert audit.json_value({"a": [Decimal("1"), date(2026, 1, 2)]}) == {"a": ["1", "2026-01-02"]}
    assert audit.json_value({"b", "a"}) == ["a", "b"]


def test_record_keeps_only_the_changed_keys(make):
    lab = make.lab("partner", name="Before")
    entry = audit.record(None, "update", "laboratory", lab,
                         {"name": "Before", "city": "Boston", "budget": Decimal("1.00")},
                         {"name": "After", "city": "Boston", "budget": Decimal("1.00")})
    assert entry.before == {"name": "Before"} and entry.after == {"name": "After"}
    assert entry.subject_id == str(lab.id) and entry.actor_id is None


def test_record_writes_nothing_when_nothing_changed(make):
    lab = make.lab("partner")
    assert audit.record(None, "update", "laboratory", lab, {"name": "x"}, {"name": "x"}) is None
    assert entries() == []


def test_record_keeps_a_deletion_whole_and_refuses_unknown_kinds(make, db):
    admin = make.user(roles=("admin",))
    entry = audit.record(admin, "delete", "delegation", 7, before={"from": "A", "to": "B"},
                         label="A to B")
    db.session.commit()
    assert (entry.before, entry.after, entry.subject_label) == ({"from": "A", "to": "B"}, None,
                                                                "A to B")
    with pytest.raises(ValueError):
        audit.record(admin, "update", "application", 1, {}, {"a": 1})
    with pytest.raises(ValueError):
        audit.record(admin, "rename", "laboratory", 1, {}, {"a": 1})


# People --------------------------------------------------------------------------------------
def test_an_edit_of_a_person_records_the_changed_fields(make, db):
    unit = make.lab("unit", acronym="PHY", name="Physics")
    other = make.lab("unit", acronym="CHM", name="Chemistry")
    admin = make.user(roles=("admin",), full_name="Ada Admin")
    person = make.user(lab=unit, full_name="Rita Researcher", email="rita@example.org")

    services.update_user(person, admin, **_user_values(
        person, full_name="Rita Chercheuse", home_laboratory_id=other.id,
        roles=["researcher", "security_officer"]))
    db.session.commit()

    [entry] = entries("user")
    assert entry.actor_id == admin.id and entry.action == "update"
    assert entry.subject_id == str(person.id)
    assert entry.subject_label == "Rita Chercheuse <rita@example.org>"
    assert entry.before == {
        "full_name": "Rita Researcher",
        "home_laboratory_id": {"id": unit.id, "label": "PHY — Physics"},
        "roles": ["researcher"],
    }
    assert entry.after == {
        "full_name": "Rita Chercheuse",
        "home_laboratory_id": {"id": other.id, "label": "CHM — Chemistry"},
        "roles": ["researcher", "security_officer"],
    }


def test_deactivation_is_recorded_and_an_unchanged_save_is_not(make, db):
    admin = make.user(roles=("admin",))
    person = make.user()
    services.update_user(person, admin, **_user_values(person))
    db.session.commit()
    assert entries() == []

    services.update_user(person, admin, **_user_values(person, active=False))
    db.session.commit()
    [entry] = entries()
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})


def test_a_refused_edit_records_nothing(make, db):
    admin = make.user(roles=("admin",))
    with pytest.raises(InvalidValues):
        services.update_user(admin, admin, **_user_values(admin, roles=["researcher"]))
    db.session.rollback()
    assert entries() == []


def test_the_edit_page_names_the_signed_in_admin(client, admin, make):
    person = make.user(full_name="Pat Person", email="pat@example.org")
    data = {"full_name": "Pat Person", "email": "pat@example.org", "category": "engineer",
            "nationality": "FR", "home_laboratory_id": "", "roles": ["researcher"],
            "active": "y"}
    response = post_form(client, f"/admin/users/{person.id}", data)
    assert response.status_code == 302
    [entry] = entries()
    assert entry.actor_id == admin.id
    assert (entry.before, entry.after) == ({"category": "researcher"}, {"category": "engineer"})


# Laboratories --------------------------------------------------------------------------------
def _lab_values(**changes):
    values = dict(name="Laboratoire de physique", acronym="LPX", kind="unit",
                  institution="Organisation", city="Lyon", country="FR", director=None,
                  restricted_zone=False)
    values.update(changes)
    return values


def test_a_new_laboratory_is_recorded_whole_and_its_director_given_the_role(make, db):
    from tracker.directory.models import Laboratory

    admin = make.user(roles=("admin",))
    dana = make.user(full_name="Dana Director", email="dana@example.org")
    lab = Laboratory()
    services.save_laboratory(lab, **_lab_values(director=dana), actor=admin)
    db.session.commit()

    lab_entry, = entries("laboratory")
    assert lab_entry.action == "create" and lab_entry.actor_id == admin.id
    assert lab_entry.before is None
    assert lab_entry.after == {
        "name": "Laboratoire de physique", "acronym": "LPX", "kind": "unit",
        "institution": "Organisation", "city": "Lyon", "country": "FR",
        "director_id": {"id": dana.id, "label": "Dana Director <dana@example.org>"},
        "restricted_zone": False,
    }
    assert lab_entry.subject_label == "LPX — Laboratoire de physique"
    role_entry, = entries("user")
    assert role_entry.subject_id == str(dana.id) and role_entry.actor_id == admin.id
    assert (role_entry.before, role_entry.after) == ({"roles": ["researcher"]},
                                                     {"roles": ["researcher", "director"]})


def test_a_laboratory_edit_through_the_api_names_the_token_holder(client, make):
    admin = make.user(roles=("admin",), full_name="Ada Admin")
    lab = make.lab("partner", country="DE", acronym="PART", city="Berlin")
    response = Api(client).patch(f"/api/v1/laboratories/{lab.id}", admin,
                                 json={"city": "Munich"})
    assert response.status_code == 200, response.get_data(as_text=True)
    [entry] = entries()
    assert entry.actor_id == admin.id and entry.action == "update"
    assert (entry.before, entry.after) == ({"city": "Berlin"}, {"city": "Munich"})

    # The same values again: nothing changed, nothing written.
    Api(client).patch(f"/api/v1/laboratories/{lab.id}", admin, json={"city": "Munich"})
    assert len(entries()) == 1


# Programmes and their budgets ------------------------------------------------------------------
def _programme_values(programme, **changes):
    values = dict(name=programme.name, direction=programme.direction,
                  opens_on=programme.opens_on, closes_on=programme.closes_on,
                  min_days=programme.min_days, max_days=programme.max_days,
                  budget=programme.budget, eligible_categories=programme.eligible_categories,
                  description=programme.description, active=programme.active)
    values.update(changes)
    return values


def test_a_budget_change_is_recorded_as_decimal_strings_and_days_as_iso(make, db):
    admin = make.user(roles=("admin",))
    programme = make.programme(name="Short stays", budget=Decimal("100000.00"),
                               opens_on=date(2026, 1, 1), closes_on=date(2026, 12, 31))
    services.save_programme(programme, **_programme_values(
        programme, budget=Decimal("120000.50"), closes_on=date(2027, 1, 31),
        eligible_categories=["researcher"]), actor=admin)
    db.session.commit()

    [entry] = entries()
    assert entry.subject_type == "programme" and entry.subject_label == "Short stays"
    assert entry.before == {"budget": "100000.00", "closes_on": "2026-12-31",
                            "eligible_categories": ["researcher", "engineer", "phd_student",
                                                    "postdoc", "other"]}
    assert entry.after == {"budget": "120000.50", "closes_on": "2027-01-31",
                           "eligible_categories": ["researcher"]}

    services.save_programme(programme, **_programme_values(programme), actor=admin)
    db.session.commit()
    assert len(entries()) == 1


def test_a_programme_created_through_the_api_is_recorded(client, make):
    admin = make.user(roles=("admin",))
    response = Api(client).post("/api/v1/programmes", admin, json={
        "name": "Long stays", "direction": "incoming", "opens_on": "2026-01-01",
        "closes_on": "2026-06-30", "min_days": 30, "max_days": 365, "budget": "5000.00",
        "eligible_categories": ["postdoc"], "description": "", "active": True,
    })
    assert response.status_code == 201, response.get_data(as_text=True)
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.before) == ("create", admin.id, None)
    assert entry.after["budget"] == "5000.00" and entry.after["opens_on"] == "2026-01-01"
    assert entry.subject_id == str(response.get_json()["id"])


# Countries -----------------------------------------------------------------------------------
def test_a_first_level_is_a_change_from_green_and_the_same_level_again_is_nothing(make, db):
    officer = make.user(roles=("security_officer",))
    services.set_country_level("ml", "red", "Conflict zones.", officer)
    db.session.commit()
    [entry] = entries()
    assert (entry.subject_type, entry.subject_id, entry.subject_label) == ("country", "ML", "Mali")
    assert entry.actor_id == officer.id and entry.action == "update"
    assert entry.before == {"risk_level": "green", "note": ""}
    assert entry.after == {"risk_level": "red", "note": "Conflict zones."}

    services.set_country_level("ML", "red", "Conflict zones.", officer)
    db.session.commit()
    assert len(entries()) == 1


def test_a_level_set_through_the_api_is_recorded(client, make):
    admin = make.user(roles=("admin",))
    services.set_country_level("DE", "yellow", "", admin)
    db.session.commit()
    response = Api(client).call("PUT", "/api/v1/countries/DE", admin,
                                json={"risk_level": "orange"})
    assert response.status_code == 200, response.get_data(as_text=True)
    entry = entries()[-1]
    assert (entry.before, entry.after) == ({"risk_level": "yellow"}, {"risk_level": "orange"})


# Requirement rules -----------------------------------------------------------------------------
def test_a_rule_created_then_switched_off_writes_two_entries(client, admin, db):
    data = {"code": "visa_needed", "name": "Long stays need a visa", "direction": "incoming",
            "min_days": "91", "min_risk_level": "", "non_eu_national": "y",
            "document_kind": "visa", "opinion_kind": "", "blocks": "approve", "active": "y"}
    assert post_form(client, "/admin/rules/new", data).status_code == 302
    rule = db.session.scalar(db.select(RequirementRule))
    assert post_form(client, f"/admin/rules/{rule.id}/switch", {},
                     page="/admin/rules").status_code == 302

    created, switched = entries("requirement_rule")
    assert created.action == "create" and created.actor_id == admin.id
    assert created.after["code"] == "visa_needed" and created.after["min_days"] == 91
    assert created.after["non_eu_national"] is True
    assert switched.action == "update"
    assert (switched.before, switched.after) == ({"active": True}, {"active": False})


# Registration and home-unit requests -----------------------------------------------------------
def test_a_registration_and_its_confirmed_home_unit_are_recorded(app, make, db):
    unit = make.lab("unit", acronym="PHY", name="Physics")
    director = make.director_of(unit)
    with app.test_request_context():
        person = register_person("new@example.org", "New Person", "a long enough passphrase",
                                 "researcher", "FR", requested_laboratory_id=unit.id)
        db.session.commit()
        decide_home_request(person, True, actor=director)
        db.session.commit()

    created, confirmed = [entry for entry in entries("user") if entry.subject_id == str(person.id)]
    assert created.action == "create" and created.actor_id == person.id
    assert created.after["email"] == "new@example.org" and created.after["home_laboratory_id"] is None
    assert confirmed.actor_id == director.id
    assert (confirmed.before, confirmed.after) == (
        {"home_laboratory_id": None},
        {"home_laboratory_id": {"id": unit.id, "label": "PHY — Physics"}})


def test_a_refused_home_unit_request_records_nothing(app, make, db):
    unit = make.lab("unit")
    director = make.director_of(unit)
    person = make.user(requested_laboratory_id=unit.id)
    before = len(entries())
    with app.test_request_context():
        decide_home_request(person, False, actor=director)
        db.session.commit()
    assert len(entries()) == before


def test_a_kind_without_listed_fields_is_snapshot_by_the_fields_named(make):
    person = make.user(full_name="Sam Standin", email="sam@example.org")
    lab = make.lab("unit", acronym="PHY", name="Physics")
    values = audit.snapshot("delegation", lab, fields=("acronym", "director_id"))
    assert values == {"acronym": "PHY", "director_id": None}
    lab.director_id = person.id
    entry = audit.record(person, "update", "delegation", lab, values,
                         audit.snapshot("delegation", lab, fields=("acronym", "director_id")),
                         label="PHY")
    assert entry.after == {"director_id": {"id": person.id,
                                           "label": "Sam Standin <sam@example.org>"}}


def test_an_invited_visitor_s_new_account_names_the_inviter(client, make, db):
    from datetime import timedelta

    unit = make.lab("unit", acronym="PHY")
    partner = make.lab("partner", country="DE")
    director = make.director_of(unit)
    start = date.today() + timedelta(days=60)
    response = Api(client).post("/api/v1/invitations", director, json={
        "email": "visitor@example.org", "full_name": "Vera Visitor", "nationality": "DE",
        "host_laboratory_id": unit.id, "home_laboratory_id": partner.id, "funding": "unit",
        "title": "A visit", "purpose": "research_stay", "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=10)).isoformat(),
    })
    assert response.status_code == 201, response.get_data(as_text=True)
    [entry] = entries("user")
    assert (entry.action, entry.actor_id) == ("create", director.id)
    assert entry.subject_label == "Vera Visitor <visitor@example.org>"
    assert entry.after["nationality"] == "DE" and entry.after["roles"] == ["researcher"]


# The command line ------------------------------------------------------------------------------
def test_create_admin_is_recorded_with_no_actor(app):
    answers = ("boss@example.org\nBarbara Boss\nfour long words of passphrase\n"
               "four long words of passphrase\n")
    result = app.test_cli_runner().invoke(args=["create-admin"], input=answers)
    assert result.exit_code == 0, result.output
    [entry] = entries()
    assert (entry.action, entry.subject_type, entry.actor_id) == ("create", "user", None)
    assert entry.subject_label == "Barbara Boss <boss@example.org>"
    assert entry.after["roles"] == ["researcher", "admin"]


def test_the_demo_s_country_levels_are_recorded_as_set_by_its_security_officer(app, db):
    from tests.requirement_world import seed_default_rules
    from tracker.auth.services import user_by_email
    from tracker.commands.demo import COUNTRY_LEVELS, seed_demo

    seed_default_rules()  # as a new database has them
    seed_demo()
    db.session.commit()
    officer = user_by_email("security@example.org")
    countries = entries("country")
    assert len(countries) == len(COUNTRY_LEVELS)
    assert {entry.actor_id for entry in countries} == {officer.id}
