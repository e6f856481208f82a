"""Invitations: a unit's director (or an admin) invites a visitor; the visitor follows a
one-time link, sets a password and lands on the draft prepared for them."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, post_form, sign_in
from tests.directory.helpers import error_of, input_value, page, selected, table_rows
from tracker.applications.models import Application, Event, Invitation
from tracker.auth.models import User
from tracker.auth.tokens import hash_token
from tracker.core.models import utcnow
from tracker.notifications.models import Notification

NEW_PASSWORD = "a long and unusual passphrase"


@pytest.fixture
def host(make):
    """A unit with its director, a partner abroad and an open incoming programme."""
    unit = make.lab("unit", name="Host Unit", acronym="HOST")
    other_unit = make.lab("unit", name="Other Unit", acronym="OTHER")
    partner = make.lab("partner", country="DE", name="Berlin Partner", acronym="BER")
    director = make.director_of(unit, full_name="Dana Director")
    other_director = make.director_of(other_unit, full_name="Omar Other")
    programme = make.programme("incoming", name="Visiting scholars")
    return dict(unit=unit, other_unit=other_unit, partner=partner, director=director,
                other_director=other_director, programme=programme)


def invitation_form(host, **changes):
    start = date.today() + timedelta(days=40)
    data = {
        "email": "Visitor@Example.org",
        "full_name": "Vera Visitor",
        "nationality": "DE",
        "home_laboratory_id": str(host["partner"].id),
        "host_laboratory_id": str(host["unit"].id),
        "funding": "programme",
        "programme_id": str(host["programme"].id),
        "title": "Joint experiments",
        "purpose": "research_stay",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=60)).isoformat(),
    }
    data.update(changes)
    return data


def the_user(db, email):
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def invitations(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(Invitation).order_by(Invitation.id)).all()


def link_in(db, user):
    message = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
    ).first()
    assert message is not None
    match = re.search(r"https?://\S+(/applications/invitations/accept/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def invite_on_the_web(app, user, data):
    client = app.test_client()
    sign_in(client, user)
    return client, post_form(client, "/applications/invitations", data)


# Inviting --------------------------------------------------------------------------------------
def test_director_invites_a_new_visitor(app, host, db):
    client, response = invite_on_the_web(app, host["director"], invitation_form(host))
    assert response.status_code == 302
    visitor = the_user(db, "visitor@example.org")
    assert visitor.full_name == "Vera Visitor" and visitor.nationality == "DE"
    assert visitor.home_laboratory_id == host["partner"].id and visitor.category == "researcher"
    assert visitor.roles == ["researcher"]
    assert not visitor.email_confirmed and not visitor.is_active  # nobody can sign in yet
    (invitation,) = invitations(db)
    draft = invitation.application
    assert (draft.status, draft.direction, draft.applicant_id) == ("draft", "incoming", visitor.id)
    assert (draft.host_laboratory_id, draft.home_laboratory_id, draft.programme_id) == (
        host["unit"].id, host["partner"].id, host["programme"].id)
    assert draft.title == "Joint experiments" and draft.purpose == "research_stay"
    created = db.session.scalar(sa.select(Event).where(Event.application_id == draft.id))
    assert created.action == "create" and created.actor_id == host["director"].id
    # Valid seven days; only the digest of the link is stored.
    assert timedelta(days=6, hours=23) < invitation.expires_at - utcnow() <= timedelta(days=7)
    token = link_in(db, visitor).rsplit("/", 1)[1]
    assert invitation.token_hash == hash_token(token) and token not in invitation.token_hash
    # The list of invitations sent shows it.
    rows = table_rows(client.get("/applications/invitations"))
    assert len(rows) == 1 and "Vera Visitor" in rows[0][0] and rows[0][3].startswith("Sent")
    assert draft.reference in rows[0][4] and "Draft" in rows[0][4]


def test_the_invitation_message_is_in_the_outbox_with_the_link(app, host, db):
    invite_on_the_web(app, host["director"], invitation_form(host))
    visitor = the_user(db, "visitor@example.org")
    (message,) = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == visitor.id)).all()
    assert "Dana Director invites you" in message.subject
    assert "/applications/invitations/accept/" in message.body and "7 days" in message.body
    assert message.application_id == invitations(db)[0].application_id


def test_refused_values_are_shown_next_to_their_fields_and_nothing_is_lost(app, host, db):
    data = invitation_form(host, email="not-an-address", home_laboratory_id=str(host["unit"].id),
                           end_date=(date.today() + timedelta(days=10)).isoformat())
    client, response = invite_on_the_web(app, host["director"], data)
    assert response.status_code == 200
    assert error_of(response, "email")
    assert input_value(response, "full_name") == "Vera Visitor"
    assert input_value(response, "title") == "Joint experiments"
    assert selected(response, "nationality") == ["DE"]
    # Values of the stay itself are refused by the application's own rules.
    data = invitation_form(host, home_laboratory_id=str(host["other_unit"].id))
    response = post_form(client, "/applications/invitations", data)
    assert response.status_code == 200
    assert error_of(response, "home_laboratory_id")
    assert input_value(response, "email") == "Visitor@Example.org"
    # Nothing was created: no account, no draft, no invitation.
    assert the_user(db, "visitor@example.org") is None
    assert invitations(db) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_director_cannot_invite_to_a_unit_they_do_not_direct(app, host, db):
    client, response = invite_on_the_web(
        app, host["director"], invitation_form(host, host_laboratory_id=str(host["other_unit"].id)))
    # Their form only offers their own units: the other one is not a choice.
    assert response.status_code == 200
    assert error_of(response, "host_laboratory_id")
    assert invitations(db) == [] and the_user(db, "visitor@example.org") is None


def test_researchers_and_directors_of_no_unit_may_not_invite(app, make, host):
    joint = make.lab("joint_unit", country="JP")
    for user in (make.user(lab=host["unit"]), make.director_of(joint)):
        client = app.test_client()
        sign_in(client, user)
        assert client.get("/applications/invitations").status_code == 403
        response = post_form(client, "/applications/invitations", invitation_form(host),
                             page="/auth/password")
        assert response.status_code == 403


def test_admin_invites_to_any_unit_and_sees_every_invitation(app, make, host, db):
    admin = make.user(roles=("admin",))
    invite_on_the_web(app, host["director"], invitation_form(host))
    client, response = invite_on_the_web(app, admin, invitation_form(
        host, email="second@example.org", host_laboratory_id=str(host["other_unit"].id)))
    assert response.status_code == 302
    assert len(table_rows(client.get("/applications/invitations"))) == 2
    # The director sees only their own.
    director = app.test_client()
    sign_in(director, host["director"])
    assert len(table_rows(director.get("/applications/invitations"))) == 1


def test_empty_list(app, host):
    client = app.test_client()
    sign_in(client, host["director"])
    assert "You have not invited anyone yet." in page(client.get("/applications/invitations"))


# Following the link ----------------------------------------------------------------------------
def test_the_visitor_sets_a_password_and_lands_on_the_draft(app, host, db):
    invite_on_the_web(app, host["director"], invitation_form(host))
    visitor = the_user(db, "visitor@example.org")
    link = link_in(db, visitor)
    client = app.test_client()
    form = client.get(link)
    assert form.status_code == 200 and 'autocomplete="new-password"' in page(form)
    # The password rules apply, next to the field.
    refused = post_form(client, link, {"password": "short", "confirm": "short"})
    assert refused.status_code == 200 and error_of(refused, "password")
    assert not the_user(db, "visitor@example.org").email_confirmed
    response = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    draft = invitations(db)[0].application
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/applications/{draft.id}")
    assert client.get(response.headers["Location"]).status_code == 200  # signed in, their own
    visitor = the_user(db, "visitor@example.org")
    assert visitor.email_confirmed and visitor.is_active
    assert invitations(db)[0].accepted_at is not None
    # They may sign in with the new password from now on.
    other = app.test_client()
    sign_in(other, visitor, password=NEW_PASSWORD)
    # The inviter's list says so.
    director = app.test_client()
    sign_in(director, host["director"])
    assert table_rows(director.get("/applications/invitations"))[0][3] == "Accepted"


def test_a_used_link_says_so(app, host, db):
    invite_on_the_web(app, host["director"], invitation_form(host))
    link = link_in(db, the_user(db, "visitor@example.org"))
    client = app.test_client()
    post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = app.test_client().get(link)
    assert again.status_code == 410
    assert "already used" in page(again)
    # Posting to it again changes nothing.
    before = the_user(db, "visitor@example.org").password_hash
    response = post_form(app.test_client(), link,
                         {"password": "another long passphrase", "confirm": "another long passphrase"},
                         page="/auth/login")
    assert response.status_code == 410
    assert the_user(db, "visitor@example.org").password_hash == before


def test_an_expired_link_says_so(app, host, db):
    invite_on_the_web(app, host["director"], invitation_form(host))
    link = link_in(db, the_user(db, "visitor@example.org"))
    invitation = invitations(db)[0]
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = app.test_client().get(link)
    assert response.status_code == 410
    assert "expired" in page(response) and "seven days" in page(response)
    director = app.test_client()
    sign_in(director, host["director"])
    assert table_rows(director.get("/applications/invitations"))[0][3] == "Expired"


def test_an_unknown_link_is_404_with_a_page(client):
    response = client.get("/applications/invitations/accept/" + "x" * 43)
    assert response.status_code == 404
    assert "not valid" in page(response)
    assert client.get("/applications/invitations/accept/" + "y" * 500).status_code == 404


def test_an_existing_account_is_invited_again_without_a_new_account(app, make, host, db):
    visitor = make.user(email="visitor@example.org", lab=host["partner"], full_name="Known Visitor")
    users_before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    invite_on_the_web(app, host["director"], invitation_form(host, full_name="Another Name"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users_before
    invitation = invitations(db)[0]
    assert invitation.user_id == visitor.id and invitation.application.applicant_id == visitor.id
    assert the_user(db, "visitor@example.org").full_name == "Known Visitor"
    link = link_in(db, visitor)
    client = app.test_client()
    shown = client.get(link)
    assert shown.status_code == 200 and "already have an account" in page(shown)
    assert "password" not in re.findall(r'name="(\w+)"', page(shown))
    response = post_form(client, link, {})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    # Signing in leads to the new draft.
    login = post_form(client, response.headers["Location"],
                      {"email": visitor.email, "password": PASSWORD})
    assert login.headers["Location"].endswith(f"/applications/{invitation.application_id}")
    assert invitations(db)[0].accepted_at is not None
    assert the_user(db, "visitor@example.org").password_hash  # unchanged password still works


def test_the_visitor_submits_the_completed_draft(app, host, db):
    invite_on_the_web(app, host["director"], invitation_form(host))
    link = link_in(db, the_user(db, "visitor@example.org"))
    client = app.test_client()
    post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    draft = invitations(db)[0].application
    response = post_form(client, f"/applications/{draft.id}/actions/submit",
                         {"submit-version": str(draft.version)}, page=f"/applications/{draft.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, draft.id).status == "submitted"
    director = app.test_client()
    sign_in(director, host["director"])
    assert "Submitted" in table_rows(director.get("/applications/invitations"))[0][4]
