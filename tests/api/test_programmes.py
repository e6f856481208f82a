"""GET/POST /api/v1/programmes."""

from datetime import date
from decimal import Decimal

import pytest

from tests.api.conftest import ROLE_NAMES, assert_error, count
from tracker.directory.models import MAX_STAY_DAYS, Programme

NOT_ADMINS = [role for role in ROLE_NAMES if role != "admin"]
VALID = {"name": "Summer schools", "direction": "outgoing", "opens_on": "2031-01-01",
         "closes_on": "2031-03-31", "budget": "50000"}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_everyone_signed_in_lists_all_programmes(api, make, org, role):
    make.programme("outgoing", name="Open call")
    make.programme("incoming", name="Closed call", active=False)
    body = api.get("/api/v1/programmes", getattr(org, role)).get_json()
    assert body["total"] == 2
    assert {item["name"] for item in body["items"]} == {"Open call", "Closed call"}


def test_programme_json_and_filters(api, make, org):
    programme = make.programme("incoming", name="Visiting chairs", budget=Decimal("1234.5"),
                               categories=("postdoc", "researcher"), min_days=30, max_days=365)
    make.programme("outgoing", active=False)
    items = api.get("/api/v1/programmes?direction=incoming", org.admin).get_json()["items"]
    assert items == [{
        "id": programme.id, "name": "Visiting chairs", "direction": "incoming",
        "opens_on": programme.opens_on.isoformat(), "closes_on": programme.closes_on.isoformat(),
        "min_days": 30, "max_days": 365, "budget": "1234.50",
        "eligible_categories": ["researcher", "postdoc"], "description": "", "active": True,
    }]
    inactive = api.get("/api/v1/programmes?active=false", org.admin).get_json()["items"]
    assert [item["direction"] for item in inactive] == ["outgoing"]


@pytest.mark.parametrize("query", ["direction=up", "active=perhaps", "per_page=500", "name=x"])
def test_bad_query_is_422(api, org, query):
    assert query.split("=")[0] in assert_error(
        api.get(f"/api/v1/programmes?{query}", org.admin), 422)["fields"]


def test_admin_creates(api, org, db):
    response = api.post("/api/v1/programmes", org.admin, json={
        **VALID, "min_days": 5, "max_days": 60, "eligible_categories": ["phd_student"],
        "description": "Schools abroad.", "active": False})
    assert response.status_code == 201
    body = response.get_json()
    assert body["budget"] == "50000.00" and body["eligible_categories"] == ["phd_student"]
    programme = db.session.get(Programme, body["id"])
    assert programme.opens_on == date(2031, 1, 1) and programme.budget == Decimal("50000.00")
    assert programme.active is False


def test_defaults(api, org):
    body = api.post("/api/v1/programmes", org.admin, json=VALID).get_json()
    assert body["min_days"] == 1 and body["max_days"] == MAX_STAY_DAYS
    assert body["eligible_categories"] == ["researcher", "engineer", "phd_student", "postdoc",
                                           "other"]
    assert body["active"] is True


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_others_may_not_create(api, org, role):
    assert_error(api.post("/api/v1/programmes", getattr(org, role), json=VALID), 403)


def test_anonymous(api):
    assert_error(api.get("/api/v1/programmes"), 401)
    assert_error(api.post("/api/v1/programmes", json=VALID), 401)


@pytest.mark.parametrize("changes, fields", [
    ({"closes_on": "2030-12-31"}, {"closes_on"}),
    ({"min_days": 10, "max_days": 9}, {"max_days"}),
    ({"max_days": MAX_STAY_DAYS + 1}, {"max_days"}),
    ({"min_days": 0}, {"min_days"}),
    ({"budget": "-1"}, {"budget"}),
    ({"budget": "NaN"}, {"budget"}),
    ({"budget": "lots"}, {"budget"}),
    ({"budget": "1" * 13}, {"budget"}),
    ({"direction": "both"}, {"direction"}),
    ({"opens_on": "31/01/2031"}, {"opens_on"}),
    ({"eligible_categories": []}, {"eligible_categories"}),
    ({"eligible_categories": ["researcher", "wizard"]}, {"eligible_categories.1"}),
    ({"id": 3, "remaining": "10"}, {"id", "remaining"}),
])
def test_create_refuses_invalid_values(api, org, db, changes, fields):
    response = api.post("/api/v1/programmes", org.admin, json={**VALID, **changes})
    assert set(assert_error(response, 422)["fields"]) >= fields
    assert count(Programme) == 0
