"""POST /api/v1/applications, PATCH /applications/{id}, POST /applications/{id}/transitions.

Through HTTP with real tokens, on the real database: every role, the error order of docs/api.md
(401, 404, 403, 409, 422), mass assignment, stale versions, and the workflow end to end.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.api.conftest import ROLE_NAMES, assert_error, count
from tests.conftest import csrf_token
from tracker.applications.models import Application, Event
from tracker.notifications.models import Notification

START = date.today() + timedelta(days=60)


@pytest.fixture
def programme(make):
    return make.programme("outgoing", name="Outgoing stays", budget=Decimal("5000.00"))


def draft_body(user, host, programme, **changes):
    """A complete, valid outgoing draft of ``user`` (from their own unit)."""
    body = {
        "direction": "outgoing",
        "programme_id": programme.id,
        "home_laboratory_id": user.home_laboratory_id,
        "host_laboratory_id": host.id,
        "title": "Beamline time in Berlin",
        "purpose": "research_stay",
        "start_date": START.isoformat(),
        "end_date": (START + timedelta(days=20)).isoformat(),
        "requested_amount": "2500.00",
        "justification": "The instrument exists only there.",
    }
    body.update(changes)
    return body


def events_of(application_id):
    from tracker.extensions import db

    return db.session.scalars(
        sa.select(Event.action).where(Event.application_id == application_id).order_by(Event.id)
    ).all()


def reload(application):
    from tracker.extensions import db

    db.session.expire_all()
    return db.session.get(Application, application.id)


# Creating ----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_signed_in_role_creates_a_draft_of_their_own(api, org, programme, role):
    user = getattr(org, role)
    response = api.post("/api/v1/applications", user,
                        json=draft_body(user, org.partner, programme))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "draft" and body["version"] == 1
    assert body["applicant_id"] == user.id and body["awarded_amount"] is None
    assert body["reference"].startswith(f"MOB-{date.today().year}-")
    assert body["requested_amount"] == "2500.00" and body["duration_days"] == 21
    assert response.headers["Location"].endswith(f"/api/v1/applications/{body['id']}")
    assert api.get(response.headers["Location"], user).get_json() == body
    assert events_of(body["id"]) == ["create"]


def test_anonymous_cannot_create(api, org, programme):
    response = api.post("/api/v1/applications",
                        json=draft_body(org.researcher, org.partner, programme))
    assert_error(response, 401, "not_authenticated")
    assert count(Application) == 0


MASS_ASSIGNMENT = {"status": "approved", "applicant_id": 1, "version": 7,
                   "awarded_amount": "90000.00", "reference": "MOB-2031-000001"}


def test_create_refuses_mass_assignment_naming_each_field(api, org, programme):
    body = {**draft_body(org.researcher, org.partner, programme), **MASS_ASSIGNMENT,
            "applicant_id": org.other_researcher.id}
    error = assert_error(api.post("/api/v1/applications", org.researcher, json=body), 422,
                         "invalid")
    assert set(error["fields"]) == set(MASS_ASSIGNMENT)
    assert count(Application) == 0


def test_create_answers_the_rules_of_spec_as_422(api, org, programme):
    body = draft_body(org.researcher, org.unit, programme,  # outgoing to one of our units
                      end_date=(START - timedelta(days=1)).isoformat())
    error = assert_error(api.post("/api/v1/applications", org.researcher, json=body), 422,
                         "invalid")
    assert {"host_laboratory_id", "end_date"} <= set(error["fields"])
    assert all(isinstance(m, str) and m for ms in error["fields"].values() for m in ms)
    # Everything missing is named at once. Not the programme: a body naming neither funding
    # nor programme is a mission on the unit's funds (tests/api/test_funding.py).
    error = assert_error(api.post("/api/v1/applications", org.researcher,
                                  json={"direction": "incoming"}), 422)
    assert {"title", "purpose", "start_date", "end_date",
            "requested_amount", "home_laboratory_id", "host_laboratory_id"} <= set(error["fields"])
    assert "programme_id" not in error["fields"]
    assert count(Application) == 0


@pytest.mark.parametrize("changes, field", [
    ({"direction": "sideways"}, "direction"),
    ({"programme_id": "3"}, "programme_id"),
    ({"programme_id": 2**40}, "programme_id"),
    ({"start_date": "31/12/2031"}, "start_date"),
    ({"requested_amount": "NaN"}, "requested_amount"),
    ({"requested_amount": "-5"}, "requested_amount"),
    ({"requested_amount": "1.234"}, "requested_amount"),
    ({"title": "x" * 201}, "title"),
    ({"purpose": "holiday"}, "purpose"),
])
def test_create_bad_values(api, org, programme, changes, field):
    body = draft_body(org.researcher, org.partner, programme, **changes)
    error = assert_error(api.post("/api/v1/applications", org.researcher, json=body), 422)
    assert field in error["fields"]


def test_create_needs_a_json_object(api, org):
    assert_error(api.post("/api/v1/applications", org.researcher, data="{",
                          content_type="application/json"), 400)
    assert_error(api.post("/api/v1/applications", org.researcher, data={"title": "x"}), 415)


def test_session_writes_need_the_csrf_header_bearer_ones_do_not(client, login, org, programme):
    login(org.researcher)
    body = draft_body(org.researcher, org.partner, programme)
    assert_error(client.post("/api/v1/applications", json=body), 400)
    assert count(Application) == 0
    token = csrf_token(client, "/auth/password")
    response = client.post("/api/v1/applications", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 201
    # A bearer request carries no CSRF token (tested everywhere else in this module).


# Editing -----------------------------------------------------------------------------------
@pytest.fixture
def draft(make, org, programme):
    return make.application(applicant=org.researcher, host=org.partner, programme=programme,
                            title="Before", start_date=START, end_date=START + timedelta(days=20))


# A draft: its reviewing director does not see it (404); the admin sees it, may not edit.
PATCH_BY_ROLE = {"researcher": 200, "other_researcher": 404, "director": 404,
                 "other_director": 404, "admin": 403}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_the_applicant_edits(api, org, draft, role):
    response = api.patch(f"/api/v1/applications/{draft.id}", getattr(org, role),
                         json={"version": 1, "title": "After"})
    expected = PATCH_BY_ROLE[role]
    if expected == 200:
        body = response.get_json()
        assert response.status_code == 200
        assert body["title"] == "After" and body["version"] == 2
        assert events_of(draft.id) == ["edit"]
    else:
        assert_error(response, expected, "forbidden" if expected == 403 else "not_found")
        assert reload(draft).title == "Before" and reload(draft).version == 1


def test_anonymous_cannot_edit(api, draft):
    assert_error(api.patch(f"/api/v1/applications/{draft.id}", json={"version": 1}), 401)


def test_stale_version_is_409_and_changes_nothing(api, org, draft):
    path = f"/api/v1/applications/{draft.id}"
    assert api.patch(path, org.researcher, json={"version": 1, "title": "First"}).status_code == 200
    error = assert_error(api.patch(path, org.researcher, json={"version": 1, "title": "Second"}),
                         409, "stale_version")
    assert "first" in error["message"].lower()
    assert reload(draft).title == "First" and reload(draft).version == 2


@pytest.mark.parametrize("status", ["submitted", "endorsed", "approved", "withdrawn"])
def test_not_editable_states_are_409(api, make, org, programme, status):
    application = make.application(applicant=org.researcher, host=org.partner,
                                   programme=programme, status=status)
    response = api.patch(f"/api/v1/applications/{application.id}", org.researcher,
                         json={"version": 1, "title": "Changed"})
    assert_error(response, 409, "invalid_transition")


def test_returned_is_editable(api, make, org, programme):
    application = make.application(applicant=org.researcher, host=org.partner,
                                   programme=programme, status="returned")
    response = api.patch(f"/api/v1/applications/{application.id}", org.researcher,
                         json={"version": 1, "requested_amount": "999.50"})
    assert response.status_code == 200
    assert response.get_json()["requested_amount"] == "999.50"
    assert response.get_json()["status"] == "returned"


def test_edit_refuses_mass_assignment(api, org, draft):
    response = api.patch(f"/api/v1/applications/{draft.id}", org.researcher, json={
        "version": 1, "status": "approved", "applicant_id": org.other_researcher.id,
        "awarded_amount": "5000.00", "direction": "incoming",
    })
    error = assert_error(response, 422, "invalid")
    assert set(error["fields"]) == {"status", "applicant_id", "awarded_amount", "direction"}
    draft = reload(draft)
    assert draft.status == "draft" and draft.applicant_id == org.researcher.id
    assert draft.awarded_amount is None and draft.version == 1


def test_edit_invalid_values_are_422(api, org, draft):
    path = f"/api/v1/applications/{draft.id}"
    error = assert_error(api.patch(path, org.researcher, json={
        "version": 1, "end_date": (START - timedelta(days=3)).isoformat()}), 422)
    assert set(error["fields"]) == {"end_date"}
    error = assert_error(api.patch(path, org.researcher, json={"title": "No version"}), 422)
    assert set(error["fields"]) == {"version"}
    assert reload(draft).version == 1


def test_edit_error_order(api, make, org, draft, programme):
    """403 before 409 before 422, even when the body is also invalid."""
    path = f"/api/v1/applications/{draft.id}"
    invalid = {"version": 1, "status": "approved", "start_date": "soon"}
    assert_error(api.patch(path, org.admin, json=invalid), 403)
    assert_error(api.patch(path, org.researcher, json={**invalid, "version": 5}), 409,
                 "stale_version")
    submitted = make.application(applicant=org.researcher, host=org.partner,
                                 programme=programme, status="submitted")
    assert_error(api.patch(f"/api/v1/applications/{submitted.id}", org.researcher,
                           json=invalid), 409, "invalid_transition")
    assert_error(api.patch(path, org.researcher, json=invalid), 422)
    # Invisible wins over everything but authentication.
    assert_error(api.patch(path, org.other_researcher, json=invalid), 404)
    assert_error(api.patch(path, json=invalid), 401)


def test_unknown_application_is_404(api, org):
    for application_id in (999999, 2**31):
        assert_error(api.patch(f"/api/v1/applications/{application_id}", org.admin,
                               json={"version": 1}), 404)
        assert_error(api.post(f"/api/v1/applications/{application_id}/transitions", org.admin,
                              json={"action": "submit", "version": 1}), 404)


# Transitions ---------------------------------------------------------------------------------
@pytest.fixture
def submitted(make, org, programme):
    return make.application(applicant=org.researcher, host=org.partner, programme=programme,
                            status="submitted", start_date=START,
                            end_date=START + timedelta(days=20))


def act(api, user, application, action, version=None, **extra):
    body = {"action": action, "version": version or reload(application).version, **extra}
    return api.post(f"/api/v1/applications/{application.id}/transitions", user, json=body)


ENDORSE_BY_ROLE = {"researcher": 403, "other_researcher": 404, "director": 200,
                   "other_director": 404, "admin": 403}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_endorse_by_role(api, org, submitted, role):
    response = act(api, getattr(org, role), submitted, "endorse")
    expected = ENDORSE_BY_ROLE[role]
    if expected == 200:
        assert response.status_code == 200
        body = response.get_json()
        assert body["status"] == "endorsed" and body["version"] == 2
        assert events_of(submitted.id) == ["endorse"]
    else:
        assert_error(response, expected)
        assert reload(submitted).status == "submitted" and events_of(submitted.id) == []


WITHDRAW_BY_ROLE = {"researcher": 200, "other_researcher": 404, "director": 403,
                    "other_director": 404, "admin": 403}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_withdraw_by_role(api, org, submitted, role):
    response = act(api, getattr(org, role), submitted, "withdraw")
    expected = WITHDRAW_BY_ROLE[role]
    if expected == 200:
        assert response.get_json()["status"] == "withdrawn"
    else:
        assert_error(response, expected)
        assert reload(submitted).status == "submitted"


def test_anonymous_cannot_act(api, submitted):
    response = api.post(f"/api/v1/applications/{submitted.id}/transitions",
                        json={"action": "withdraw", "version": 1})
    assert_error(response, 401, "not_authenticated")


def test_not_allowed_is_403_before_wrong_state_409(api, make, org, programme):
    draft = make.application(applicant=org.researcher, host=org.partner, programme=programme)
    # The applicant may never endorse: 403, though a draft cannot be endorsed anyway.
    assert_error(act(api, org.researcher, draft, "endorse"), 403, "forbidden")
    # The director may endorse, but not a returned request: 409.
    returned = make.application(applicant=org.researcher, host=org.partner,
                                programme=programme, status="returned")
    assert_error(act(api, org.director, returned, "endorse"), 409, "invalid_transition")
    # Not allowed and stale: still 403 first.
    assert_error(act(api, org.researcher, draft, "approve", version=9), 403)
    # An admin approving their own application: 403 (nobody decides on their own).
    own = make.application(applicant=org.admin, host=org.partner, programme=programme,
                           status="endorsed")
    assert_error(act(api, org.admin, own, "approve", awarded_amount="10.00"), 403)


def test_transition_error_order_with_invalid_bodies(api, org, submitted):
    # Not allowed: 403 even with an unknown field in the body.
    assert_error(act(api, org.researcher, submitted, "endorse", status="approved"), 403)
    # Stale: 409 even with a missing comment.
    assert_error(act(api, org.director, submitted, "decline", version=7), 409, "stale_version")
    # Stale: 409 even with a comment of the wrong type.
    assert_error(act(api, org.director, submitted, "decline", version=7, comment=5), 409)
    # Everything right but the values: 422.
    error = assert_error(act(api, org.director, submitted, "decline"), 422, "invalid")
    assert set(error["fields"]) == {"comment"}
    error = assert_error(act(api, org.director, submitted, "decline", comment=5), 422)
    assert set(error["fields"]) == {"comment"}
    assert reload(submitted).status == "submitted" and reload(submitted).version == 1


def test_stale_version_is_409(api, org, submitted):
    assert act(api, org.director, submitted, "endorse", version=1).status_code == 200
    error = assert_error(act(api, org.admin, submitted, "return", version=1, comment="Why?"),
                         409, "stale_version")
    assert error["message"]
    assert reload(submitted).status == "endorsed"


@pytest.mark.parametrize("body, field", [
    ({"action": "promote", "version": 1}, "action"),
    ({"action": "", "version": 1}, "action"),
    ({"version": 1}, "action"),
    ({"action": "withdraw"}, "version"),
    ({"action": "withdraw", "version": "1"}, "version"),
    ({"action": "withdraw", "version": 1, "status": "approved"}, "status"),
    ({"action": "withdraw", "version": 1, "awarded_amount": "100.00"}, "awarded_amount"),
    ({"action": "withdraw", "version": 1, "comment": "x" * 5001}, "comment"),
])
def test_transition_bad_bodies_are_422(api, org, submitted, body, field):
    response = api.post(f"/api/v1/applications/{submitted.id}/transitions", org.researcher,
                        json=body)
    error = assert_error(response, 422, "invalid")
    assert field in error["fields"]
    assert reload(submitted).status == "submitted"


def test_transition_needs_json(api, org, submitted):
    path = f"/api/v1/applications/{submitted.id}/transitions"
    assert_error(api.post(path, org.researcher, data={"action": "withdraw"}), 415)
    assert_error(api.post(path, org.researcher, data="[]", content_type="application/json"),
                 400)


# The workflow end to end -------------------------------------------------------------------
def test_whole_workflow_through_the_api(api, org, programme):
    researcher, director, admin = org.researcher, org.director, org.admin
    created = api.post("/api/v1/applications", researcher,
                       json=draft_body(researcher, org.partner, programme))
    assert created.status_code == 201
    application = created.get_json()
    path = f"/api/v1/applications/{application['id']}"

    edited = api.patch(path, researcher, json={"version": application["version"],
                                               "title": "Beamline time, revised"})
    assert edited.status_code == 200
    version = edited.get_json()["version"]
    submitted = api.post(f"{path}/transitions", researcher,
                         json={"action": "submit", "version": version})
    assert submitted.status_code == 200, submitted.get_data(as_text=True)
    assert submitted.get_json()["status"] == "submitted"

    # The director finds it among what they review, and endorses it.
    queue = api.get("/api/v1/applications?status=submitted", director).get_json()
    assert [item["id"] for item in queue["items"]] == [application["id"]]
    endorsed = api.post(f"{path}/transitions", director, json={
        "action": "endorse", "version": queue["items"][0]["version"], "comment": "Good plan."})
    assert endorsed.status_code == 200 and endorsed.get_json()["status"] == "endorsed"

    approved = api.post(f"{path}/transitions", admin, json={
        "action": "approve", "version": endorsed.get_json()["version"],
        "awarded_amount": "1800.5"})
    assert approved.status_code == 200, approved.get_data(as_text=True)

    seen = api.get(path, researcher).get_json()
    assert seen["status"] == "approved" and seen["awarded_amount"] == "1800.50"
    assert seen["version"] == 5 and seen["title"] == "Beamline time, revised"
    history = api.get(f"{path}/events", researcher).get_json()["items"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in history] == [
        ("create", None, "draft"), ("edit", "draft", "draft"),
        ("submit", "draft", "submitted"), ("endorse", "submitted", "endorsed"),
        ("approve", "endorsed", "approved"),
    ]
    assert [e["actor_id"] for e in history] == [researcher.id] * 3 + [director.id, admin.id]
    assert history[3]["comment"] == "Good plan."
    # Each step told the people who act next (director, then admins, then the applicant).
    from tracker.extensions import db

    told = db.session.scalars(sa.select(Notification.user_id).order_by(Notification.id)).all()
    assert told == [director.id, admin.id, researcher.id]
    # Approved: nobody edits it any more.
    assert_error(api.patch(path, researcher, json={"version": 5, "title": "Late"}), 409)


def test_return_with_comment_then_resubmit(api, org, submitted):
    path = f"/api/v1/applications/{submitted.id}"
    error = assert_error(act(api, org.director, submitted, "return"), 422)
    assert set(error["fields"]) == {"comment"}
    returned = act(api, org.director, submitted, "return", comment="Add the invitation letter.")
    assert returned.status_code == 200 and returned.get_json()["status"] == "returned"

    seen = api.get(path, org.researcher).get_json()
    assert seen["status"] == "returned"
    last = api.get(f"{path}/events", org.researcher).get_json()["items"][-1]
    assert last["action"] == "return" and last["comment"] == "Add the invitation letter."

    edited = api.patch(path, org.researcher, json={"version": seen["version"],
                                                   "justification": "Letter attached."})
    assert edited.status_code == 200
    resubmitted = act(api, org.researcher, submitted, "submit")
    assert resubmitted.status_code == 200 and resubmitted.get_json()["status"] == "submitted"


def test_budget_overrun_is_422_and_changes_nothing(api, make, org, programme):
    # 5000.00 of budget, 4000.00 already awarded to another approved stay.
    make.application(applicant=org.other_researcher, host=org.partner, programme=programme,
                     status="approved", awarded_amount=Decimal("4000.00"))
    endorsed = make.application(applicant=org.researcher, host=org.partner,
                                programme=programme, status="endorsed")
    error = assert_error(act(api, org.admin, endorsed, "approve", awarded_amount="1000.01"),
                         422, "invalid")
    assert set(error["fields"]) == {"awarded_amount"}
    assert "€1,000.00" in error["fields"]["awarded_amount"][0]
    after = reload(endorsed)
    assert after.status == "endorsed" and after.version == 1 and after.awarded_amount is None
    assert events_of(endorsed.id) == [] and count(Notification) == 0

    error = assert_error(act(api, org.admin, endorsed, "approve"), 422)
    assert set(error["fields"]) == {"awarded_amount"}
    fits = act(api, org.admin, endorsed, "approve", awarded_amount="1000.00")
    assert fits.status_code == 200 and fits.get_json()["awarded_amount"] == "1000.00"


def test_an_edit_records_each_changed_field_old_and_new(api, org, draft):
    path = f"/api/v1/applications/{draft.id}"
    new_end = START + timedelta(days=30)
    response = api.patch(path, org.researcher, json={
        "version": 1, "title": "After", "end_date": new_end.isoformat(),
    })
    assert response.status_code == 200
    events = api.get(f"{path}/events", org.researcher).get_json()["items"]
    edit = events[-1]
    assert edit["action"] == "edit" and edit["on_behalf_of_id"] is None
    assert edit["changes"] == {
        "title": {"old": "Before", "new": "After"},
        "end_date": {"old": (START + timedelta(days=20)).isoformat(), "new": new_end.isoformat()},
    }
    # A change back is recorded as one too; an edit that changes nothing records none.
    api.patch(path, org.researcher, json={"version": 2, "title": "Before"})
    api.patch(path, org.researcher, json={"version": 3, "title": "Before"})
    events = api.get(f"{path}/events", org.researcher).get_json()["items"]
    assert [event["changes"] for event in events[-2:]] == [
        {"title": {"old": "After", "new": "Before"}}, None]


def test_the_history_shows_an_edit_field_by_field(client, login, api, org, draft):
    response = api.patch(f"/api/v1/applications/{draft.id}", org.researcher,
                         json={"version": 1, "title": "After", "host_laboratory_id": org.joint.id})
    assert response.status_code == 200
    login(org.researcher)
    page = client.get(f"/applications/{draft.id}").get_data(as_text=True)
    assert "<del>Before</del> → <ins>After</ins>" in page
    assert "<del>Partner institute</del> → <ins>Joint unit Tokyo</ins>" in page
