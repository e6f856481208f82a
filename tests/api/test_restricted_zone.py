"""Laboratories carry ``restricted_zone``; POST and PATCH set it, for units only."""

from tests.api.conftest import assert_error


def test_api_carries_and_sets_the_flag(api, org, db):
    listing = api.get("/api/v1/laboratories", user=org.researcher).get_json()["items"]
    assert all(item["restricted_zone"] is False for item in listing)
    response = api.patch(f"/api/v1/laboratories/{org.unit.id}", user=org.admin,
                         json={"restricted_zone": True})
    assert response.status_code == 200 and response.get_json()["restricted_zone"] is True
    # A PATCH of another field keeps the flag.
    response = api.patch(f"/api/v1/laboratories/{org.unit.id}", user=org.admin,
                         json={"city": "Grenoble"})
    assert response.get_json()["restricted_zone"] is True
    created = api.post("/api/v1/laboratories", user=org.admin, json={
        "name": "New protected unit", "kind": "unit", "country": "FR", "restricted_zone": True})
    assert created.status_code == 201 and created.get_json()["restricted_zone"] is True


def test_api_refuses_a_restricted_laboratory_abroad(api, org, db):
    error = assert_error(api.patch(f"/api/v1/laboratories/{org.partner.id}", user=org.admin,
                                   json={"restricted_zone": True}), 422)
    assert "restricted_zone" in error["fields"]
    error = assert_error(api.post("/api/v1/laboratories", user=org.admin, json={
        "name": "Abroad", "kind": "joint_unit", "country": "JP", "restricted_zone": True}), 422)
    assert "restricted_zone" in error["fields"]
    assert_error(api.patch(f"/api/v1/laboratories/{org.unit.id}", user=org.researcher,
                           json={"restricted_zone": True}), 403)
