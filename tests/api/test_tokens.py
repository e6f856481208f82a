"""Personal tokens: creation, use, expiry, revocation, rate limits, CSRF, the profile page."""

import hashlib
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from tests.api.conftest import assert_error
from tests.conftest import PASSWORD, csrf_token, post_form
from tracker.auth.models import ApiToken
from tracker.directory.services import set_active


def _create(client, email, password=PASSWORD, **extra):
    return client.post("/api/v1/auth/tokens", json={"email": email, "password": password, **extra})


def _me(client, token):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_create_use_and_revoke(client, make, db):
    user = make.user(email="Ada@Example.org")
    response = _create(client, "ADA@example.org", name="nightly export")
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    token = body["token"]
    expires = datetime.fromisoformat(body["expires_at"])
    now = datetime.now(timezone.utc)
    assert timedelta(days=29, hours=23) < expires - now <= timedelta(days=30)

    # Stored hashed, never in clear.
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.token_hash, row.name) and row.name == "nightly export"

    me = _me(client, token)
    assert me.status_code == 200 and me.get_json()["id"] == user.id
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at is not None
    # A bearer request never starts a session.
    assert "Set-Cookie" not in me.headers

    revoked = client.delete("/api/v1/auth/tokens/current",
                            headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 204 and revoked.data == b""
    assert_error(_me(client, token), 401, "not_authenticated")
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is not None


def test_revoking_one_token_keeps_the_others(client, make):
    user = make.user()
    first = _create(client, user.email).get_json()["token"]
    second = _create(client, user.email).get_json()["token"]
    assert first != second
    client.delete("/api/v1/auth/tokens/current", headers={"Authorization": f"Bearer {first}"})
    assert _me(client, first).status_code == 401
    assert _me(client, second).status_code == 200


def test_expired_token_is_401(client, make, db):
    user = make.user()
    token = _create(client, user.email).get_json()["token"]
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    row.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    db.session.commit()
    assert_error(_me(client, token), 401, "not_authenticated")


def test_expiry_is_configurable(app, client, make):
    user = make.user()
    app.config["API_TOKEN_DAYS"] = 2
    try:
        body = _create(client, user.email).get_json()
    finally:
        app.config["API_TOKEN_DAYS"] = 30
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires - datetime.now(timezone.utc) <= timedelta(days=2)


def test_deactivated_users_tokens_are_401(client, make, db):
    user = make.user()
    token = _create(client, user.email).get_json()["token"]
    set_active(user, False)
    db.session.commit()
    assert_error(_me(client, token), 401)
    assert_error(_create(client, user.email), 401)


def test_unknown_and_malformed_authorization_is_401(client, make):
    user = make.user()
    for header in ("Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "token", "Bearer"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert_error(response, 401, "not_authenticated")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_token_is_401_even_with_a_session(client, make, login):
    user = make.user()
    login(user)
    assert client.get("/api/v1/me").status_code == 200
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer forged"})
    assert_error(response, 401)


def test_wrong_credentials(client, make):
    user = make.user()
    error = assert_error(_create(client, user.email, "wrong password!"), 401, "not_authenticated")
    assert "password" in error["message"]
    assert_error(_create(client, "nobody@example.org"), 401)


def test_bad_bodies(client, make):
    user = make.user()
    error = assert_error(client.post("/api/v1/auth/tokens", json={"email": user.email}), 422)
    assert error["fields"] == {"password": ["Missing data for required field."]}
    error = assert_error(_create(client, user.email, user_id=1, expires_at="2099-01-01"), 422)
    assert set(error["fields"]) == {"user_id", "expires_at"}
    assert_error(client.post("/api/v1/auth/tokens", data="{bad json",
                             content_type="application/json"), 400, "bad_request")
    assert_error(client.post("/api/v1/auth/tokens", json=["a", "list"]), 400)
    assert_error(_create(client, "a\x00@example.org", "pass\x00word"), 422)
    assert_error(client.post("/api/v1/auth/tokens",
                             data={"email": user.email, "password": PASSWORD}), 415)


def test_revoke_current_without_token(client, make, login):
    assert_error(client.delete("/api/v1/auth/tokens/current"), 401)
    login(make.user())
    response = client.delete("/api/v1/auth/tokens/current",
                             headers={"X-CSRFToken": csrf_token(client, "/auth/password")})
    assert_error(response, 404)


# Rate limits -----------------------------------------------------------------------------
def test_failures_per_account_are_limited_then_429_with_retry_after(client, make):
    user = make.user()
    other = make.user()
    for _ in range(10):
        assert _create(client, user.email, "wrong password!").status_code == 401
    response = _create(client, user.email, "wrong password!")
    error = assert_error(response, 429, "rate_limited")
    retry_after = response.headers.get("Retry-After")
    assert retry_after and retry_after.isdigit() and int(retry_after) > 0
    assert "message" in error
    # Even the right password waits now; another account is not affected.
    assert _create(client, user.email).status_code == 429
    assert _create(client, other.email).status_code == 201


def test_successes_do_not_count(client, make):
    user = make.user()
    for _ in range(12):
        assert _create(client, user.email).status_code == 201


def test_failures_per_address_are_limited(app, client, make):
    users = [make.user() for _ in range(3)]
    app.config["LOGIN_ADDRESS_LIMIT"] = "4 per 15 minutes"
    try:
        for n in range(4):
            assert _create(client, users[n % 3].email, "wrong password!").status_code == 401
        response = _create(client, users[2].email)
        assert_error(response, 429)
        assert response.headers["Retry-After"].isdigit()
    finally:
        app.config["LOGIN_ADDRESS_LIMIT"] = "50 per 15 minutes"


# CSRF: session writes need it, bearer writes do not ------------------------------------------
def test_session_writes_need_the_csrf_token(client, make, login):
    admin = make.user(roles=("admin",))
    login(admin)
    body = {"name": "Lab", "kind": "partner", "country": "DE"}
    assert_error(client.post("/api/v1/laboratories", json=body), 400)
    response = client.post("/api/v1/laboratories", json=body,
                           headers={"X-CSRFToken": csrf_token(client, "/auth/password")})
    assert response.status_code == 201


def test_bearer_writes_need_no_csrf_token(api, make):
    admin = make.user(roles=("admin",))
    response = api.post("/api/v1/laboratories", admin,
                        json={"name": "Lab", "kind": "partner", "country": "DE"})
    assert response.status_code == 201


# The profile page ------------------------------------------------------------------------
def test_profile_lists_own_tokens_and_revokes_them(client, make, login, db):
    user = make.user()
    other = make.user()
    token = _create(client, user.email, name="laptop script").get_json()["token"]
    _create(client, other.email, name="someone else's")
    login(user)
    page = client.get("/auth/tokens")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "laptop script" in html and "someone else" not in html
    assert token not in html
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    response = post_form(client, f"/auth/tokens/{row.id}/revoke", {}, page="/auth/tokens")
    assert response.status_code == 302
    assert_error(_me(client, token), 401)
    assert "revoked" in client.get("/auth/tokens").get_data(as_text=True)


def test_profile_cannot_revoke_someone_elses_token(client, make, login, db):
    user = make.user()
    other = make.user()
    other_token = _create(client, other.email).get_json()["token"]
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == other.id))
    login(user)
    response = post_form(client, f"/auth/tokens/{row.id}/revoke", {}, page="/auth/tokens")
    assert response.status_code == 404
    assert _me(client, other_token).status_code == 200


def test_profile_revoke_needs_csrf(client, make, login, db):
    user = make.user()
    token = _create(client, user.email).get_json()["token"]
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    login(user)
    assert client.post(f"/auth/tokens/{row.id}/revoke").status_code == 400
    assert _me(client, token).status_code == 200


def test_profile_needs_sign_in(client):
    response = client.get("/auth/tokens")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
