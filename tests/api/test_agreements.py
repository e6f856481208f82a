"""The agreements register through the API: reading with filters, administrators' writes,
every refusal in the documented order, and the quota refusal of an approval."""

from datetime import date, timedelta

import pytest

from tests.api.conftest import assert_error, count
from tracker.agreements.models import Agreement
from tracker.audit.models import AuditEntry

TODAY = date.today()


def body(org, **changes):
    return {"kind": "framework", "title": "Framework with Berlin", "reference": "FW-1",
            "starts_on": str(TODAY - timedelta(days=3)),
            "ends_on": str(TODAY + timedelta(days=700)), "status": "in_force",
            "laboratory_ids": [org.unit.id, org.partner.id],
            "partner_contact_email": "petra@example.de", "quota_stays": 5, **changes}


def test_an_admin_creates_changes_and_deletes_an_agreement(api, org):
    created = api.post("/api/v1/agreements", user=org.admin, json=body(org))
    assert created.status_code == 201, created.get_json()
    agreement = created.get_json()
    assert agreement["status"] == "in_force"
    assert {lab["id"] for lab in agreement["laboratories"]} == {org.unit.id, org.partner.id}
    assert (agreement["our_contact_email"], agreement["quota_stays"]) == ("", 5)

    changed = api.patch(f"/api/v1/agreements/{agreement['id']}", user=org.admin,
                        json={"status": "terminated", "quota_is_limit": True})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["status"], changed.get_json()["title"]) == (
        "terminated", "Framework with Berlin")

    assert api.delete(f"/api/v1/agreements/{agreement['id']}", user=org.admin).status_code == 204
    assert count(Agreement) == 0
    assert count(AuditEntry) == 3


def test_everyone_signed_in_reads_with_filters(api, make, org):
    berlin = make.agreement([org.unit, org.partner], reference="B-1")
    tokyo = make.agreement([org.other_unit, org.joint], kind="joint_unit", reference="T-1")
    old = make.agreement([org.unit, org.partner], reference="O-1",
                         starts_on=TODAY - timedelta(days=900),
                         ends_on=TODAY - timedelta(days=1))

    def references(query=""):
        response = api.get(f"/api/v1/agreements{query}", user=org.researcher)
        assert response.status_code == 200, response.get_json()
        return sorted(item["reference"] for item in response.get_json()["items"])

    assert references() == ["B-1", "O-1", "T-1"]
    assert references("?status=expired") == ["O-1"]
    assert references("?status=in_force") == ["B-1", "T-1"]
    assert references("?country=JP") == ["T-1"]
    assert references(f"?partner={org.partner.id}") == ["B-1", "O-1"]
    assert references(f"?unit={org.other_unit.id}") == ["T-1"]
    # A unit is no partner, a partner no unit.
    assert references(f"?partner={org.unit.id}") == []
    assert references(f"?unit={org.partner.id}") == []
    assert references("?kind=joint_unit") == ["T-1"]
    one = api.get(f"/api/v1/agreements/{tokyo.id}", user=org.researcher).get_json()
    assert one["quota_used"] == {"year": TODAY.year, "stays": 0, "days": 0}
    assert berlin.id and old.id


def test_anonymous_callers_get_401(api, make, org):
    agreement = make.agreement([org.unit, org.partner])
    assert_error(api.get("/api/v1/agreements"), 401)
    assert_error(api.get(f"/api/v1/agreements/{agreement.id}"), 401)
    assert_error(api.post("/api/v1/agreements", json=body(org)), 401)


@pytest.mark.parametrize("role", ["researcher", "director"])
def test_only_admins_write(api, make, org, role):
    agreement = make.agreement([org.unit, org.partner])
    user = getattr(org, role)
    assert_error(api.post("/api/v1/agreements", user=user, json=body(org)), 403)
    assert_error(api.patch(f"/api/v1/agreements/{agreement.id}", user=user,
                           json={"title": "Mine"}), 403)
    assert_error(api.delete(f"/api/v1/agreements/{agreement.id}", user=user), 403)
    assert count(Agreement) == 1


def test_an_unknown_agreement_answers_404_before_403(api, org):
    assert_error(api.get("/api/v1/agreements/999999", user=org.researcher), 404)
    assert_error(api.patch("/api/v1/agreements/999999", user=org.researcher,
                           json={"title": "x"}), 404)
    assert_error(api.delete("/api/v1/agreements/999999", user=org.admin), 404)


@pytest.mark.parametrize("changes, field", [
    ({"ends_on": str(TODAY - timedelta(days=30))}, "ends_on"),
    ({"laboratory_ids": [999999, 999998]}, "laboratory_ids"),
    ({"laboratory_ids": [1]}, "laboratory_ids"),
    ({"quota_stays": -1}, "quota_stays"),
    ({"quota_days": 2.5}, "quota_days"),
    ({"status": "expired"}, "status"),
    ({"kind": "treaty"}, "kind"),
    ({"partner_contact_email": "nobody"}, "partner_contact_email"),
    ({"quota_stays": None, "quota_is_limit": True}, "quota_is_limit"),
    ({"kind": "joint_unit"}, "laboratory_ids"),
    ({"applicant_id": 3}, "applicant_id"),
])
def test_invalid_values_are_422_with_the_field(api, org, changes, field):
    error = assert_error(api.post("/api/v1/agreements", user=org.admin,
                                  json=body(org, **changes)), 422)
    assert field in error["fields"], error
    assert count(Agreement) == 0


def test_a_reference_is_taken_once(api, org):
    assert api.post("/api/v1/agreements", user=org.admin, json=body(org)).status_code == 201
    error = assert_error(api.post("/api/v1/agreements", user=org.admin, json=body(org)), 422)
    assert "reference" in error["fields"]


def test_bad_bodies_and_queries(api, org):
    assert_error(api.post("/api/v1/agreements", user=org.admin, data="x",
                          content_type="text/plain"), 415)
    assert_error(api.post("/api/v1/agreements", user=org.admin, data="{",
                          content_type="application/json"), 400)
    assert_error(api.get("/api/v1/agreements?status=signed", user=org.admin), 422)
    assert_error(api.get("/api/v1/agreements?unit=abc", user=org.admin), 422)


def test_applications_name_their_agreement_and_its_quota_limits_approvals(api, make, org):
    agreement = make.agreement([org.unit, org.partner], quota_stays=0, quota_is_limit=True)
    programme = make.programme("outgoing")
    start = TODAY + timedelta(days=40)
    created = api.post("/api/v1/applications", user=org.researcher, json={
        "direction": "outgoing", "programme_id": programme.id,
        "home_laboratory_id": org.unit.id, "host_laboratory_id": org.partner.id,
        "title": "Stay", "purpose": "conference", "start_date": str(start),
        "end_date": str(start + timedelta(days=3)), "requested_amount": "100.00"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["agreement_id"] == agreement.id
    endorsed = make.application(applicant=org.researcher, host=org.partner,
                                programme=programme, status="endorsed",
                                agreement_id=agreement.id)
    error = assert_error(api.post(f"/api/v1/applications/{endorsed.id}/transitions",
                                  user=org.admin, json={"action": "approve", "version": 1,
                                                        "awarded_amount": "10.00"}),
                         409, "quota_reached")
    assert "allows 0 stays" in error["message"]
