"""Sessions end when they should: replayed cookies get nothing after logout, deactivation,
password change or role change; the remember-me cookie follows the same rule; signing in
starts a fresh session."""

import pytest

from tests.auth.test_passwords_and_registration import registration
from tests.conftest import PASSWORD, csrf_from, csrf_token, post_form, sign_in
from tracker.auth.models import User
from tracker.directory.services import set_active, set_roles

PROTECTED_PAGE = "/auth/password"
SESSION_COOKIE = "session"
REMEMBER_COOKIE = "remember_token"


def cookie_value(client, name):
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def client_with(app, **cookies):
    """A fresh client (another browser) that carries only ``cookies``."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def assert_signed_in(client):
    response = client.get(PROTECTED_PAGE)
    assert response.status_code == 200, response.status_code


def assert_sent_to_login(client):
    response = client.get(PROTECTED_PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def reload(db, user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_a_copied_session_cookie_works_while_signed_in(app, client, make):
    """The replay tests below mean something only if a copied cookie normally works."""
    sign_in(client, make.user())
    assert_signed_in(client_with(app, session=cookie_value(client, SESSION_COOKIE)))


def test_session_cookie_replayed_after_logout_gets_nothing(app, client, make):
    sign_in(client, make.user())
    stolen = cookie_value(client, SESSION_COOKIE)

    post_form(client, "/auth/logout", {}, page="/")

    assert_sent_to_login(client)
    assert_sent_to_login(client_with(app, session=stolen))


def test_session_cookie_replayed_after_deactivation_gets_nothing(app, client, make, db):
    user = make.user()
    sign_in(client, user)
    stolen = cookie_value(client, SESSION_COOKIE)

    set_active(reload(db, user), False)
    db.session.commit()

    assert_sent_to_login(client_with(app, session=stolen))
    assert_sent_to_login(client)


def test_deactivated_user_cannot_sign_in(client, make, db):
    user = make.user()
    set_active(user, False)
    db.session.commit()

    response = post_form(client, "/auth/login", {"email": user.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "Unknown email address or wrong password." in response.get_data(as_text=True)
    assert_sent_to_login(client)


def test_session_cookie_replayed_after_password_change_gets_nothing(app, client, make):
    sign_in(client, make.user())
    stolen = cookie_value(client, SESSION_COOKIE)
    new_password = "a brand new passphrase"

    response = post_form(
        client,
        "/auth/password",
        {"current_password": PASSWORD, "password": new_password, "confirm": new_password},
    )

    assert response.status_code == 302
    assert_signed_in(client)  # the session that changed the password carries on
    assert_sent_to_login(client_with(app, session=stolen))


def test_session_cookie_replayed_after_role_change_gets_nothing(app, client, make, db):
    user = make.user()
    sign_in(client, user)
    stolen = cookie_value(client, SESSION_COOKIE)

    set_roles(reload(db, user), ("researcher", "admin"))
    db.session.commit()

    assert_sent_to_login(client_with(app, session=stolen))


def test_setting_the_same_roles_keeps_the_sessions(app, client, make, db):
    user = make.user(roles=("researcher",))
    sign_in(client, user)

    set_roles(reload(db, user), ("researcher",))
    db.session.commit()

    assert_signed_in(client)


def test_remember_cookie_signs_in_without_the_session(app, client, make):
    sign_in(client, make.user(), remember=True)
    remember = cookie_value(client, REMEMBER_COOKIE)

    assert_signed_in(client_with(app, remember_token=remember))


def test_no_remember_cookie_unless_asked(client, make):
    sign_in(client, make.user(), remember=False)
    assert client.get_cookie(REMEMBER_COOKIE) is None


def test_remember_cookie_is_useless_after_logout_elsewhere(app, client, make):
    sign_in(client, make.user(), remember=True)
    remember = cookie_value(client, REMEMBER_COOKIE)

    post_form(client, "/auth/logout", {}, page="/")

    assert_sent_to_login(client_with(app, remember_token=remember))


@pytest.mark.parametrize("change", ["deactivate", "roles"])
def test_remember_cookie_is_useless_after_account_changes(app, client, make, db, change):
    user = make.user()
    sign_in(client, user, remember=True)
    remember = cookie_value(client, REMEMBER_COOKIE)

    user = reload(db, user)
    if change == "deactivate":
        set_active(user, False)
    else:
        set_roles(user, ("researcher", "director"))
    db.session.commit()

    assert_sent_to_login(client_with(app, remember_token=remember))


def test_remember_cookie_is_useless_after_password_change(app, client, make):
    sign_in(client, make.user(), remember=True)
    remember = cookie_value(client, REMEMBER_COOKIE)
    new_password = "another fresh passphrase"

    post_form(
        client,
        "/auth/password",
        {"current_password": PASSWORD, "password": new_password, "confirm": new_password},
    )

    assert_sent_to_login(client_with(app, remember_token=remember))


# Session fixation ------------------------------------------------------------------------
def test_sign_in_starts_a_fresh_session_and_csrf_token(client, make):
    user = make.user()
    token_before = csrf_token(client, "/auth/login")
    session_before = cookie_value(client, SESSION_COOKIE)

    response = post_form(client, "/auth/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302

    token_after = csrf_from(client.get(PROTECTED_PAGE))
    assert cookie_value(client, SESSION_COOKIE) != session_before
    assert token_after != token_before


def test_a_planted_session_does_not_become_signed_in(app, client, make):
    """An attacker's pre-login cookie stays anonymous after the victim signs in."""
    user = make.user()
    client.get("/auth/login")
    planted = cookie_value(client, SESSION_COOKIE)

    sign_in(client, user)

    assert_sent_to_login(client_with(app, session=planted))


# Cookie flags ------------------------------------------------------------------------------
def set_cookie_headers(response, name):
    return [value for value in response.headers.getlist("Set-Cookie") if value.startswith(name + "=")]


def test_session_and_remember_cookies_are_httponly_and_lax(client, make):
    user = make.user()
    response = post_form(
        client, "/auth/login", {"email": user.email, "password": PASSWORD, "remember": "y"}
    )

    for name in (SESSION_COOKIE, REMEMBER_COOKIE):
        (header,) = set_cookie_headers(response, name)
        assert "HttpOnly" in header
        assert "SameSite=Lax" in header


# Sign-out and password change on a remembered device ---------------------------------------
def test_logout_deletes_the_remember_cookie_from_the_browser(client, make):
    sign_in(client, make.user(), remember=True)
    assert client.get_cookie(REMEMBER_COOKIE) is not None

    post_form(client, "/auth/logout", {}, page="/")

    assert client.get_cookie(REMEMBER_COOKIE) is None


def test_password_change_keeps_this_device_remembered(app, client, make):
    sign_in(client, make.user(), remember=True)
    old_remember = cookie_value(client, REMEMBER_COOKIE)
    new_password = "a passphrase for this device"

    post_form(
        client,
        "/auth/password",
        {"current_password": PASSWORD, "password": new_password, "confirm": new_password},
    )

    new_remember = cookie_value(client, REMEMBER_COOKIE)
    assert new_remember != old_remember
    assert_signed_in(client_with(app, remember_token=new_remember))
    assert_sent_to_login(client_with(app, remember_token=old_remember))


def test_password_change_does_not_remember_a_device_that_was_not(client, make):
    sign_in(client, make.user(), remember=False)
    new_password = "a passphrase for this device"

    post_form(
        client,
        "/auth/password",
        {"current_password": PASSWORD, "password": new_password, "confirm": new_password},
    )

    assert client.get_cookie(REMEMBER_COOKIE) is None


def test_registration_signs_nobody_in(client):
    """The account waits for its address to be confirmed; the sign-in that follows starts a
    fresh session like every other."""
    token_before = csrf_token(client, "/auth/register")
    response = client.post("/auth/register", data={**registration(), "csrf_token": token_before})
    assert response.status_code == 200

    assert client.get(PROTECTED_PAGE).status_code == 302


def test_password_change_revokes_api_tokens_and_moves_the_calendar_address(app, client, make,
                                                                          db):
    """A new password shuts every door the old one opened, not only the browser sessions."""
    from tracker.auth.tokens import issue_token
    from tracker.reports.calendar import feed_for

    user = make.user()
    token, _ = issue_token(user, "laptop")
    other_person = make.user()
    others_token, _ = issue_token(other_person, "theirs")
    old_feed = feed_for(user).token
    db.session.commit()
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me", headers=bearer).status_code == 200
    assert api.get(f"/reports/calendar/{old_feed}.ics").status_code == 200

    sign_in(client, user)
    new_password = "a brand new passphrase"
    response = post_form(client, "/auth/password",
                         {"current_password": PASSWORD, "password": new_password,
                          "confirm": new_password})

    assert response.status_code == 302
    assert api.get("/api/v1/me", headers=bearer).status_code == 401
    assert api.get(f"/reports/calendar/{old_feed}.ics").status_code == 404
    db.session.expire_all()
    new_feed = feed_for(user).token
    assert new_feed != old_feed
    assert api.get(f"/reports/calendar/{new_feed}.ics").status_code == 200
    # Someone else's token is not touched.
    others = {"Authorization": f"Bearer {others_token}"}
    assert api.get("/api/v1/me", headers=others).status_code == 200


def test_a_refused_password_change_revokes_nothing(app, client, make, db):
    from tracker.auth.tokens import issue_token

    user = make.user()
    token, _ = issue_token(user, "laptop")
    db.session.commit()
    sign_in(client, user)
    post_form(client, "/auth/password",
              {"current_password": "not it at all", "password": "a brand new passphrase",
               "confirm": "a brand new passphrase"})
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 200
