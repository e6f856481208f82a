"""Who sees what when opinions are asked (docs/rules.md, Visibility): a security officer the
applications whose requirements include a security opinion (while submitted or endorsed)
and those carrying one; the director of a joint unit those asking for their host opinion
and those carrying one. SQL (``visible_applications``) and Python (``can_view``) agree."""

import pytest

from tests.api.conftest import Api
from tests.requirement_world import build_world, incoming, opinion, outgoing
from tracker import access
from tracker.applications.models import Application
from tracker.applications.workflow import STATUSES
from tracker.extensions import db


@pytest.fixture
def w(make):
    return build_world(make)


@pytest.fixture
def api(client):
    return Api(client)


def sees(user, application):
    listed = db.session.scalar(
        access.visible_applications(user).where(Application.id == application.id))
    in_python = access.can_view(user, application)
    assert (listed is not None) == in_python, (user.full_name, application.status)
    return in_python


@pytest.mark.parametrize("status", STATUSES)
def test_a_security_officer_sees_what_asks_for_a_security_opinion(make, w, status):
    asks = outgoing(make, w, w["partner_ml"], status=status)
    restricted = incoming(make, w, w["restricted"], status=status)
    quiet = outgoing(make, w, w["partner_de"], status=status)
    pending = status in ("submitted", "endorsed")
    assert sees(w["security"], asks) is pending
    assert sees(w["security"], restricted) is pending
    assert sees(w["security"], quiet) is False
    # Nobody else gains anything from it.
    assert sees(w["other"], asks) is False
    assert sees(w["host"], asks) is False


@pytest.mark.parametrize("status", ["submitted", "endorsed", "approved", "declined",
                                    "completed"])
def test_an_opinion_given_keeps_the_application_in_sight(make, w, status):
    application = outgoing(make, w, w["partner_ml"], status=status)
    opinion(application, "security", "favourable", w["security"], "")
    assert sees(w["security"], application) is True


def test_a_draft_is_never_an_officers(make, w):
    draft = outgoing(make, w, w["partner_ml"], status="draft")
    opinion(draft, "security", "favourable", w["security"], "")
    assert sees(w["security"], draft) is False


@pytest.mark.parametrize("status", STATUSES)
def test_the_host_director_sees_what_asks_for_their_host_opinion(make, w, status):
    asks = outgoing(make, w, w["joint"], status=status)
    elsewhere = outgoing(make, w, w["partner_ml"], status=status)
    pending = status in ("submitted", "endorsed")
    assert sees(w["host"], asks) is pending
    assert sees(w["host"], elsewhere) is False
    # Another joint unit's director sees nothing of it.
    other_joint = make.lab("joint_unit", country="JP", acronym="OTHERJ")
    other_host = make.director_of(other_joint)
    assert sees(other_host, asks) is False
    # The officer is not asked for a host opinion.
    assert sees(w["security"], asks) is False


def test_a_host_opinion_given_keeps_it_in_the_host_directors_sight(make, w):
    application = outgoing(make, w, w["joint"], status="approved")
    assert sees(w["host"], application) is False
    opinion(application, "host", "favourable", w["host"], "")
    assert sees(w["host"], application) is True


def test_queues_hold_the_pending_requests_without_an_opinion(make, w):
    red = outgoing(make, w, w["partner_ml"], status="submitted")
    endorsed = incoming(make, w, w["restricted"], status="endorsed")
    done = outgoing(make, w, w["partner_ml"], status="endorsed")
    opinion(done, "security", "favourable", w["security"], "")
    outgoing(make, w, w["partner_ml"], status="approved")
    outgoing(make, w, w["partner_de"], status="submitted")
    own = outgoing(make, w, w["partner_ml"], status="submitted", applicant=w["security"])
    queued = set(db.session.scalars(access.security_queue(w["security"])))
    assert queued == {red, endorsed}
    assert own not in queued
    joint = outgoing(make, w, w["joint"], status="submitted")
    assert set(db.session.scalars(access.host_opinion_queue(w["host"]))) == {joint}
    for person in ("researcher", "director", "admin"):
        assert db.session.scalars(access.security_queue(w[person])).all() == []
        assert db.session.scalars(access.host_opinion_queue(w[person])).all() == []


def test_scopes_of_officers_and_host_directors_are_their_own(w):
    scopes = {name: access.visibility_scope(w[name])
              for name in ("researcher", "other", "director", "security", "host", "admin")}
    assert len(set(scopes.values())) == len(scopes)
    assert "security" in scopes["security"]
    assert "host" in scopes["host"]


def test_pages_and_api_answer_404_for_what_the_officer_does_not_see(make, w, client, login,
                                                                    api):
    quiet = outgoing(make, w, w["partner_de"], status="submitted")
    asks = outgoing(make, w, w["partner_ml"], status="submitted")
    assert api.get(f"/api/v1/applications/{quiet.id}", user=w["security"]).status_code == 404
    assert api.get(f"/api/v1/applications/{asks.id}", user=w["security"]).status_code == 200
    listed = api.get("/api/v1/applications", user=w["security"]).get_json()
    assert [item["id"] for item in listed["items"]] == [asks.id]
    login(w["security"])
    assert client.get(f"/applications/{quiet.id}").status_code == 404
    assert client.get(f"/applications/{asks.id}").status_code == 200


def test_pages_and_api_answer_404_for_what_the_host_director_does_not_see(make, w, client,
                                                                         login, api):
    quiet = outgoing(make, w, w["partner_ml"], status="submitted")
    asks = outgoing(make, w, w["joint"], status="endorsed")
    assert api.get(f"/api/v1/applications/{quiet.id}", user=w["host"]).status_code == 404
    assert api.get(f"/api/v1/applications/{asks.id}", user=w["host"]).status_code == 200
    login(w["host"])
    assert client.get(f"/applications/{quiet.id}").status_code == 404
    assert client.get(f"/applications/{asks.id}").status_code == 200
