"""Password policy (registration and change) and registration rules."""

import re

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, post_form, sign_in
from tracker.auth.models import User
from tracker.auth.passwords import common_passwords, password_problems, verify_password

GOOD_PASSPHRASE = "seven purple otters juggle quietly"


def field_error(response, field):
    """The error text shown next to ``field`` (None when the field has no error)."""
    match = re.search(
        rf'<div id="{field}-error"[^>]*>(.*?)</div>', response.get_data(as_text=True), re.S
    )
    return " ".join(match.group(1).split()) if match else None


def registration(email="new.person@example.org", password=GOOD_PASSPHRASE, **fields):
    return {
        "full_name": "New Person",
        "email": email,
        "category": "researcher",
        "nationality": "FR",
        "requested_laboratory_id": "",
        "password": password,
        "confirm": fields.pop("confirm", password),
        **fields,
    }


def count_users(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def common_password_of_policy_length():
    return next(word for word in sorted(common_passwords()) if len(word) >= 12)


WEAK = [
    pytest.param("marguerite.yourcenar@example.org", "short pass", "at least 12 characters", id="too-short"),
    pytest.param("marguerite.yourcenar@example.org", "Marguerite.Yourcenar@example.org",
                 "email address", id="equal-to-email"),
    pytest.param("marguerite.yourcenar@example.org", "marguerite.yourcenar", "email address",
                 id="equal-to-local-part"),
    pytest.param("marguerite.yourcenar@example.org", None, "too common", id="common"),
    pytest.param("marguerite.yourcenar@example.org", "abcabcabcabcabc", "three different characters",
                 id="three-distinct-characters"),
]


@pytest.mark.parametrize("email, password, message", WEAK)
def test_weak_passwords_are_refused_at_registration(client, db, email, password, message):
    password = password or common_password_of_policy_length()

    response = post_form(client, "/auth/register", registration(email=email, password=password))

    assert response.status_code == 200
    error = field_error(response, "password")
    assert error is not None and message in error
    assert count_users(db) == 0


@pytest.mark.parametrize("email, password, message", WEAK)
def test_weak_passwords_are_refused_on_change(client, make, db, email, password, message):
    user = make.user(email=email)
    password = password or common_password_of_policy_length()
    sign_in(client, user)

    response = post_form(
        client,
        "/auth/password",
        {"current_password": PASSWORD, "password": password, "confirm": password},
    )

    assert response.status_code == 200
    error = field_error(response, "password")
    assert error is not None and message in error
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)


def test_policy_reads_the_common_list_case_insensitively(app):
    word = common_password_of_policy_length()
    with app.test_request_context():
        assert password_problems(word.upper())
        assert password_problems(GOOD_PASSPHRASE) == []


def test_change_password_needs_the_current_password(client, make, db):
    user = make.user()
    sign_in(client, user)

    response = post_form(
        client,
        "/auth/password",
        {"current_password": "not my password", "password": GOOD_PASSPHRASE, "confirm": GOOD_PASSPHRASE},
    )

    assert response.status_code == 200
    assert "not your current password" in field_error(response, "current_password")
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)


def test_change_password_accepts_a_good_passphrase(client, make, db):
    user = make.user()
    sign_in(client, user)

    response = post_form(
        client,
        "/auth/password",
        {"current_password": PASSWORD, "password": GOOD_PASSPHRASE, "confirm": GOOD_PASSPHRASE},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, GOOD_PASSPHRASE)


def test_registration_with_a_good_passphrase_creates_a_researcher(client, db):
    response = post_form(
        client, "/auth/register", registration(email="Mixed.Case@Example.ORG")
    )

    assert response.status_code == 200
    assert "Check your mailbox" in response.get_data(as_text=True)
    user = db.session.scalar(sa.select(User))
    assert user.email == "mixed.case@example.org"
    assert user.roles == ["researcher"]
    assert verify_password(user.password_hash, GOOD_PASSPHRASE)
    # The new account waits for its address to be confirmed: nobody is signed in.
    assert not user.email_confirmed
    assert client.get("/auth/password").status_code == 302


def test_registration_cannot_ask_for_more_roles(client, db):
    response = post_form(
        client, "/auth/register", registration(roles="admin", role="admin", is_admin="y")
    )

    assert response.status_code == 200
    assert db.session.scalar(sa.select(User)).roles == ["researcher"]


def test_registration_with_an_existing_email_in_another_case_adds_no_account(client, make, db):
    make.user(email="taken@example.org")

    response = post_form(client, "/auth/register", registration(email="TAKEN@Example.org"))

    # The answer does not tell that the address has an account (tests/auth/test_registration.py).
    assert response.status_code == 200
    assert field_error(response, "email") is None
    assert count_users(db) == 1


def test_registration_needs_matching_passwords(client, db):
    response = post_form(
        client, "/auth/register", registration(confirm="seven purple otters juggle loudly")
    )

    assert response.status_code == 200
    assert "differ" in field_error(response, "confirm")
    assert count_users(db) == 0


def test_sign_in_accepts_the_address_in_any_case(client, make):
    user = make.user(email="someone@example.org")
    response = post_form(
        client, "/auth/login", {"email": "SomeOne@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
