"""Fixtures for the API tests: a small organisation and a client that speaks with real tokens."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from tracker.extensions import db


class Api:
    """Calls the API over HTTP; ``user=`` sends a bearer token created through the API."""

    def __init__(self, client):
        self.client = client
        self.tokens = {}

    def token(self, user):
        if user.id not in self.tokens:
            response = self.client.post(
                "/api/v1/auth/tokens", json={"email": user.email, "password": PASSWORD}
            )
            assert response.status_code == 201, response.get_data(as_text=True)
            self.tokens[user.id] = response.get_json()["token"]
        return self.tokens[user.id]

    def call(self, method, path, user=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path, user=None, **kwargs):
        return self.call("GET", path, user, **kwargs)

    def post(self, path, user=None, **kwargs):
        return self.call("POST", path, user, **kwargs)

    def patch(self, path, user=None, **kwargs):
        return self.call("PATCH", path, user, **kwargs)

    def delete(self, path, user=None, **kwargs):
        return self.call("DELETE", path, user, **kwargs)


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def org(make):
    """Two units with their directors and researchers, a partner abroad, an admin."""
    unit = make.lab("unit", acronym="UNIT", name="Unit of physics", city="Paris")
    other_unit = make.lab("unit", acronym="OTHER", name="Other unit", city="Lyon")
    partner = make.lab("partner", country="DE", acronym="PART", name="Partner institute",
                       city="Berlin")
    joint = make.lab("joint_unit", country="JP", acronym="JNT", name="Joint unit Tokyo",
                     city="Tokyo")
    director = make.director_of(unit, full_name="Dana Director")
    other_director = make.director_of(other_unit, full_name="Omar Otherdirector")
    researcher = make.user(lab=unit, full_name="Rita Researcher")
    other_researcher = make.user(lab=other_unit, full_name="Oscar Other")
    admin = make.user(roles=("admin",), lab=unit, full_name="Ada Admin")
    return SimpleNamespace(
        unit=unit, other_unit=other_unit, partner=partner, joint=joint,
        director=director, other_director=other_director,
        researcher=researcher, other_researcher=other_researcher, admin=admin,
    )


ROLE_NAMES = ("researcher", "other_researcher", "director", "other_director", "admin")


def assert_error(response, status, code=None):
    """``response`` is an API error of ``status`` in the format of docs/api.md; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    assert "Traceback" not in response.get_data(as_text=True)
    return error


def count(model):
    """Rows of ``model`` in the database now."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
