"""The requirements and opinions of an application through the API."""

import pytest
import sqlalchemy as sa

from tests.api.conftest import assert_error
from tests.requirement_world import build_world, incoming, opinion, outgoing
from tracker.applications.models import Opinion
from tracker.extensions import db


@pytest.fixture
def w(make):
    return build_world(make)


def test_requirements_list_what_each_needs_why_and_before_which_step(api, make, w):
    application = incoming(make, w, w["restricted"], days=120)
    response = api.get(f"/api/v1/applications/{application.id}/requirements", user=w["visitor"])
    assert response.status_code == 200
    items = response.get_json()
    assert [item["code"] for item in items] == [
        "security_opinion", "host_agreement", "invitation_letter"]
    security, agreement, letter = items
    assert security == {"code": "security_opinion", "requires": "opinion",
                        "opinion_kind": "security", "blocks": "approve", "met": False,
                        "reason": security["reason"]}
    assert "Brazil (outside the EU, the EEA and Switzerland)" in security["reason"]
    assert agreement["requires"] == "document" and agreement["document_kind"] == "host_agreement"
    assert "opinion_kind" not in agreement
    assert letter["blocks"] == "submit" and "Stay of 120 days" in letter["reason"]


def test_requirements_of_an_application_one_cannot_see_are_404(api, make, w):
    application = outgoing(make, w, w["partner_de"])
    for path in ("requirements", "opinions"):
        assert_error(api.get(f"/api/v1/applications/{application.id}/{path}", user=w["other"]),
                     404, "not_found")
        assert_error(api.get(f"/api/v1/applications/{application.id}/{path}",
                             user=w["security"]), 404, "not_found")
        assert_error(api.get(f"/api/v1/applications/{application.id}/{path}"), 401)


def test_a_security_officer_gives_an_opinion_and_everyone_who_sees_reads_it(api, make, w):
    application = outgoing(make, w, w["partner_ml"], status="endorsed")
    url = f"/api/v1/applications/{application.id}/opinions"
    response = api.post(url, user=w["security"],
                        json={"kind": "security", "verdict": "favourable_with_conditions",
                              "comment": "Stay in the capital."})
    assert response.status_code == 201, response.get_data(as_text=True)
    given = response.get_json()
    assert {key: given[key] for key in ("kind", "verdict", "comment", "author_id")} == {
        "kind": "security", "verdict": "favourable_with_conditions",
        "comment": "Stay in the capital.", "author_id": w["security"].id}
    api.post(url, user=w["security"], json={"kind": "security", "verdict": "favourable"})
    for reader in ("researcher", "director", "admin", "security"):
        listed = api.get(url, user=w[reader]).get_json()["items"]
        assert [item["verdict"] for item in listed] == [
            "favourable_with_conditions", "favourable"], reader
    requirements = api.get(f"/api/v1/applications/{application.id}/requirements",
                           user=w["admin"]).get_json()
    assert requirements[0]["met"] is True


def test_approve_is_409_requirements_unmet_with_the_list_until_the_opinion(api, make, w):
    application = outgoing(make, w, w["partner_ml"], status="endorsed")
    url = f"/api/v1/applications/{application.id}/transitions"
    body = {"action": "approve", "version": application.version, "awarded_amount": "900.00",
            "comment": ""}
    error = assert_error(api.post(url, user=w["admin"], json=body), 409, "requirements_unmet")
    assert error["requirements"] == [{
        "code": "security_opinion", "requires": "opinion", "opinion_kind": "security",
        "blocks": "approve", "met": False, "reason": error["requirements"][0]["reason"]}]
    # Requirements come before the values (409 before 422).
    assert_error(api.post(url, user=w["admin"], json={**body, "awarded_amount": "-3"}), 409,
                 "requirements_unmet")
    opinion(application, "security", "favourable", w["security"], "")
    response = api.post(url, user=w["admin"], json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "approved"


def test_an_unfavourable_opinion_bars_endorse_but_not_decline(api, make, w):
    application = outgoing(make, w, w["partner_ml"], status="submitted")
    opinion(application, "security", "unfavourable", w["security"], "No.")
    url = f"/api/v1/applications/{application.id}/transitions"
    assert_error(api.post(url, user=w["director"], json={
        "action": "endorse", "version": application.version, "comment": ""}),
        409, "requirements_unmet")
    response = api.post(url, user=w["director"], json={
        "action": "decline", "version": application.version, "comment": "Security said no."})
    assert response.status_code == 200 and response.get_json()["status"] == "declined"


def test_submit_is_409_until_the_invitation_letter(api, make, w):
    application = outgoing(make, w, w["partner_de"], status="draft", days=60)
    url = f"/api/v1/applications/{application.id}/transitions"
    body = {"action": "submit", "version": application.version, "comment": ""}
    error = assert_error(api.post(url, user=w["researcher"], json=body), 409,
                         "requirements_unmet")
    assert [item["document_kind"] for item in error["requirements"]] == ["invitation_letter"]
    make.document(application, kind="invitation_letter", name="letter.pdf")
    response = api.post(url, user=w["researcher"], json=body)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_opinion_refusals_in_the_documented_order(api, make, w):
    application = outgoing(make, w, w["partner_ml"], status="submitted")
    url = f"/api/v1/applications/{application.id}/opinions"
    good = {"kind": "security", "verdict": "favourable"}
    assert_error(api.post(url, json=good), 401)
    # Someone who does not see it: 404, whatever the body.
    assert_error(api.post(url, user=w["other"], json={"kind": "nonsense"}), 404)
    assert_error(api.post(url, user=w["host"], json=good), 404)
    # Those who see it but give no security opinion: 403, even with bad values.
    for person in ("researcher", "director", "admin"):
        assert_error(api.post(url, user=w[person], json=good), 403, "forbidden")
        assert_error(api.post(url, user=w[person], json={"kind": "security"}), 403)
        assert_error(api.post(url, user=w[person], json={"kind": "bogus"}), 403)
    # The officer: values (422) with the field.
    error = assert_error(api.post(url, user=w["security"],
                                  json={"kind": "security", "verdict": "unfavourable"}), 422)
    assert set(error["fields"]) == {"comment"}
    error = assert_error(api.post(url, user=w["security"],
                                  json={"kind": "security", "verdict": "perhaps"}), 422)
    assert "verdict" in error["fields"]
    assert_error(api.post(url, user=w["security"], json={**good, "status": "approved"}), 422)
    # Not asked for: a host opinion on a stay to a partner is nobody's to give (403); a
    # security opinion on a stay that asks none is invisible to the officer (404).
    assert_error(api.post(url, user=w["security"], json={**good, "kind": "host"}), 403)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Opinion)) == 0


def test_opinion_on_a_decided_application_is_409(api, make, w):
    application = outgoing(make, w, w["partner_ml"], status="approved")
    opinion(application, "security", "favourable", w["security"], "")
    url = f"/api/v1/applications/{application.id}/opinions"
    # It carries a security opinion, so the officer sees it; giving another is too late.
    assert_error(api.post(url, user=w["security"],
                          json={"kind": "security", "verdict": "unfavourable",
                                "comment": "Too late"}), 409)


def test_me_lists_the_security_officer_role(api, w):
    assert api.get("/api/v1/me", user=w["security"]).get_json()["roles"] == ["security_officer"]
