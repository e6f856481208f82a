"""Input that nothing could store or parse safely is refused with a clear 400 (or a 404 for
an id no row can have), on every way in, before any view runs: never a 500."""

import json

import pytest

from tests.conftest import csrf_token, post_form

UNSTORABLE = "The request contains characters that cannot be stored"


# Web pages: query strings and forms ---------------------------------------------------------
@pytest.mark.parametrize("path", [
    "/auth/login?next=/a%00b", "/reports/applications?q=a%00b",
    "/reports/applications.csv?q=a%00b", "/admin/users?q=%00", "/applications/?x%00=1",
])
def test_a_nul_in_a_query_string_is_a_clear_400(client, login, make, path):
    login(make.user(roles=("admin", "director")))
    response = client.get(path)
    assert response.status_code == 400
    assert UNSTORABLE in response.get_data(as_text=True)


def test_a_nul_in_the_sign_in_form_is_a_clear_400(client, make):
    user = make.user()
    response = post_form(client, "/auth/login", {"email": user.email + "\x00",
                                                 "password": "whatever"})
    assert response.status_code == 400
    assert UNSTORABLE in response.get_data(as_text=True)


def test_a_nul_in_registration_is_refused_and_creates_nobody(client, db):
    from tracker.auth.models import User

    before = db.session.query(User).count()
    response = post_form(client, "/auth/register", {
        "full_name": "Null\x00Person", "email": "null@example.org", "category": "researcher",
        "nationality": "FR", "password": "a long enough passphrase", "confirm":
        "a long enough passphrase"}, page="/auth/register")
    assert response.status_code == 400
    assert UNSTORABLE in response.get_data(as_text=True)
    assert db.session.query(User).count() == before


def test_a_nul_in_an_application_form_or_a_comment_changes_nothing(client, login, make, db):
    application = make.application(status="submitted")
    director = make.director_of(application.home_laboratory)
    login(director)
    token = csrf_token(client, f"/applications/{application.id}")
    response = client.post(f"/applications/{application.id}/actions/return", data={
        "csrf_token": token, "return-comment": "Please\x00fix", "return-version": "1"})
    assert response.status_code == 400
    assert UNSTORABLE in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.status == "submitted" and application.version == 1


# JSON bodies ------------------------------------------------------------------------------
def _post_json(client, path, text):
    return client.post(path, data=text, content_type="application/json")


@pytest.mark.parametrize("text", [
    '{"email": "\\udfff@x.org", "password": "x"}',
    '{"email": "a@x.org", "password": "\\ud800"}',
    '{"\\udfff": 1}',
    "[" * 1000 + "]" * 1000,
    '{"a": ' * 200 + "1" + "}" * 200,
])
def test_anonymous_token_requests_with_broken_json_are_400(client, text):
    response = _post_json(client, "/api/v1/auth/tokens", text)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_broken_json_in_an_application_write_is_400_and_writes_nothing(app, make, db):
    from tracker.applications.models import Application
    from tracker.auth.tokens import issue_token

    user = make.user(lab=make.lab("unit"))
    token, _ = issue_token(user)
    db.session.commit()
    client = app.test_client()
    body = json.dumps({"direction": "outgoing", "title": "x"}).replace('"x"', '"\\udfff"')
    response = client.post("/api/v1/applications", data=body,
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert db.session.query(Application).count() == 0


def test_json_within_the_depth_limit_still_parses(client):
    from tracker.core.hygiene import MAX_JSON_DEPTH

    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    response = _post_json(client, "/api/v1/auth/tokens", nested)
    # Parsed, then refused for what it is: not a JSON object.
    assert response.status_code == 400
    assert "JSON object" in response.get_json()["error"]["message"]


# Ids in URLs ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [
    "/applications/2147483648", "/applications/99999999999999999999",
    "/admin/users/99999999999999999999", "/admin/laboratories/2147483648",
    "/api/v1/applications/2147483648", "/api/v1/applications/1/documents/2147483648",
])
def test_ids_past_what_a_column_holds_are_unknown(client, login, make, path):
    login(make.user(roles=("admin",)))
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [
    "/notifications/2147483648/read", "/auth/tokens/99999999999999999999/revoke",
])
def test_posts_to_ids_past_the_range_are_unknown(client, login, make, path):
    login(make.user())
    assert post_form(client, path, {}, page="/notifications/").status_code == 404
