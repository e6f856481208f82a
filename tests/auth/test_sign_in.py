"""Sign-in does not reveal which accounts exist: every attempt verifies one password hash."""

import pytest

from tests.conftest import PASSWORD, post_form
from tracker.auth import passwords, services


@pytest.fixture
def hash_checks(monkeypatch):
    """Records every password-hash verification, running the real one each time."""
    calls = []
    real_check = passwords.check_password_hash

    def recording_check(password_hash, password):
        calls.append(password_hash)
        return real_check(password_hash, password)

    monkeypatch.setattr(passwords, "check_password_hash", recording_check)
    return calls


@pytest.fixture
def burns(monkeypatch):
    calls = []
    real_burn = services.burn_verification

    def recording_burn(password):
        calls.append(password)
        return real_burn(password)

    monkeypatch.setattr(services, "burn_verification", recording_burn)
    return calls


def test_unknown_email_still_verifies_a_password_hash(client, make, hash_checks, burns):
    make.user(email="someone@example.org")

    response = post_form(
        client, "/auth/login", {"email": "nobody@example.org", "password": "a guessed password"}
    )

    assert response.status_code == 200
    assert burns == ["a guessed password"]
    assert len(hash_checks) == 1
    # The burnt hash is a real one of the configured method, so it costs the same.
    assert hash_checks[0].startswith("scrypt:")


def test_wrong_password_verifies_the_account_hash_once(client, make, hash_checks, burns):
    user = make.user()

    post_form(client, "/auth/login", {"email": user.email, "password": "a guessed password"})

    assert hash_checks == [user.password_hash]
    assert burns == []


def test_inactive_account_costs_the_same_as_an_active_one(client, make, hash_checks):
    user = make.user(active=False)

    response = post_form(client, "/auth/login", {"email": user.email, "password": PASSWORD})

    assert response.status_code == 200
    assert len(hash_checks) == 1


def test_unknown_email_and_wrong_password_get_the_same_answer(client, make):
    user = make.user()
    wrong = post_form(client, "/auth/login", {"email": user.email, "password": "wrong password"})
    unknown = post_form(
        client, "/auth/login", {"email": "nobody@example.org", "password": "wrong password"}
    )
    message = "Unknown email address or wrong password."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert wrong.status_code == unknown.status_code == 200
