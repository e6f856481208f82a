"""Single sign-on without a browser: who verified claims sign in as (tracker/auth/oidc.py),
password sign-in refused to the provider's people when so configured, and the pages while
the provider is missing or unreachable. The whole flow against the real provider is in
tests/browser/test_oidc.py."""

import socket

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, post_form
from tests.openid_provider import configured
from tracker.audit.models import AuditEntry
from tracker.auth import oidc
from tracker.auth.models import User
from tracker.extensions import db

ISSUER = "https://janus.example.org"
DOMAIN = "lab.example.org"


@pytest.fixture
def sso(app):
    """Single sign-on configured (the provider is never asked in these tests)."""
    with configured(app, OIDC_ISSUER=ISSUER, OIDC_CLIENT_ID="tracker",
                    OIDC_CLIENT_SECRET="secret", OIDC_NAME="Janus",
                    OIDC_ALLOWED_DOMAINS=(DOMAIN,), OIDC_UNIT_CLAIM="unit",
                    PASSWORD_SIGN_IN_FOR_SSO=True,
                    LOGIN_ADDRESS_LIMIT=app.config["LOGIN_ADDRESS_LIMIT"]) as config:
        yield config


def claims(sub="subject-1", email=f"ada@{DOMAIN}", verified=True, **more):
    return {"sub": sub, "email": email, "email_verified": verified, "name": "Ada Lovelace",
            **more}


def refusal(claims_):
    with pytest.raises(oidc.SignOnRefused) as caught:
        oidc.account_for(claims_)
    db.session.rollback()
    return caught.value.reason


def linked(user, sub="subject-1", issuer=ISSUER):
    user.oidc_issuer, user.oidc_subject = issuer, sub
    db.session.commit()
    return user


# Matching ------------------------------------------------------------------------------------
def test_a_linked_account_is_found_by_its_subject_whatever_its_address_at_the_provider(
        sso, make):
    user = linked(make.user(email=f"ada@{DOMAIN}"))

    assert oidc.account_for(claims(email="ada.lovelace@new-name.example.org")) == user
    assert oidc.account_for(claims(email=None, verified=False)) == user


def test_an_existing_account_is_linked_once_by_its_verified_address(sso, make):
    user = make.user(email=f"ada@{DOMAIN}")

    assert oidc.account_for(claims(email=f"ADA@{DOMAIN}")) == user
    db.session.commit()
    assert (user.oidc_issuer, user.oidc_subject) == (ISSUER, "subject-1")
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.action, entry.actor_id, entry.before, entry.after) == (
        "update", user.id, {"oidc_subject": None}, {"oidc_subject": "subject-1"})
    # Later sign-ins go by the subject, even once the provider changed the address.
    assert oidc.account_for(claims(email=f"countess@{DOMAIN}")) == user


@pytest.mark.parametrize("verified", [False, None, "true"])
def test_an_address_the_provider_did_not_verify_links_nothing(sso, make, verified):
    user = make.user(email=f"ada@{DOMAIN}")

    assert refusal(claims(verified=verified)) == "unverified"
    db.session.refresh(user)
    assert user.oidc_subject is None


def test_an_account_linked_to_another_subject_is_not_taken_over(sso, make):
    user = linked(make.user(email=f"ada@{DOMAIN}"), sub="someone-else")

    assert refusal(claims()) == "taken"
    db.session.refresh(user)
    assert user.oidc_subject == "someone-else"


def test_the_same_subject_at_another_issuer_is_another_person(sso, make):
    linked(make.user(email="other@example.org"), issuer="https://elsewhere.example.org")

    assert oidc.account_for(claims(email=f"new@{DOMAIN}")) is None


def test_a_deactivated_account_is_refused(sso, make):
    linked(make.user(email=f"ada@{DOMAIN}", active=False))

    assert refusal(claims()) == "inactive"


def test_linking_confirms_an_address_awaiting_confirmation(sso, make):
    user = make.user(email=f"ada@{DOMAIN}", confirmed=False)

    assert oidc.account_for(claims()) == user
    assert user.email_confirmed


@pytest.mark.parametrize("email, verified, reason", [
    ("someone@elsewhere.example.com", True, "domain"),
    (f"someone@sub.{DOMAIN}", True, "domain"),
    (f"someone@{DOMAIN}", False, "unverified"),
    (None, True, "unverified"),
])
def test_a_newcomer_needs_a_verified_address_in_an_allowed_domain(sso, email, verified, reason):
    assert refusal(claims(email=email, verified=verified)) == reason
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_a_newcomer_of_an_allowed_domain_may_create_an_account(sso):
    assert oidc.account_for(claims(email=f"Newcomer@{DOMAIN.upper()}")) is None


# New accounts ----------------------------------------------------------------------------------
def test_the_unit_claim_sets_the_home_unit_by_its_acronym(sso, make):
    unit = make.lab("unit", acronym="LPNHE")
    make.lab("partner", acronym="ABROAD")

    user = oidc.create_account(claims(unit=" lpnhe "), "postdoc", "IT")
    db.session.commit()

    assert (user.home_laboratory_id, user.requested_laboratory_id) == (unit.id, None)
    assert (user.email, user.full_name, user.nationality, user.category) == (
        f"ada@{DOMAIN}", "Ada Lovelace", "IT", "postdoc")
    assert (user.oidc_issuer, user.oidc_subject, user.roles) == (
        ISSUER, "subject-1", ["researcher"])
    assert user.is_active
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.action, entry.subject_type, entry.actor_id) == ("create", "user", user.id)


@pytest.mark.parametrize("unit_claim", [None, "ABROAD", "UNKNOWN", 42])
def test_without_a_unit_of_the_claim_the_unit_asked_for_is_a_request(sso, make, unit_claim):
    make.lab("partner", acronym="ABROAD")
    asked = make.lab("unit", acronym="ASKED")

    user = oidc.create_account(claims(unit=unit_claim), "researcher", "FR",
                               requested_laboratory_id=asked.id)

    assert (user.home_laboratory_id, user.requested_laboratory_id) == (None, asked.id)


def test_answering_twice_makes_one_account(sso):
    first = oidc.create_account(claims(), "researcher", "FR")
    db.session.commit()

    assert oidc.create_account(claims(), "engineer", "DE") == first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_no_account_is_created_for_claims_that_may_not_create_one(sso):
    with pytest.raises(oidc.SignOnRefused):
        oidc.create_account(claims(email="x@elsewhere.example.com"), "researcher", "FR")


# Password sign-in of the provider's people -----------------------------------------------------
def test_password_sign_in_is_refused_to_the_providers_people_when_switched_off(
        sso, make, client):
    linked(make.user(email=f"ada@{DOMAIN}"))
    sso["PASSWORD_SIGN_IN_FOR_SSO"] = False

    response = post_form(client, "/auth/login", {"email": f"ada@{DOMAIN}",
                                                 "password": PASSWORD})
    assert response.status_code == 200
    assert "Your account signs in through Janus only" in response.get_data(as_text=True)
    assert client.get("/auth/password").status_code == 302
    token = client.post("/api/v1/auth/tokens",
                        json={"email": f"ada@{DOMAIN}", "password": PASSWORD})
    assert token.status_code == 401
    assert token.get_json()["error"]["status"] == 401


def test_the_wrong_password_of_a_provider_person_says_nothing_more(sso, make, client):
    linked(make.user(email=f"ada@{DOMAIN}"))
    sso["PASSWORD_SIGN_IN_FOR_SSO"] = False

    response = post_form(client, "/auth/login", {"email": f"ada@{DOMAIN}",
                                                 "password": "not the password"})
    assert "Unknown email address or wrong password." in response.get_data(as_text=True)


@pytest.mark.parametrize("setting", [True, False])
def test_people_without_the_provider_keep_their_password(sso, make, client, setting):
    make.user(email=f"grace@{DOMAIN}")
    sso["PASSWORD_SIGN_IN_FOR_SSO"] = setting

    assert post_form(client, "/auth/login", {"email": f"grace@{DOMAIN}",
                                             "password": PASSWORD}).status_code == 302


def test_by_default_the_providers_people_may_use_a_password_too(sso, make, client):
    linked(make.user(email=f"ada@{DOMAIN}"))

    assert post_form(client, "/auth/login", {"email": f"ada@{DOMAIN}",
                                             "password": PASSWORD}).status_code == 302


# Pages ---------------------------------------------------------------------------------------
def test_the_sign_in_button_shows_only_with_a_provider(sso, client, app):
    assert "Sign in with Janus" in client.get("/auth/login").get_data(as_text=True)
    app.config["OIDC_ISSUER"] = None
    assert "Sign in with" not in client.get("/auth/login").get_data(as_text=True)


def test_the_sign_out_may_be_redirected_to_the_provider(sso, client, app):
    policy = client.get("/auth/login").headers["Content-Security-Policy"]
    assert "form-action 'self' https://janus.example.org" in policy
    app.config["OIDC_ISSUER"] = None
    policy = client.get("/auth/login").headers["Content-Security-Policy"]
    assert policy.endswith("form-action 'self'")


def test_the_questions_of_a_first_sign_in_need_a_sign_in_first(sso, client):
    response = client.get("/auth/oidc/account")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/login")


def test_an_unreachable_provider_gives_a_clear_page(sso, client, caplog):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        sso["OIDC_ISSUER"] = f"http://127.0.0.1:{probe.getsockname()[1]}"
        response = client.get("/auth/oidc/login")

    assert response.status_code == 503
    assert "The identity provider cannot be reached now" in response.get_data(as_text=True)
    assert "single sign-on refused (unreachable)" in caplog.text


def test_a_callback_without_a_sign_in_started_is_refused(sso, client, caplog):
    response = client.get("/auth/oidc/callback?code=stolen&state=guessed")

    assert response.status_code == 400
    assert "This sign-in could not be completed" in response.get_data(as_text=True)
    assert "single sign-on refused (state)" in caplog.text
    assert client.get("/auth/password").status_code == 302


def test_failed_returns_from_the_provider_are_limited_per_address(sso, client):
    sso["LOGIN_ADDRESS_LIMIT"] = "2 per 15 minutes"
    statuses = [client.get("/auth/oidc/callback?code=x&state=y").status_code for _ in range(3)]

    assert statuses == [400, 400, 429]


# The questions of a first sign-in --------------------------------------------------------------
def pending(client, **claims_):
    """The session a verified newcomer's callback leaves."""
    with client.session_transaction() as session:
        session["oidc_pending"] = {"claims": claims(**claims_), "id_token": "id.token.here",
                                   "next": "/applications/"}


def test_a_newcomer_answers_once_and_is_signed_in(sso, client, make):
    unit = make.lab("unit", acronym="ASKED")
    pending(client)

    page = client.get("/auth/oidc/account").get_data(as_text=True)
    assert "Janus signed you in as ada@lab.example.org" in page
    response = post_form(client, "/auth/oidc/account", {
        "category": "engineer", "nationality": "BR", "requested_laboratory_id": str(unit.id)})

    assert response.status_code == 302
    assert response.headers["Location"] == "/applications/"
    user = db.session.scalar(sa.select(User))
    assert (user.nationality, user.category, user.requested_laboratory_id) == (
        "BR", "engineer", unit.id)
    assert client.get("/auth/password").status_code == 200
    # Answered once: the questions are gone with the pending sign-in.
    assert client.get("/auth/oidc/account").status_code == 302


@pytest.mark.parametrize("answers", [
    {"category": "researcher", "nationality": "XX"},
    {"category": "astronaut", "nationality": "FR"},
    {"category": "researcher", "nationality": "FR", "requested_laboratory_id": "999999"},
])
def test_wrong_answers_are_shown_next_to_their_fields(sso, client, answers):
    pending(client)

    response = post_form(client, "/auth/oidc/account", answers)

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_a_newcomer_whose_domain_was_withdrawn_meanwhile_is_refused(sso, client):
    pending(client)
    sso["OIDC_ALLOWED_DOMAINS"] = ()

    response = post_form(client, "/auth/oidc/account", {
        "category": "researcher", "nationality": "FR", "requested_laboratory_id": ""})

    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
