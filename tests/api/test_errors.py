"""Every error under /api/ is JSON in the format of docs/api.md, Flask's own ones included."""

import pytest

from config import TestingConfig
from tests.api.conftest import assert_error, count
from tracker import create_app
from tracker.directory.models import Laboratory, Programme


def test_unknown_path_is_json_404(api, org):
    assert_error(api.get("/api/v1/nothing-here", org.admin), 404, "not_found")
    assert_error(api.get("/api/nothing-here"), 404, "not_found")


def test_wrong_method_is_json_405_with_allow(api, org):
    response = api.call("PUT", "/api/v1/me", org.admin)
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_too_large_is_json_413(app, api, org):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        response = api.post("/api/v1/laboratories", org.admin,
                            json={"name": "x" * 5000, "kind": "partner", "country": "DE"})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = TestingConfig.MAX_CONTENT_LENGTH
    assert_error(response, 413, "too_large")


@pytest.mark.parametrize("body, content_type, status", [
    ("{", "application/json", 400),
    ("", "application/json", 400),
    ("null", "application/json", 400),
    ("[1, 2]", "application/json", 400),
    ("\"text\"", "application/json", 400),
    ("\xff\xfe", "application/json", 400),
    ("name=x", "application/x-www-form-urlencoded", 415),
    ("<lab/>", "application/xml", 415),
])
def test_malformed_bodies(api, org, body, content_type, status):
    response = api.post("/api/v1/programmes", org.admin, data=body, content_type=content_type)
    assert_error(response, status)


def test_server_error_is_json_without_traceback(database_uri):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_uri)

    @app.route("/api/v1/explode")
    def explode():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/api/v1/explode")
    error = assert_error(response, 500, "server_error")
    assert "secret internals" not in response.get_data(as_text=True)
    assert "RuntimeError" not in error["message"]


def test_422_lists_every_offending_field(api, org):
    response = api.post("/api/v1/laboratories", org.admin,
                        json={"kind": "moon", "status": "approved", "version": 3})
    error = assert_error(response, 422, "invalid")
    assert set(error["fields"]) == {"name", "kind", "country", "status", "version"}
    assert error["fields"]["status"] == ["Unknown field."]


def test_responses_are_not_cached(api, org):
    assert api.get("/api/v1/me", org.admin).headers["Cache-Control"] == "no-store"


MASS_ASSIGNMENT = {"status": "approved", "applicant_id": 1, "version": 9,
                   "awarded_amount": "99999.00"}


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/v1/laboratories", {"name": "Lab", "kind": "partner", "country": "DE"}),
    ("PATCH", "/api/v1/laboratories/{partner}", {"city": "Bonn"}),
    ("POST", "/api/v1/programmes", {"name": "P", "direction": "outgoing", "budget": "10",
                                    "opens_on": "2031-01-01", "closes_on": "2031-02-01"}),
    ("POST", "/api/v1/auth/tokens", {"email": "x@example.org", "password": "whatever"}),
])
def test_mass_assignment_is_refused_and_changes_nothing(api, org, db, method, path, body):
    before = (count(Laboratory), count(Programme))
    response = api.call(method, path.format(partner=org.partner.id), org.admin,
                        json={**body, **MASS_ASSIGNMENT})
    error = assert_error(response, 422, "invalid")
    assert set(error["fields"]) == set(MASS_ASSIGNMENT)
    db.session.expire_all()
    assert (count(Laboratory), count(Programme)) == before
    assert db.session.get(Laboratory, org.partner.id).city == "Berlin"
