"""GET/POST /api/v1/laboratories and PATCH /api/v1/laboratories/{id}."""

import pytest

from tests.api.conftest import ROLE_NAMES, assert_error, count
from tracker.auth.models import User
from tracker.directory.models import Laboratory

NOT_ADMINS = [role for role in ROLE_NAMES if role != "admin"]


def _names(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["acronym"] for item in response.get_json()["items"]]


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_everyone_signed_in_lists_laboratories(api, org, role):
    response = api.get("/api/v1/laboratories", getattr(org, role))
    body = response.get_json()
    assert body["total"] == 4 and body["page"] == 1 and body["per_page"] == 25
    assert {item["acronym"] for item in body["items"]} == {"UNIT", "OTHER", "PART", "JNT"}
    unit = next(item for item in body["items"] if item["acronym"] == "UNIT")
    assert unit == {"id": org.unit.id, "name": "Unit of physics", "acronym": "UNIT",
                    "kind": "unit", "institution": "Institution", "city": "Paris",
                    "country": "FR", "director_id": org.director.id,
                    "restricted_zone": False}


def test_filters_and_search(api, org):
    admin = org.admin
    assert _names(api.get("/api/v1/laboratories?kind=partner", admin)) == ["PART"]
    assert _names(api.get("/api/v1/laboratories?country=jp", admin)) == ["JNT"]
    assert _names(api.get("/api/v1/laboratories?q=berlin", admin)) == ["PART"]
    assert _names(api.get("/api/v1/laboratories?q=%25", admin)) == []
    assert _names(api.get("/api/v1/laboratories?kind=unit&country=FR", admin)) == ["OTHER", "UNIT"]


def test_search_ignores_case_and_accents(api, org, make):
    make.lab("partner", acronym="ENS", name="École normale supérieure", city="Lyon")
    make.lab("partner", acronym="KTH", name="Kungliga Tekniska högskolan", city="Stockholm",
             institution="Ingénierie")
    make.lab("partner", acronym="NTNU", name="Norges teknisk-naturvitenskapelige", city="Tromsø")
    admin = org.admin
    assert _names(api.get("/api/v1/laboratories?q=ecole", admin)) == ["ENS"]
    assert _names(api.get("/api/v1/laboratories?q=%C3%89COLE%20NORMALE", admin)) == ["ENS"]
    assert _names(api.get("/api/v1/laboratories?q=superieure", admin)) == ["ENS"]
    # Accents typed where the stored name has none, and in the institution.
    assert _names(api.get("/api/v1/laboratories?q=h%C3%A9gskolan", admin)) == []
    assert _names(api.get("/api/v1/laboratories?q=hogskolan", admin)) == ["KTH"]
    assert _names(api.get("/api/v1/laboratories?q=ingenierie", admin)) == ["KTH"]
    assert _names(api.get("/api/v1/laboratories?q=tromso", admin)) == ["NTNU"]
    assert _names(api.get("/api/v1/laboratories?q=T%C3%A9kn", admin)) == ["KTH", "NTNU"]
    # Wildcards are taken literally, accents or not.
    assert _names(api.get("/api/v1/laboratories?q=%C3%A9_ole", admin)) == []
    assert _names(api.get("/api/v1/laboratories?q=_", admin)) == []


def test_paging(api, org):
    first = api.get("/api/v1/laboratories?per_page=3", org.admin).get_json()
    second = api.get("/api/v1/laboratories?per_page=3&page=2", org.admin).get_json()
    assert first["total"] == second["total"] == 4
    assert len(first["items"]) == 3 and len(second["items"]) == 1


@pytest.mark.parametrize("query", ["kind=moon", "country=ZZ", "page=0", "per_page=101",
                                   "per_page=ten", "sort=name"])
def test_bad_query_is_422(api, org, query):
    error = assert_error(api.get(f"/api/v1/laboratories?{query}", org.admin), 422)
    assert query.split("=")[0] in error["fields"]


def test_anonymous(api, org):
    assert_error(api.get("/api/v1/laboratories"), 401)
    assert_error(api.post("/api/v1/laboratories", json={}), 401)
    assert_error(api.patch(f"/api/v1/laboratories/{org.unit.id}", json={}), 401)


# Creating -----------------------------------------------------------------------------------
def test_admin_creates(api, org, db):
    response = api.post("/api/v1/laboratories", org.admin, json={
        "name": " Max Planck Institute ", "acronym": "MPI", "kind": "joint_unit",
        "institution": "MPG", "city": "Munich", "country": "de", "director_id": org.director.id,
    })
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "Max Planck Institute" and body["country"] == "DE"
    lab = db.session.get(Laboratory, body["id"])
    assert lab.kind == "joint_unit" and lab.director_id == org.director.id


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_others_may_not_create(api, org, role):
    response = api.post("/api/v1/laboratories", getattr(org, role),
                        json={"name": "X", "kind": "partner", "country": "DE"})
    assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("body, fields", [
    ({}, {"name", "kind", "country"}),
    ({"name": "X", "kind": "unit", "country": "DE"}, {"country"}),
    ({"name": "X", "kind": "partner", "country": "FR"}, {"country"}),
    ({"name": "X", "kind": "joint_unit", "country": "FR"}, {"country"}),
    ({"name": "X", "kind": "partner", "country": "DE", "director_id": 1}, {"director_id"}),
    ({"name": "X", "kind": "unit", "country": "FR", "director_id": 999999}, {"director_id"}),
    ({"name": "  ", "kind": "castle", "country": "Germany"}, {"name", "kind", "country"}),
    ({"name": "X" * 201, "kind": "partner", "country": "DE"}, {"name"}),
    ({"name": "X", "kind": "partner", "country": "DE", "id": 7, "created_at": "now"},
     {"id", "created_at"}),
    ({"name": 12, "kind": ["unit"], "country": None}, {"name", "kind", "country"}),
    ({"name": "A\x00B", "kind": "partner", "country": "DE", "city": "\x00"}, {"name", "city"}),
])
def test_create_refuses_invalid_values(api, org, db, body, fields):
    error = assert_error(api.post("/api/v1/laboratories", org.admin, json=body), 422, "invalid")
    assert set(error["fields"]) == fields
    assert all(isinstance(messages, list) and messages for messages in error["fields"].values())
    assert count(Laboratory) == 4


def test_a_new_director_gets_the_role_as_on_the_web_form(api, org, db):
    """The API writes through the directory services: naming a director grants the role
    and ends that person's sessions, so they sign in again with it."""
    token_before = org.researcher.session_token
    response = api.post("/api/v1/laboratories", org.admin, json={
        "name": "X", "kind": "unit", "country": "FR", "director_id": org.researcher.id})
    assert response.status_code == 201
    db.session.expire_all()
    researcher = db.session.get(User, org.researcher.id)
    assert researcher.has_role("director")
    assert researcher.session_token != token_before


def test_an_inactive_person_cannot_direct(api, org, db):
    org.researcher.active = False
    db.session.commit()
    response = api.post("/api/v1/laboratories", org.admin, json={
        "name": "X", "kind": "unit", "country": "FR", "director_id": org.researcher.id})
    assert assert_error(response, 422)["fields"] == {"director_id": ["No active person has this id."]}
    assert count(Laboratory) == 4


def test_body_errors(api, org):
    assert_error(api.post("/api/v1/laboratories", org.admin, data="{",
                          content_type="application/json"), 400)
    assert_error(api.post("/api/v1/laboratories", org.admin, data="name=x"), 415)


# Changing -----------------------------------------------------------------------------------
def test_admin_changes_only_what_is_sent(api, org, db):
    response = api.patch(f"/api/v1/laboratories/{org.partner.id}", org.admin,
                         json={"city": "Hamburg", "acronym": "PI"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["city"] == "Hamburg" and body["acronym"] == "PI" and body["name"] == "Partner institute"
    db.session.expire_all()
    assert db.session.get(Laboratory, org.partner.id).city == "Hamburg"


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_others_may_not_change(api, org, role):
    response = api.patch(f"/api/v1/laboratories/{org.partner.id}", getattr(org, role),
                         json={"city": "Hamburg"})
    assert_error(response, 403)


def test_patch_order_of_errors(api, org):
    # Unknown laboratory: 404 before 403, and before any body problem.
    assert_error(api.patch("/api/v1/laboratories/999999", org.researcher, json={"x": 1}), 404)
    assert_error(api.patch("/api/v1/laboratories/999999", org.admin, data="{"), 404)
    assert_error(api.patch(f"/api/v1/laboratories/{2**40}", org.admin, json={}), 404)
    # Not allowed: 403 before an invalid body.
    response = api.patch(f"/api/v1/laboratories/{org.unit.id}", org.director, json={"x": 1})
    assert_error(response, 403)


@pytest.mark.parametrize("body, fields", [
    ({"country": "DE"}, {"country"}),  # a unit stays in France
    ({"kind": "partner"}, {"country", "director_id"}),
    ({"name": None}, {"name"}),
    ({"director_id": 999999}, {"director_id"}),
    ({"status": "closed"}, {"status"}),
])
def test_patch_refuses_what_breaks_the_rules(api, org, db, body, fields):
    response = api.patch(f"/api/v1/laboratories/{org.unit.id}", org.admin, json=body)
    assert set(assert_error(response, 422)["fields"]) == fields
    db.session.expire_all()
    lab = db.session.get(Laboratory, org.unit.id)
    assert lab.country == "FR" and lab.kind == "unit" and lab.director_id == org.director.id


def test_patch_moves_a_partner_to_joint_unit_with_a_director(api, org):
    response = api.patch(f"/api/v1/laboratories/{org.partner.id}", org.admin,
                         json={"kind": "joint_unit", "director_id": org.other_director.id})
    assert response.status_code == 200
    assert response.get_json()["director_id"] == org.other_director.id
