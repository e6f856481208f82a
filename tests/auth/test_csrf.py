"""CSRF protection stays on: a form posted without its token is refused and changes nothing."""

import sqlalchemy as sa

from tests.conftest import PASSWORD, sign_in
from tracker.auth.models import User
from tracker.auth.passwords import verify_password

PROTECTED_PAGE = "/auth/password"


def is_signed_in(client):
    return client.get(PROTECTED_PAGE).status_code == 200


def test_login_without_token_is_refused(client, make):
    user = make.user()
    client.get("/auth/login")  # a session exists, as in a browser

    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})

    assert response.status_code == 400
    assert not is_signed_in(client)


def test_login_with_a_forged_token_is_refused(client, make):
    user = make.user()
    client.get("/auth/login")

    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"},
    )

    assert response.status_code == 400
    assert not is_signed_in(client)


def test_register_without_token_creates_no_account(client, db):
    client.get("/auth/register")

    response = client.post(
        "/auth/register",
        data={
            "full_name": "Nadia Forged",
            "email": "nadia@example.org",
            "category": "researcher",
            "nationality": "FR",
            "home_laboratory_id": "",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )

    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_change_password_without_token_keeps_the_password(client, make, db):
    user = make.user()
    sign_in(client, user)

    response = client.post(
        "/auth/password",
        data={
            "current_password": PASSWORD,
            "password": "an entirely new passphrase",
            "confirm": "an entirely new passphrase",
        },
    )

    assert response.status_code == 400
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert verify_password(user.password_hash, PASSWORD)
    assert is_signed_in(client)


def test_logout_without_token_keeps_the_session(client, make, db):
    user = make.user()
    sign_in(client, user)
    token_before = user.session_token

    response = client.post("/auth/logout")

    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).session_token == token_before
    assert is_signed_in(client)


def test_the_refusal_is_a_friendly_page(client):
    client.get("/auth/login")
    response = client.post("/auth/login", data={"email": "a@example.org", "password": "x"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your form expired" in body
    assert "Traceback" not in body
