"""GET /api/v1/applications, /applications/{id} and /applications/{id}/events.

The writes are in test_application_writes.py and test_documents.py.
"""

import base64
import json
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest

from tests.api.conftest import ROLE_NAMES, assert_error
from tracker.applications.models import Event

FIELDS = {
    "id", "reference", "direction", "funding", "status", "version", "programme_id",
    "budget_line", "applicant_id", "home_laboratory_id", "host_laboratory_id", "title",
    "purpose", "start_date", "end_date", "duration_days", "duration_category", "cost_items",
    "requested_amount", "awarded_amount", "justification", "agreement_id", "waiting_on",
    "waiting_since", "created_at", "updated_at",
}


@pytest.fixture
def apps(make, org):
    """One application per situation, by who may see it."""
    own = make.application(applicant=org.researcher, host=org.partner, status="submitted",
                           title="Spectroscopy in Berlin")
    other = make.application(applicant=org.other_researcher, host=org.partner, status="draft",
                             title="Glaciology stay")
    visitor = make.user(lab=org.partner, full_name="Vera Visitor")
    incoming = make.application(applicant=visitor, direction="incoming", home=org.partner,
                                host=org.unit, status="endorsed", title="Visit to Paris")
    return {"own": own, "other": other, "incoming": incoming, "visitor": visitor}


# Who sees which --------------------------------------------------------------------------
VISIBLE = {
    "researcher": {"own"},
    "other_researcher": {"other"},
    "director": {"own", "incoming"},
    # "other" is a draft of the unit of other_director: a director sees a request only
    # once it is submitted.
    "other_director": set(),
    "admin": {"own", "other", "incoming"},
}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_list_shows_what_each_role_may_see(api, org, apps, role):
    response = api.get("/api/v1/applications", getattr(org, role))
    assert response.status_code == 200
    body = response.get_json()
    assert {item["id"] for item in body["items"]} == {apps[name].id for name in VISIBLE[role]}
    assert body["total"] == len(VISIBLE[role])
    assert body["page"] == 1 and body["per_page"] == 25 and body["next_cursor"] is None


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("name", ("own", "other", "incoming"))
def test_get_one_and_its_events_answer_404_when_invisible(api, org, apps, role, name):
    application = apps[name]
    for path in (f"/api/v1/applications/{application.id}",
                 f"/api/v1/applications/{application.id}/events"):
        response = api.get(path, getattr(org, role))
        if name in VISIBLE[role]:
            assert response.status_code == 200
        else:
            assert_error(response, 404, "not_found")


def test_anonymous_gets_401_everywhere(api, apps):
    for path in ("/api/v1/applications", f"/api/v1/applications/{apps['own'].id}",
                 f"/api/v1/applications/{apps['own'].id}/events"):
        response = api.get(path)
        assert_error(response, 401, "not_authenticated")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_ids_answer_404(api, org):
    for application_id in (0, 999999, 2**31, 10**20):
        assert_error(api.get(f"/api/v1/applications/{application_id}", org.admin), 404)
    assert_error(api.get("/api/v1/applications/abc", org.admin), 404)


# The JSON of one application -------------------------------------------------------------
def test_application_json(api, make, org):
    application = make.application(
        applicant=org.researcher, host=org.partner, status="approved",
        start_date=date(2031, 1, 1), end_date=date(2031, 3, 1),
        requested_amount=Decimal("2500"), awarded_amount=Decimal("2000.5"),
        justification="Needed for the beamline.",
    )
    body = api.get(f"/api/v1/applications/{application.id}", org.researcher).get_json()
    assert set(body) == FIELDS
    assert body["reference"] == application.reference
    assert body["status"] == "approved" and body["version"] == 1
    assert body["applicant_id"] == org.researcher.id
    assert body["home_laboratory_id"] == org.unit.id
    assert body["host_laboratory_id"] == org.partner.id
    assert body["start_date"] == "2031-01-01" and body["end_date"] == "2031-03-01"
    assert body["duration_days"] == 60 and body["duration_category"] == "medium"
    assert body["requested_amount"] == "2500.00" and body["awarded_amount"] == "2000.50"
    assert body["justification"] == "Needed for the beamline."
    assert body["funding"] == "programme" and body["programme_id"] == application.programme_id
    assert body["budget_line"] == "" and body["cost_items"] == []
    assert body["agreement_id"] is None  # no agreement covers the stay
    assert body["created_at"].endswith("+00:00") and body["updated_at"]


def test_awarded_amount_is_null_until_awarded(api, apps, org):
    body = api.get(f"/api/v1/applications/{apps['own'].id}", org.researcher).get_json()
    assert body["awarded_amount"] is None


def test_events_oldest_first(api, apps, org, db):
    application = apps["own"]
    for action, from_status, to_status in (("create", None, "draft"),
                                           ("submit", "draft", "submitted")):
        db.session.add(Event(application_id=application.id, actor_id=org.researcher.id,
                             action=action, from_status=from_status, to_status=to_status))
    db.session.commit()
    body = api.get(f"/api/v1/applications/{application.id}/events", org.director).get_json()
    assert [event["action"] for event in body["items"]] == ["create", "submit"]
    assert body["items"][1] == {
        "id": body["items"][1]["id"], "action": "submit", "from_status": "draft",
        "to_status": "submitted", "actor_id": org.researcher.id, "on_behalf_of_id": None,
        "comment": "", "changes": None, "created_at": body["items"][1]["created_at"],
    }


# Filters ---------------------------------------------------------------------------------
def _ids(api, user, query):
    response = api.get(f"/api/v1/applications?{query}", user)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.get_json()["items"]}


def test_filters(api, make, org, apps):
    admin = org.admin
    assert _ids(api, admin, "status=draft") == {apps["other"].id}
    assert _ids(api, admin, "direction=incoming") == {apps["incoming"].id}
    assert _ids(api, admin, f"programme={apps['own'].programme_id}") == {apps["own"].id}
    assert _ids(api, admin, f"laboratory={org.unit.id}") == {apps["own"].id, apps["incoming"].id}
    assert _ids(api, admin, "country=de") == {apps["own"].id, apps["other"].id}
    assert _ids(api, admin, "country=FR") == {apps["incoming"].id}
    assert _ids(api, admin, "status=submitted&direction=incoming") == set()
    # Filters never widen what a role sees.
    assert _ids(api, org.researcher, "status=draft") == set()


def test_q_searches_reference_title_and_applicant_name(api, org, apps):
    admin = org.admin
    assert _ids(api, admin, "q=spectro") == {apps["own"].id}
    assert _ids(api, admin, f"q={apps['other'].reference.lower()}") == {apps["other"].id}
    assert _ids(api, admin, "q=vera%20VIS") == {apps["incoming"].id}
    assert _ids(api, admin, "q=Rita") == {apps["own"].id}


@pytest.mark.parametrize("text", ["%", "_", "\\", "' OR 1=1 --", "\"; DROP TABLE applications; --"])
def test_q_is_literal_and_safe(api, org, apps, text):
    assert _ids(api, org.admin, "q=" + quote(text)) == set()
    assert api.get("/api/v1/applications", org.admin).get_json()["total"] == 3


@pytest.mark.parametrize("query", [
    "status=lost", "direction=sideways", "programme=abc", "programme=0", "laboratory=-1",
    "country=XX", "country=FRA", "page=0", "page=x", "per_page=101", "per_page=0",
    "cursor=not-a-cursor", "cursor=", "page=2&cursor=eyJhZnRlciI6IDN9", "colour=blue",
    "status=draft&status=submitted", "q=" + "x" * 201, "q=a%00b",
])
def test_bad_query_values_are_422_naming_the_field(api, org, query):
    error = assert_error(api.get(f"/api/v1/applications?{query}", org.admin), 422, "invalid")
    assert error["fields"]
    name = query.split("=")[0]
    assert name in error["fields"] or "cursor" in error["fields"], error


# Paging ----------------------------------------------------------------------------------
@pytest.fixture
def many(make, org):
    programme = make.programme("outgoing")
    return [
        make.application(applicant=org.researcher, host=org.partner, programme=programme,
                         start_date=date(2031, 1, 1) + timedelta(days=30 * n))
        for n in range(23)
    ]


def test_offset_pages(api, org, many):
    seen = []
    for page in (1, 2, 3):
        body = api.get(f"/api/v1/applications?page={page}&per_page=10", org.researcher).get_json()
        assert body["page"] == page and body["per_page"] == 10 and body["total"] == 23
        seen += [item["id"] for item in body["items"]]
    assert seen == sorted((a.id for a in many), reverse=True)
    beyond = api.get("/api/v1/applications?page=9&per_page=10", org.researcher).get_json()
    assert beyond["items"] == [] and beyond["total"] == 23 and beyond["next_cursor"] is None


def test_cursor_returns_every_row_exactly_once(api, org, many):
    seen, cursor, pages = [], None, 0
    while True:
        query = "per_page=7" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(f"/api/v1/applications?{query}", org.researcher).get_json()
        pages += 1
        assert body["total"] == 23
        assert body["page"] == (1 if cursor is None else None)
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert seen == sorted((a.id for a in many), reverse=True)
    assert len(seen) == len(set(seen)) == 23


def test_cursor_keeps_filters_and_visibility(api, org, many, apps):
    first = api.get("/api/v1/applications?per_page=2&status=submitted", org.admin).get_json()
    assert first["total"] == 1 and first["next_cursor"] is None
    # A cursor is opaque base64 JSON; one forged to start early still sees only the visible.
    forged = base64.urlsafe_b64encode(json.dumps({"after": 10**6}).encode()).decode().rstrip("=")
    body = api.get(f"/api/v1/applications?per_page=100&cursor={forged}",
                   org.other_researcher).get_json()
    assert [item["id"] for item in body["items"]] == [apps["other"].id]


def test_per_page_at_most_100(api, org):
    assert api.get("/api/v1/applications?per_page=100", org.admin).status_code == 200
    assert_error(api.get("/api/v1/applications?per_page=1000", org.admin), 422)


# Applications are never deleted (withdraw or cancel them) ---------------------------------
def test_delete_is_not_served(api, org, apps):
    response = api.call("DELETE", f"/api/v1/applications/{apps['own'].id}", org.admin)
    assert_error(response, 405, "method_not_allowed")
