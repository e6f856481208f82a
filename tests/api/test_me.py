"""GET /api/v1/me."""

import pytest

from tests.api.conftest import ROLE_NAMES, assert_error


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_me_for_every_role(api, org, role):
    user = getattr(org, role)
    response = api.get("/api/v1/me", user)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == user.id and body["email"] == user.email
    assert body["full_name"] == user.full_name
    assert body["category"] == "researcher" and body["nationality"] == "FR"
    assert body["home_laboratory_id"] == user.home_laboratory_id
    assert body["roles"] == user.roles
    directed = {"director": org.unit.id, "other_director": org.other_unit.id}
    assert [lab["id"] for lab in body["directed_laboratories"]] == (
        [directed[role]] if role in directed else []
    )
    assert "password_hash" not in body and "session_token" not in body


def test_me_by_session(client, org, login):
    login(org.director)
    body = client.get("/api/v1/me").get_json()
    assert body["roles"] == ["researcher", "director"]
    assert body["directed_laboratories"][0]["acronym"] == "UNIT"


def test_me_anonymous(api):
    assert_error(api.get("/api/v1/me"), 401, "not_authenticated")


def test_me_carries_the_language_chosen_else_the_default(api, db, org):
    # No choice yet: the default, the language of the person's messages.
    assert api.get("/api/v1/me", org.researcher).get_json()["locale"] == "en"
    org.researcher.locale = "fr"
    db.session.commit()
    assert api.get("/api/v1/me", org.researcher).get_json()["locale"] == "fr"


def test_the_description_shows_the_locale_of_me(client):
    user = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["User"]
    assert user["properties"]["locale"]["enum"] == ["en", "fr"]
    assert "locale" in user["required"]
