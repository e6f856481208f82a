"""Open self-registration: no enumeration, address confirmation, limits, home-unit requests."""

import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from tests.auth.test_passwords_and_registration import GOOD_PASSPHRASE, registration
from tests.conftest import PASSWORD, csrf_token, post_form, sign_in
from tracker.auth.models import User
from tracker.auth.registration import CONFIRMATION_SALT, confirmation_token
from tracker.notifications.models import Notification


def messages_to(db, user):
    return db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def the_user(db, email):
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def link_in(notification):
    match = re.search(r"https?://\S+/auth/confirm/(\S+)", notification.body)
    assert match, notification.body
    return "/auth/confirm/" + match.group(1)


def register(client, **fields):
    return post_form(client, "/auth/register", registration(**fields))


def attempt_sign_in(client, email, password=GOOD_PASSPHRASE):
    return post_form(client, "/auth/login", {"email": email, "password": password})


def page_text(response):
    """The page without its CSRF token and nonce-like parts, to compare two answers."""
    text = response.get_data(as_text=True)
    return re.sub(r'value="[^"]{20,}"', 'value=""', text)


# No enumeration ------------------------------------------------------------------------------
def test_an_existing_address_gets_exactly_the_page_of_a_new_one(app, make, db):
    make.user(email="taken@example.org")

    new = register(app.test_client(), email="fresh@example.org")
    taken = register(app.test_client(), email="taken@example.org")

    assert new.status_code == taken.status_code == 200
    assert page_text(new) == page_text(taken)
    assert "Check your mailbox" in page_text(taken)


def test_the_owner_of_an_existing_address_is_told_and_nothing_changes(client, make, db):
    owner = make.user(email="taken@example.org", full_name="Olive Owner")
    hash_before = owner.password_hash

    register(client, email="Taken@Example.org", full_name="Mallory")

    messages = messages_to(db, owner)
    assert len(messages) == 1
    assert "tried to register with your address" in messages[0].subject
    assert "Olive Owner" in messages[0].body
    user = the_user(db, "taken@example.org")
    assert user.password_hash == hash_before and user.full_name == "Olive Owner"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_the_owner_is_told_in_the_default_language(client, make, db):
    owner = make.user(email="taken@example.org")

    post_form(client, "/auth/register", registration(email="taken@example.org"))
    client.post("/auth/register", data={**registration(email="taken@example.org"),
                                        "csrf_token": csrf_token(client, "/auth/register")},
                headers={"Accept-Language": "fr"})

    subjects = [message.subject for message in messages_to(db, owner)]
    assert subjects == ["Someone tried to register with your address"] * 2


# Confirmation ----------------------------------------------------------------------------------
def test_a_new_account_cannot_sign_in_before_confirming(client, db):
    register(client, email="new@example.org")

    response = attempt_sign_in(client, "new@example.org")

    assert response.status_code == 200
    assert "Confirm your address first" in response.get_data(as_text=True)
    assert client.get("/auth/password").status_code == 302


def test_a_wrong_password_on_an_unconfirmed_account_says_nothing_about_it(client, db):
    register(client, email="new@example.org")

    unconfirmed = attempt_sign_in(client, "new@example.org", "not the passphrase at all")
    unknown = attempt_sign_in(client, "nobody@example.org", "not the passphrase at all")

    for response in (unconfirmed, unknown):
        text = response.get_data(as_text=True)
        assert "Unknown email address or wrong password" in text
        assert "Confirm your address" not in text


def test_an_unconfirmed_account_gets_no_api_token(client, db):
    register(client, email="new@example.org")

    response = client.post("/api/v1/auth/tokens",
                           json={"email": "new@example.org", "password": GOOD_PASSPHRASE})

    assert response.status_code == 401


def test_the_link_confirms_the_address_and_then_the_person_signs_in(client, db):
    register(client, email="new@example.org")
    user = the_user(db, "new@example.org")
    [message] = messages_to(db, user)

    response = client.get(link_in(message))

    assert response.status_code == 302
    assert the_user(db, "new@example.org").email_confirmed
    assert attempt_sign_in(client, "new@example.org").status_code == 302


def test_a_link_used_twice_says_so(client, db):
    register(client, email="new@example.org")
    link = link_in(messages_to(db, the_user(db, "new@example.org"))[0])
    client.get(link)

    response = client.get(link)

    assert response.status_code == 200
    assert "already confirmed" in response.get_data(as_text=True)


def test_an_expired_link_is_refused_with_a_way_to_a_new_one(client, db, monkeypatch):
    register(client, email="new@example.org")
    link = link_in(messages_to(db, the_user(db, "new@example.org"))[0])
    later = datetime.now(timezone.utc) + timedelta(hours=49)
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: int(later.timestamp()))

    response = client.get(link)

    assert response.status_code == 410
    text = response.get_data(as_text=True)
    assert "expired" in text and 'action="/auth/confirm"' in text
    assert not the_user(db, "new@example.org").email_confirmed


def test_a_link_signed_for_another_purpose_or_altered_is_refused(app, client, db):
    register(client, email="new@example.org")
    user = the_user(db, "new@example.org")
    other_purpose = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something-else")
    forged = other_purpose.dumps({"user": user.id, "email": user.email})
    good = link_in(messages_to(db, user)[0])

    assert client.get(f"/auth/confirm/{forged}").status_code == 404
    assert client.get(good[:-2] + "xx").status_code == 404
    assert not the_user(db, "new@example.org").email_confirmed


def test_a_link_for_an_address_since_changed_is_refused(client, db):
    register(client, email="new@example.org")
    user = the_user(db, "new@example.org")
    token = confirmation_token(user)
    user.email = "changed@example.org"
    db.session.commit()

    assert client.get(f"/auth/confirm/{token}").status_code == 404


def test_a_new_link_is_sent_only_to_an_address_awaiting_confirmation(client, make, db):
    register(client, email="new@example.org")
    confirmed = make.user(email="confirmed@example.org")

    answers = [
        post_form(client, "/auth/confirm", {"email": email})
        for email in ("new@example.org", "confirmed@example.org", "nobody@example.org")
    ]

    assert {page_text(answer) for answer in answers} == {page_text(answers[0])}
    assert len(messages_to(db, the_user(db, "new@example.org"))) == 2
    assert messages_to(db, confirmed) == []


def test_registering_again_before_confirming_sends_a_new_link(client, db):
    register(client, email="new@example.org")
    register(client, email="new@example.org", full_name="Someone Else")

    user = the_user(db, "new@example.org")
    assert user.full_name == "New Person"
    assert len(messages_to(db, user)) == 2


def test_demo_and_office_accounts_are_confirmed(make):
    assert make.user().email_confirmed


# Rate limits -----------------------------------------------------------------------------------
def test_the_eleventh_registration_from_one_client_in_an_hour_is_refused(client, db):
    for n in range(10):
        assert register(client, email=f"person{n}@example.org").status_code == 200

    response = register(client, email="one.more@example.org")

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 10


def test_one_address_is_not_sent_mail_more_than_three_times_an_hour(app, make, db):
    owner = make.user(email="victim@example.org")
    for n in range(3):
        assert register(app.test_client(), email="victim@example.org").status_code == 200

    response = post_form(app.test_client(), "/auth/confirm", {"email": "victim@example.org"})

    assert response.status_code == 429
    assert len(messages_to(db, owner)) == 3


# Closed registration -------------------------------------------------------------------------
def test_closed_registration_offers_no_form_and_creates_nothing(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_OPEN", False)

    page = client.get("/auth/register")
    posted = post_form(client, "/auth/register", registration(), page="/auth/login")

    assert page.status_code == posted.status_code == 404
    text = page.get_data(as_text=True)
    assert "international relations office" in text and "<form" not in text.split("<main")[-1]
    assert 'href="/auth/register"' not in client.get("/auth/login").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_production_keeps_registration_closed_unless_asked(monkeypatch):
    import importlib

    import config

    monkeypatch.delenv("REGISTRATION_OPEN", raising=False)
    assert importlib.reload(config).ProductionConfig.REGISTRATION_OPEN is False
    assert config.DevelopmentConfig.REGISTRATION_OPEN is True
    monkeypatch.setenv("REGISTRATION_OPEN", "1")
    assert importlib.reload(config).ProductionConfig.REGISTRATION_OPEN is True
    monkeypatch.delenv("REGISTRATION_OPEN")
    importlib.reload(config)


# Home laboratory requests ------------------------------------------------------------------
@pytest.fixture
def claimant(app, make, db):
    """Someone who registered naming ``unit`` as theirs and confirmed their address."""
    unit = make.lab("unit", acronym="CLAIMED")
    director = make.director_of(unit)
    client = app.test_client()
    register(client, email="claimant@example.org",
             requested_laboratory_id=str(unit.id))
    user = the_user(db, "claimant@example.org")
    client.get(link_in(messages_to(db, user)[0]))
    return {"unit": unit, "director": director, "user": the_user(db, "claimant@example.org")}


def test_a_unit_chosen_at_registration_is_only_a_request(claimant):
    user = claimant["user"]
    assert user.home_laboratory_id is None
    assert user.requested_laboratory_id == claimant["unit"].id


def test_the_director_is_told_of_the_request_once_the_address_is_confirmed(claimant, db):
    [message] = messages_to(db, claimant["director"])
    assert "asks to join" in message.subject


def test_an_unconfirmed_request_cannot_file_in_the_units_queue(app, claimant, make, db):
    """Until confirmed, the person has no home unit: an outgoing request cannot name it."""
    from tracker.applications.models import Application

    client = app.test_client()
    sign_in(client, claimant["user"], GOOD_PASSPHRASE)
    partner = make.lab("partner")
    programme = make.programme("outgoing")
    start = (datetime.now().date() + timedelta(days=60)).isoformat()
    end = (datetime.now().date() + timedelta(days=70)).isoformat()

    response = client.post("/api/v1/applications", json={
        "direction": "outgoing", "programme_id": programme.id,
        "home_laboratory_id": claimant["unit"].id, "host_laboratory_id": partner.id,
        "title": "A stay", "purpose": "research_stay", "start_date": start, "end_date": end,
    }, headers={"X-CSRFToken": csrf_token(client, "/auth/password")})

    assert response.status_code == 422, response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_the_director_sees_and_confirms_the_request(app, claimant, db):
    client = app.test_client()
    sign_in(client, claimant["director"])
    person = claimant["user"]

    page = client.get("/auth/home-requests")
    assert person.email in page.get_data(as_text=True)
    response = post_form(client, f"/auth/home-requests/{person.id}", {"decision": "confirm"},
                         page="/auth/home-requests")

    assert response.status_code == 302
    person = the_user(db, person.email)
    assert person.home_laboratory_id == claimant["unit"].id
    assert person.requested_laboratory_id is None
    assert "is confirmed" in messages_to(db, person)[-1].subject


def test_the_director_refuses_the_request(app, claimant, db):
    client = app.test_client()
    sign_in(client, claimant["director"])
    person = claimant["user"]

    post_form(client, f"/auth/home-requests/{person.id}", {"decision": "refuse"},
              page="/auth/home-requests")

    person = the_user(db, person.email)
    assert person.home_laboratory_id is None and person.requested_laboratory_id is None
    assert "not confirmed" in messages_to(db, person)[-1].subject


def test_another_units_director_neither_sees_nor_decides(app, claimant, make, db):
    other_director = make.director_of(make.lab("unit"))
    client = app.test_client()
    sign_in(client, other_director)
    person = claimant["user"]

    assert person.email not in client.get("/auth/home-requests").get_data(as_text=True)
    response = post_form(client, f"/auth/home-requests/{person.id}", {"decision": "confirm"},
                         page="/auth/home-requests")

    assert response.status_code == 404
    assert the_user(db, person.email).home_laboratory_id is None


def test_a_researcher_may_not_decide_even_their_own(app, claimant, db):
    client = app.test_client()
    sign_in(client, claimant["user"], GOOD_PASSPHRASE)
    person = claimant["user"]

    response = post_form(client, f"/auth/home-requests/{person.id}", {"decision": "confirm"},
                         page="/auth/password")

    assert response.status_code == 403
    assert the_user(db, person.email).home_laboratory_id is None


def test_an_unknown_decision_is_refused(app, claimant, db):
    client = app.test_client()
    sign_in(client, claimant["director"])
    person = claimant["user"]

    response = post_form(client, f"/auth/home-requests/{person.id}", {"decision": "promote"},
                         page="/auth/home-requests")

    assert response.status_code == 400
    assert the_user(db, person.email).requested_laboratory_id == claimant["unit"].id


def test_an_admin_decides_for_any_laboratory(app, claimant, make, db):
    admin = make.user(roles=("admin",))
    client = app.test_client()
    sign_in(client, admin)
    person = claimant["user"]

    response = post_form(client, f"/auth/home-requests/{person.id}", {"decision": "confirm"},
                         page="/auth/home-requests")

    assert response.status_code == 302
    assert the_user(db, person.email).home_laboratory_id == claimant["unit"].id


def test_a_request_whose_address_is_not_confirmed_is_not_listed(app, make, db):
    unit = make.lab("unit")
    director = make.director_of(unit)
    register(app.test_client(), email="unconfirmed@example.org", requested_laboratory_id=str(unit.id))
    client = app.test_client()
    sign_in(client, director)

    assert "unconfirmed@example.org" not in client.get("/auth/home-requests").get_data(as_text=True)
