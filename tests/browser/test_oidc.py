"""Single sign-on in Chromium against a real OpenID provider (tests/oidc/): the person signs
in on the provider's own page, and every refusal is a clear page that opens no session."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tracker.auth.models import User
from tracker.extensions import db
from tracker.notifications.models import Notification

pytestmark = pytest.mark.browser

CALLBACK = re.compile(r"/auth/oidc/callback\?")


def sign_in_at_provider(page, sub):
    """From the tracker's sign-in page to the provider's, which is told who signs in."""
    page.goto("/auth/login")
    page.get_by_role("link", name="Sign in with Janus").click()
    page.locator("input[name=login]").fill(sub)
    page.locator("input[name=password]").fill("the provider's own password")
    page.locator("input[name=password]").press("Enter")


@pytest.fixture
def held_callback(app):
    """Signs in at the provider and stops its redirect back before the tracker reads it
    (the browser routes no redirect, so the live server holds it); gives its address."""
    original = app.wsgi_app
    held = []

    def hold_first_callback(environ, start_response):
        if environ["PATH_INFO"] == "/auth/oidc/callback" and not held:
            held.append(environ["QUERY_STRING"])
            start_response("204 No Content", [])
            return [b""]
        return original(environ, start_response)

    def sign_in_and_hold(page, sub):
        with page.expect_response(CALLBACK) as response:
            sign_in_at_provider(page, sub)
        assert response.value.status == 204
        return f"/auth/oidc/callback?{held[0]}"

    app.wsgi_app = hold_first_callback
    try:
        yield sign_in_and_hold
    finally:
        app.wsgi_app = original


def expect_refused(page, message, log, reason):
    """A refusal page saying ``message``, the ``reason`` in the log, and no session."""
    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    expect(page.locator("#sign-on-refusal")).to_contain_text(message)
    assert f"single sign-on refused ({reason}" in log.text
    log.clear()
    expect_signed_out(page)


def expect_signed_out(page):
    page.goto("/auth/password")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))


def account(email):
    db.session.commit()  # a new transaction, which sees what the live server wrote
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_a_newcomer_of_an_allowed_domain_gets_an_account_in_the_unit_the_provider_names(
        page, make, sso):
    unit = make.lab("unit", acronym="UNIT", name="Unit of the claim")
    sign_in_at_provider(page, "sub-newcomer")

    expect(page.get_by_role("heading", name="Your new account")).to_be_visible()
    expect(page.get_by_text("Your home laboratory, from Janus: UNIT")).to_be_visible()
    expect(page.get_by_label("Home laboratory")).to_have_count(0)
    page.get_by_label("Category").select_option("phd_student")
    page.get_by_label("Nationality").select_option("DE")
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_text("Welcome, Marie Curie.")).to_be_visible()
    user = account("marie.curie@lab.example.org")
    assert (user.oidc_subject, user.oidc_issuer) == ("sub-newcomer", sso.issuer)
    assert (user.home_laboratory_id, user.nationality, user.category) == (
        unit.id, "DE", "phd_student")


def test_a_newcomer_without_a_unit_claim_asks_for_one_that_its_director_confirms(
        page, make, sso):
    unit = make.lab("unit", acronym="OTHER", name="Unit asked for")
    director = make.director_of(unit, email="director@example.org")
    sign_in_at_provider(page, "sub-no-unit")

    page.get_by_label("Nationality").select_option("AT")
    page.get_by_label("Home laboratory").select_option(str(unit.id))
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_text("Welcome, Lise Meitner.")).to_be_visible()
    user = account("lise.meitner@lab.example.org")
    assert (user.home_laboratory_id, user.requested_laboratory_id) == (None, unit.id)
    told = db.session.scalars(sa.select(Notification.subject).where(
        Notification.user_id == director.id)).all()
    assert told == ["Lise Meitner asks to join OTHER — Unit asked for"]


def test_an_existing_account_is_linked_once_by_its_verified_address_and_signs_out_of_both(
        page, make, sso):
    make.user(email="ada.lovelace@lab.example.org", full_name="Ada Lovelace")
    sign_in_at_provider(page, "sub-linked")

    expect(page.get_by_text("Welcome, Ada Lovelace.")).to_be_visible()
    assert account("ada.lovelace@lab.example.org").oidc_subject == "sub-linked"

    # Signing out ends the provider's session too: it asks, then sends the person back.
    page.wait_for_load_state("load")
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(r"/auth/login(\?state=[\w-]+)?$"))
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect_signed_out(page)
    # The provider asks who signs in again: its session ended.
    page.goto("/auth/login")
    page.get_by_role("link", name="Sign in with Janus").click()
    expect(page.locator("input[name=login]")).to_be_visible()


def test_an_address_outside_the_allowed_domains_gets_no_account(page, sso, caplog):
    sign_in_at_provider(page, "sub-outsider")

    expect_refused(page, "Your address is not in a domain whose people may create an account",
                   caplog, "domain")
    assert account("someone@elsewhere.example.com") is None


@pytest.mark.parametrize("sub", ["sub-expired", "sub-forged"])
def test_an_expired_or_wrongly_signed_id_token_is_refused(page, sso, sub, caplog):
    sign_in_at_provider(page, sub)

    expect_refused(page, "The identity provider's answer could not be verified", caplog,
                   "token")
    assert account(sso.accounts[sub].email) is None


def test_a_tampered_state_is_refused(page, sso, held_callback, caplog):
    url = urlsplit(held_callback(page, "sub-newcomer"))
    query = dict(parse_qsl(url.query))
    query["state"] = query["state"][:-1] + ("A" if query["state"][-1] != "A" else "B")
    page.goto(urlunsplit(url._replace(query=urlencode(query))))

    expect_refused(page, "This sign-in could not be completed", caplog, "state")


def test_a_replayed_code_is_refused_by_the_tracker_and_by_the_provider(
        page, new_page, make, app, sso, held_callback, caplog):
    make.user(email="ada.lovelace@lab.example.org", full_name="Ada Lovelace")
    url = held_callback(page, "sub-linked")
    # The tracker's session before the callback: it holds the state and the PKCE verifier.
    session_cookie = [cookie for cookie in page.context.cookies()
                      if cookie["name"] == app.config["SESSION_COOKIE_NAME"]]
    page.goto(url)
    expect(page.get_by_text("Welcome, Ada Lovelace.")).to_be_visible()

    # The same link again: its state was used up.
    elsewhere = new_page()
    elsewhere.goto(url)
    expect_refused(elsewhere, "This sign-in could not be completed", caplog, "state")

    # With the session it was issued to, the tracker sends the code again: the provider
    # refuses a code it already exchanged.
    thief = new_page()
    thief.context.add_cookies(session_cookie)
    thief.goto(url)
    expect_refused(thief, "The identity provider did not sign you in", caplog,
                   "provider): invalid_grant")
