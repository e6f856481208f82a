"""The amendments API: ask a change to an approved application, review it, in SPEC's errors."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.api.conftest import assert_error
from tracker.applications.models import Application
from tracker.extensions import db


@pytest.fixture
def approved(make, org):
    programme = make.programme("outgoing", budget=Decimal("5000.00"))
    return make.application(applicant=org.researcher, status="approved", host=org.partner,
                            programme=programme, awarded_amount=Decimal("1500.00"))


def path(application, *rest):
    return "/".join([f"/api/v1/applications/{application.id}/amendments", *map(str, rest)])


def ask(api, user, application, changes, reason="More time is needed.", version=None):
    return api.post(path(application), user, json={
        "changes": changes, "reason": reason,
        "version": application.version if version is None else version})


def act(api, user, application, amendment_id, action, **body):
    return api.post(path(application, amendment_id, "transitions"), user,
                    json={"action": action, **body})


def new_end(application, days=10):
    return (application.end_date + timedelta(days=days)).isoformat()


def test_extension_asked_endorsed_approved_then_listed_and_in_the_history(api, org, approved):
    old_end, wanted = approved.end_date.isoformat(), new_end(approved)
    response = ask(api, org.researcher, approved, {"end_date": new_end(approved)})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["version"]) == ("submitted", 1)
    assert body["changes"] == {"end_date": new_end(approved)}
    assert body["previous"] == {"end_date": old_end}
    assert body["reason"] == "More time is needed."

    endorsed = act(api, org.director, approved, body["id"], "endorse", version=1)
    assert endorsed.status_code == 200 and endorsed.get_json()["status"] == "endorsed"
    decided = act(api, org.admin, approved, body["id"], "approve", version=2)
    assert decided.status_code == 200 and decided.get_json()["status"] == "approved"

    application = api.get(f"/api/v1/applications/{approved.id}", org.researcher).get_json()
    assert (application["status"], application["end_date"]) == ("approved", wanted)
    history = api.get(f"/api/v1/applications/{approved.id}/events", org.researcher).get_json()
    amended = [event for event in history["items"] if event["action"] == "amend"]
    assert len(amended) == 1
    assert amended[0]["changes"] == {"end_date": {"old": old_end, "new": wanted}}
    listed = api.get(path(approved), org.director).get_json()["items"]
    assert [item["status"] for item in listed] == ["approved"]


def test_cost_items_and_amount_through_the_api(api, org, approved):
    response = ask(api, org.researcher, approved, {"cost_items": [
        {"kind": "travel", "description": "Flights", "amount": "900.00"},
        {"kind": "accommodation", "amount": "800.00"}]})
    assert response.status_code == 201, response.get_json()
    changes = response.get_json()["changes"]
    assert changes["requested_amount"] == "1700.00"
    assert len(changes["cost_items"]) == 2


def test_invisible_application_is_404(api, org, approved):
    assert_error(ask(api, org.other_researcher, approved, {"end_date": new_end(approved)}), 404)
    assert_error(api.get(path(approved), org.other_researcher), 404)


def test_someone_who_sees_it_but_may_not_ask_gets_403(api, org, approved):
    assert_error(ask(api, org.director, approved, {"end_date": new_end(approved)}), 403)


def test_not_approved_stale_and_one_open_are_409(api, org, make, approved):
    draft = make.application(applicant=org.researcher, host=org.partner)
    assert_error(ask(api, org.researcher, draft, {"end_date": new_end(draft)}), 409,
                 "invalid_transition")
    assert_error(ask(api, org.researcher, approved, {"end_date": new_end(approved)},
                     version=approved.version + 3), 409, "stale_version")
    assert ask(api, org.researcher, approved, {"end_date": new_end(approved)}).status_code == 201
    assert_error(ask(api, org.researcher, approved, {"end_date": new_end(approved, 3)}), 409,
                 "amendment_open")


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "Not amendable"}, "changes.title"),
    ({"end_date": "2020-01-01"}, "end_date"),
    ({"end_date": "yesterday"}, "changes.end_date"),
    ({"host_laboratory_id": 0}, "changes.host_laboratory_id"),
    ({"requested_amount": "99999.00"}, "requested_amount"),
])
def test_invalid_values_are_422_with_the_field(api, org, approved, changes, field):
    error = assert_error(ask(api, org.researcher, approved, changes), 422)
    assert field in error["fields"], error


def test_a_reason_is_required(api, org, approved):
    error = assert_error(ask(api, org.researcher, approved, {"end_date": new_end(approved)},
                             reason=""), 422)
    assert "reason" in error["fields"]


def test_transitions_refused_in_the_documented_order(api, org, approved):
    amendment_id = ask(api, org.researcher, approved,
                       {"end_date": new_end(approved)}).get_json()["id"]
    assert_error(act(api, org.director, approved, 999, "endorse"), 404)
    assert_error(act(api, org.other_researcher, approved, amendment_id, "endorse"), 404)
    # Self-review and the office before the endorsement.
    assert_error(act(api, org.researcher, approved, amendment_id, "endorse"), 403)
    assert_error(act(api, org.admin, approved, amendment_id, "approve", version=1), 409)
    assert_error(act(api, org.director, approved, amendment_id, "endorse", version=5), 409,
                 "stale_version")
    error = assert_error(act(api, org.director, approved, amendment_id, "return"), 422)
    assert "comment" in error["fields"]
    assert_error(act(api, org.director, approved, amendment_id, "launch"), 422)
    returned = act(api, org.director, approved, amendment_id, "return", comment="Too long.")
    assert returned.get_json()["status"] == "returned"
    again = ask(api, org.researcher, approved, {"end_date": new_end(approved, 4)})
    assert again.status_code == 201
    assert (again.get_json()["id"], again.get_json()["status"]) == (amendment_id, "submitted")
    withdrawn = act(api, org.researcher, approved, amendment_id, "withdraw")
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert db.session.get(Application, approved.id).end_date < date.fromisoformat(
        new_end(approved, 4))


def test_a_hosting_agreement_is_attached_while_a_change_is_open(api, org, approved):
    from tests.api.test_documents import PDF, upload

    refused = upload(api, org.researcher, approved, PDF, "agreement.pdf", "host_agreement")
    assert_error(refused, 409)
    assert ask(api, org.researcher, approved, {"end_date": new_end(approved)}).status_code == 201
    attached = upload(api, org.researcher, approved, PDF, "agreement.pdf", "host_agreement")
    assert attached.status_code == 201, attached.get_json()


def test_an_open_change_waits_on_its_next_reviewer_then_on_nobody(api, org, approved):
    def waiting():
        body = api.get(f"/api/v1/applications/{approved.id}", org.researcher).get_json()
        return [person["id"] for person in body["waiting_on"]], body["waiting_since"]

    assert waiting() == ([], None)  # approved, nothing open
    amendment = ask(api, org.researcher, approved, {"end_date": new_end(approved)}).get_json()
    people, since = waiting()
    assert people == [org.director.id] and since is not None
    act(api, org.director, approved, amendment["id"], "return", version=1,
        comment="Say until when exactly.")
    assert waiting()[0] == [org.researcher.id]
    again = ask(api, org.researcher, approved, {"end_date": new_end(approved, 12)}).get_json()
    act(api, org.director, approved, again["id"], "endorse", version=again["version"])
    assert waiting()[0] == [org.admin.id]
    act(api, org.admin, approved, again["id"], "approve", version=again["version"] + 1)
    assert waiting() == ([], None)
