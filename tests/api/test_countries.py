"""GET and PUT /api/v1/countries: levels read by everyone signed in, set by admins and
security officers."""

import pytest

from tests.api.conftest import assert_error
from tracker.directory.models import Country


def test_list_every_country_green_unless_set(api, org, db):
    db.session.add(Country(code="ML", risk_level="red", note="Example", updated_by_id=org.admin.id))
    db.session.commit()
    response = api.get("/api/v1/countries", user=org.researcher)
    assert response.status_code == 200
    items = {item["code"]: item for item in response.get_json()["items"]}
    assert len(items) > 240
    assert items["ML"]["risk_level"] == "red" and items["ML"]["note"] == "Example"
    assert items["ML"]["updated_by_id"] == org.admin.id and items["ML"]["updated_at"]
    assert items["DE"] == {"code": "DE", "name": "Germany", "risk_level": "green", "note": "",
                           "updated_by_id": None, "updated_at": None}


def test_filter_by_level(api, org, db):
    db.session.add_all([Country(code="ML", risk_level="red", note=""),
                        Country(code="NE", risk_level="orange", note="")])
    db.session.commit()
    red = api.get("/api/v1/countries?risk_level=red", user=org.researcher).get_json()["items"]
    assert [item["code"] for item in red] == ["ML"]
    green = api.get("/api/v1/countries?risk_level=green", user=org.researcher).get_json()["items"]
    assert "ML" not in {item["code"] for item in green} and "DE" in {item["code"] for item in green}
    assert_error(api.get("/api/v1/countries?risk_level=purple", user=org.researcher), 422)


def test_get_one(api, org):
    response = api.get("/api/v1/countries/jp", user=org.researcher)
    assert response.status_code == 200
    assert response.get_json()["code"] == "JP" and response.get_json()["risk_level"] == "green"
    assert_error(api.get("/api/v1/countries/XX", user=org.researcher), 404, "not_found")


def test_admin_sets_a_level(api, org, db):
    response = api.call("PUT", "/api/v1/countries/ML", user=org.admin,
                        json={"risk_level": "orange", "note": "Example level"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["risk_level"] == "orange" and body["updated_by_id"] == org.admin.id
    # The note is kept when not sent.
    api.call("PUT", "/api/v1/countries/ML", user=org.admin, json={"risk_level": "red"})
    db.session.expire_all()
    row = db.session.get(Country, "ML")
    assert (row.risk_level, row.note) == ("red", "Example level")


def test_security_officer_sets_a_level(api, make, db):
    officer = make.user(roles=("security_officer",))
    response = api.call("PUT", "/api/v1/countries/NE", user=officer, json={"risk_level": "red"})
    assert response.status_code == 200
    assert db.session.get(Country, "NE").updated_by_id == officer.id


@pytest.mark.parametrize("role", ["researcher", "director"])
def test_others_may_not_set_a_level(api, org, db, role):
    response = api.call("PUT", "/api/v1/countries/ML", user=getattr(org, role),
                        json={"risk_level": "red"})
    assert_error(response, 403, "forbidden")
    assert db.session.get(Country, "ML") is None


def test_errors_come_in_the_documented_order(api, org, db):
    # 401 first, then an unknown country (404) before the caller's rights (403).
    assert_error(api.call("PUT", "/api/v1/countries/ML", json={"risk_level": "red"}), 401)
    assert_error(api.call("PUT", "/api/v1/countries/XX", user=org.researcher,
                          json={"risk_level": "red"}), 404)
    error = assert_error(api.call("PUT", "/api/v1/countries/ML", user=org.admin,
                                  json={"risk_level": "purple"}), 422)
    assert "risk_level" in error["fields"]
    error = assert_error(api.call("PUT", "/api/v1/countries/ML", user=org.admin,
                                  json={"risk_level": "red", "updated_by_id": 1}), 422)
    assert "updated_by_id" in error["fields"]
    assert db.session.get(Country, "ML") is None
