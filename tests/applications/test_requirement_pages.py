"""The requirements checklist, the opinions and their form on the application page, the
refusal of a blocked step next to its action, and the opinion queues."""

import re

import pytest
import sqlalchemy as sa

from tests.conftest import post_form, sign_in
from tests.requirement_world import build_world, incoming, opinion, outgoing
from tracker.applications.models import Opinion
from tracker.extensions import db


@pytest.fixture
def w(make):
    return build_world(make)


def page(client, application):
    response = client.get(f"/applications/{application.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_checklist_says_what_why_when_and_how(make, w, client, login):
    application = incoming(make, w, w["restricted"], status="draft", days=120)
    login(w["visitor"])
    html = page(client, application)
    assert 'id="requirements"' in html
    assert "Security opinion" in html and "Before approval" in html
    assert "Before submission" in html and "Not met yet" in html
    assert "Nationality: Brazil (outside the EU, the EEA and Switzerland)" in html
    # One click from the upload form, the kind chosen.
    assert f"/applications/{application.id}?kind=invitation_letter#upload" in html
    assert "a security officer" in html
    preselected = client.get(f"/applications/{application.id}?kind=invitation_letter")
    assert '<option value="invitation_letter" selected>' in preselected.get_data(as_text=True)


def test_reviewers_see_nationality_restricted_zone_and_risk_level(app, make, w, client,
                                                                  login):
    application = incoming(make, w, w["restricted"], status="submitted")
    login(w["restricted_director"])
    html = page(client, application)
    assert "Brazil (outside the EU, the EEA and Switzerland)" in html
    assert "Restricted zone" in html
    red = outgoing(make, w, w["partner_ml"], status="submitted")
    other = app.test_client()
    sign_in(other, w["director"])
    html = page(other, red)
    assert "Red: formally not recommended" in html


def test_the_officer_gives_an_opinion_from_the_page(make, w, client, login):
    application = outgoing(make, w, w["partner_ml"], status="submitted")
    login(w["security"])
    html = page(client, application)
    assert 'id="opinion-security-form"' in html
    assert '<legend class="form-label fs-6 mb-1">Verdict' in html
    assert 'for="opinion-security-comment"' in html
    url = f"/applications/{application.id}/opinions/security"
    refused = post_form(client, url, {"opinion-security-verdict": "unfavourable",
                                      "opinion-security-comment": " "},
                        page=f"/applications/{application.id}")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'id="opinion-security-comment-error"' in text
    assert 'aria-describedby="opinion-security-comment-help opinion-security-comment-error"' in text
    # The verdict chosen is kept.
    assert re.search(r'<input checked [^>]*value="unfavourable"', text)
    done = post_form(client, url, {"opinion-security-verdict": "favourable_with_conditions",
                                   "opinion-security-comment": "Escort at all times."},
                     page=f"/applications/{application.id}")
    assert done.status_code == 302
    html = page(client, application)
    assert "Favourable with conditions" in html and "Escort at all times." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Opinion)) == 1


def test_the_applicant_reads_the_opinion_but_has_no_form(make, w, client, login):
    application = outgoing(make, w, w["partner_ml"], status="submitted")
    opinion(application, "security", "unfavourable", w["security"], "Unsafe region.")
    login(w["researcher"])
    html = page(client, application)
    assert "Unsafe region." in html and "Unfavourable opinion" in html
    assert 'id="opinion-security-form"' not in html
    response = post_form(client, f"/applications/{application.id}/opinions/security",
                         {"opinion-security-verdict": "favourable"},
                         page=f"/applications/{application.id}")
    assert response.status_code == 403


def test_a_blocked_approval_is_explained_next_to_the_action(make, w, client, login):
    application = outgoing(make, w, w["partner_ml"], status="endorsed")
    login(w["admin"])
    response = post_form(client, f"/applications/{application.id}/actions/approve",
                         {"approve-version": application.version,
                          "approve-awarded_amount": "100.00"},
                         page=f"/applications/{application.id}")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'id="approve-refusal"' in html and 'aria-describedby="approve-refusal"' in html
    assert "Some requirements are not met yet" in html
    db.session.refresh(application)
    assert application.status == "endorsed"


def test_the_security_queue_lists_oldest_first_with_what_matters(make, w, client, login):
    login(w["security"])
    empty = client.get("/review/security").get_data(as_text=True)
    assert "No request awaits a security opinion." in empty
    first = outgoing(make, w, w["partner_ml"], status="submitted", title="First trip")
    second = incoming(make, w, w["restricted"], status="endorsed", title="Second visit")
    from datetime import datetime, timedelta, timezone
    # Without events (rows written directly), a request waits since its last update.
    first.submitted_at = first.updated_at = datetime.now(timezone.utc) - timedelta(days=3)
    second.submitted_at = second.updated_at = datetime.now(timezone.utc) - timedelta(days=1)
    db.session.commit()
    html = client.get("/review/security").get_data(as_text=True)
    assert html.index(first.reference) < html.index(second.reference)
    assert "Red: formally not recommended" in html
    assert "Brazil (outside the EU, the EEA and Switzerland)" in html
    nav = client.get("/").get_data(as_text=True)
    assert "/review/security" in nav and "/review/host" not in nav


def test_the_host_queue_is_the_joint_unit_directors(app, make, w, client, login):
    asks = outgoing(make, w, w["joint"], status="submitted", title="Tokyo stay")
    login(w["host"])
    html = client.get("/review/host").get_data(as_text=True)
    assert asks.reference in html
    assert "/review/host" in client.get("/").get_data(as_text=True)
    other = app.test_client()
    sign_in(other, w["director"])
    assert other.get("/review/host").status_code == 403
    assert "/review/host" not in other.get("/").get_data(as_text=True)
