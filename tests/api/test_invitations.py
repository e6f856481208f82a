"""POST /api/v1/invitations: the director of the host unit, or an admin, invites a visitor;
201 with the visitor's draft."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.api.conftest import assert_error, count
from tracker.applications.models import Application, Invitation
from tracker.auth.models import User
from tracker.notifications.models import Notification


@pytest.fixture
def programme(make):
    return make.programme("incoming", name="Visiting scholars")


def body(org, programme, **changes):
    start = date.today() + timedelta(days=40)
    data = {
        "email": "visitor@example.org",
        "full_name": "Vera Visitor",
        "nationality": "de",
        "home_laboratory_id": org.partner.id,
        "host_laboratory_id": org.unit.id,
        "funding": "programme",
        "programme_id": programme.id,
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=60)).isoformat(),
        "purpose": "research_stay",
        "title": "Joint experiments",
    }
    data.update(changes)
    return data


def test_director_of_the_host_unit_invites(api, org, programme, db):
    response = api.post("/api/v1/invitations", user=org.director, json=body(org, programme))
    assert response.status_code == 201, response.get_data(as_text=True)
    draft = response.get_json()
    visitor = db.session.scalar(sa.select(User).where(User.email == "visitor@example.org"))
    assert draft["status"] == "draft" and draft["direction"] == "incoming"
    assert draft["applicant_id"] == visitor.id and draft["host_laboratory_id"] == org.unit.id
    assert draft["programme_id"] == programme.id and draft["title"] == "Joint experiments"
    assert visitor.nationality == "DE" and not visitor.email_confirmed
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.invited_by_id == org.director.id and invitation.application_id == draft["id"]
    message = db.session.scalar(sa.select(Notification).where(Notification.user_id == visitor.id))
    assert re.search(r"/applications/invitations/accept/\S+", message.body)


def test_admin_invites_to_any_unit(api, org, programme):
    response = api.post("/api/v1/invitations", user=org.admin,
                        json=body(org, programme, host_laboratory_id=org.other_unit.id))
    assert response.status_code == 201


def test_director_cannot_invite_to_a_unit_they_do_not_direct(api, org, programme, db):
    response = api.post("/api/v1/invitations", user=org.director,
                        json=body(org, programme, host_laboratory_id=org.other_unit.id))
    assert_error(response, 403, "forbidden")
    # 403 comes before the values: even an invalid body is refused for who asks.
    response = api.post("/api/v1/invitations", user=org.director,
                        json=body(org, programme, host_laboratory_id=org.other_unit.id,
                                  email="nonsense", purpose="holidays"))
    assert_error(response, 403)
    assert count(Invitation) == 0 and count(Application) == 0


def test_a_researcher_may_not_invite(api, org, programme):
    assert_error(api.post("/api/v1/invitations", user=org.researcher,
                          json=body(org, programme)), 403)
    assert_error(api.post("/api/v1/invitations", json=body(org, programme)), 401)


@pytest.mark.parametrize("changes,fields", [
    ({"email": "not-an-address"}, {"email"}),
    ({"nationality": "XX"}, {"nationality"}),
    ({"funding": "lottery"}, {"funding"}),
    ({"purpose": "holidays"}, {"purpose"}),
    ({"title": "   "}, {"title"}),
    ({"status": "approved"}, {"status"}),
    ({"home_laboratory_id": None}, {"home_laboratory_id"}),
])
def test_invalid_values_are_422_with_field_names(api, org, programme, changes, fields):
    error = assert_error(api.post("/api/v1/invitations", user=org.director,
                                  json=body(org, programme, **changes)), 422)
    assert fields <= set(error["fields"])
    assert count(Invitation) == 0


def test_the_application_rules_refuse_a_wrong_stay(api, org, programme, db):
    # A home laboratory that is one of our units is not where a visitor comes from.
    error = assert_error(api.post("/api/v1/invitations", user=org.director,
                                  json=body(org, programme, home_laboratory_id=org.other_unit.id)),
                         422)
    assert "home_laboratory_id" in error["fields"]
    error = assert_error(api.post("/api/v1/invitations", user=org.admin,
                                  json=body(org, programme, host_laboratory_id=org.partner.id)),
                         422)
    assert "host_laboratory_id" in error["fields"]
    assert count(Invitation) == 0 and count(Application) == 0
    assert db.session.scalar(sa.select(User).where(User.email == "visitor@example.org")) is None


def test_an_existing_account_gets_no_new_account(api, org, programme, make):
    known = make.user(email="visitor@example.org", lab=org.partner)
    before = count(User)
    response = api.post("/api/v1/invitations", user=org.director, json=body(org, programme))
    assert response.status_code == 201 and response.get_json()["applicant_id"] == known.id
    assert count(User) == before


def test_the_director_cannot_invite_themselves(api, org, programme):
    error = assert_error(api.post("/api/v1/invitations", user=org.director,
                                  json=body(org, programme, email=org.director.email)), 422)
    assert "email" in error["fields"]
