"""Funding and cost items through the API: programme calls and unit missions, budget lines,
cost items adding up to the requested amount, refusals named by path, and the unit mission's
approval by its director (docs/rules.md "Funding", "Cost items"; SPEC's workflow table).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.api.conftest import assert_error, count
from tracker import access
from tracker.api.openapi import openapi_document
from tracker.applications.models import Application, CostItem
from tracker.extensions import db

START = date.today() + timedelta(days=60)
ITEMS = [
    {"kind": "travel", "description": " Train to Berlin ", "amount": "400.50"},
    {"kind": "accommodation", "description": "Four nights", "amount": "1200"},
    {"kind": "registration", "amount": "99.5"},
]


@pytest.fixture
def programme(make):
    return make.programme("outgoing", name="Outgoing stays")


def mission(user, host, **changes):
    """A valid outgoing draft of ``user`` that names neither funding nor programme."""
    body = {
        "direction": "outgoing",
        "home_laboratory_id": user.home_laboratory_id,
        "host_laboratory_id": host.id,
        "title": "Workshop in Berlin",
        "purpose": "conference",
        "start_date": START.isoformat(),
        "end_date": (START + timedelta(days=3)).isoformat(),
        "requested_amount": "800.00",
    }
    body.update(changes)
    return {name: value for name, value in body.items() if value is not ...}


def stored(application_id):
    db.session.expire_all()
    return db.session.get(Application, application_id)


def create(api, user, body):
    response = api.post("/api/v1/applications", user, json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def fields_of(response):
    return assert_error(response, 422, "invalid")["fields"]


# Funding -----------------------------------------------------------------------------------
def test_a_body_without_funding_nor_programme_is_a_unit_mission(api, org):
    body = create(api, org.researcher, mission(org.researcher, org.partner,
                                               budget_line=" UNIT-2031-TRAVEL "))
    assert body["funding"] == "unit" and body["programme_id"] is None
    assert body["budget_line"] == "UNIT-2031-TRAVEL"
    application = stored(body["id"])
    assert application.funding == "unit" and application.programme_id is None
    assert application.budget_line == "UNIT-2031-TRAVEL"
    assert api.get(f"/api/v1/applications/{body['id']}", org.researcher).get_json() == body


def test_an_explicit_unit_mission_may_send_a_null_programme(api, org):
    body = create(api, org.researcher, mission(org.researcher, org.partner, funding="unit",
                                               programme_id=None))
    assert body["funding"] == "unit" and body["programme_id"] is None


def test_a_programme_named_without_funding_is_a_programme_call(api, org, programme):
    body = create(api, org.researcher, mission(org.researcher, org.partner,
                                               programme_id=programme.id))
    assert body["funding"] == "programme" and body["programme_id"] == programme.id


@pytest.mark.parametrize("changes", [
    {"funding": "programme"},
    {"funding": "programme", "programme_id": None},
])
def test_a_programme_call_needs_its_programme(api, org, changes):
    fields = fields_of(api.post("/api/v1/applications", org.researcher,
                                json=mission(org.researcher, org.partner, **changes)))
    assert set(fields) == {"programme_id"}
    assert count(Application) == 0


def test_a_unit_mission_names_no_programme(api, org, programme):
    fields = fields_of(api.post("/api/v1/applications", org.researcher, json=mission(
        org.researcher, org.partner, funding="unit", programme_id=programme.id)))
    assert set(fields) == {"programme_id"}
    assert count(Application) == 0


@pytest.mark.parametrize("changes, field", [
    ({"funding": "office"}, "funding"),
    ({"funding": None}, "funding"),
    ({"programme_id": "3"}, "programme_id"),
    ({"budget_line": "x" * 101}, "budget_line"),
    ({"budget_line": "a\x00b"}, "budget_line"),
])
def test_funding_fields_refused_by_type(api, org, changes, field):
    fields = fields_of(api.post("/api/v1/applications", org.researcher,
                                json=mission(org.researcher, org.partner, **changes)))
    assert field in fields
    assert count(Application) == 0


def test_a_budget_line_of_100_characters_is_kept(api, org):
    body = create(api, org.researcher, mission(org.researcher, org.partner,
                                               budget_line="B" * 100))
    assert body["budget_line"] == "B" * 100


# Cost items --------------------------------------------------------------------------------
def test_cost_items_add_up_to_the_requested_amount(api, org):
    body = create(api, org.researcher, mission(org.researcher, org.partner,
                                               requested_amount=..., cost_items=ITEMS))
    assert body["requested_amount"] == "1700.00"
    assert body["cost_items"] == [
        {"kind": "travel", "description": "Train to Berlin", "amount": "400.50"},
        {"kind": "accommodation", "description": "Four nights", "amount": "1200.00"},
        {"kind": "registration", "description": "", "amount": "99.50"},
    ]
    application = stored(body["id"])
    assert application.requested_amount == Decimal("1700.00")
    assert [item.kind for item in application.cost_items] == [
        "travel", "accommodation", "registration"]


def test_with_cost_items_a_requested_amount_sent_is_not_what_counts(api, org):
    body = create(api, org.researcher, mission(org.researcher, org.partner,
                                               requested_amount="5.00", cost_items=ITEMS))
    assert body["requested_amount"] == "1700.00"


def test_without_cost_items_the_requested_amount_is_required(api, org):
    for items in (..., []):
        fields = fields_of(api.post("/api/v1/applications", org.researcher, json=mission(
            org.researcher, org.partner, requested_amount=..., cost_items=items)))
        assert set(fields) == {"requested_amount"}
    assert count(Application) == 0


@pytest.mark.parametrize("bad_item, field", [
    ({"kind": "travel", "amount": "12.345"}, "cost_items.1.amount"),  # the services
    ({"kind": "travel", "amount": "-5"}, "cost_items.1.amount"),
    ({"kind": "travel", "amount": "lots"}, "cost_items.1.amount"),  # the schema
    ({"kind": "travel", "amount": "NaN"}, "cost_items.1.amount"),
    ({"kind": "travel"}, "cost_items.1.amount"),
    ({"kind": "travel", "amount": "1" * 11}, "cost_items.1.amount"),
    ({"kind": "taxi", "amount": "10"}, "cost_items.1.kind"),
    ({"amount": "10"}, "cost_items.1.kind"),
    ({"kind": "other", "description": "d" * 201, "amount": "10"}, "cost_items.1.description"),
    ({"kind": "other", "amount": "10", "colour": "red"}, "cost_items.1.colour"),
    ("travel 10", "cost_items.1"),
])
def test_a_bad_cost_item_is_named_by_its_path(api, org, bad_item, field):
    items = [{"kind": "visa", "amount": "60"}, bad_item]
    response = api.post("/api/v1/applications", org.researcher,
                        json=mission(org.researcher, org.partner, cost_items=items))
    fields = fields_of(response)
    # An amount the column cannot hold spoils their sum too: the services name both.
    assert field in fields and set(fields) <= {field, "requested_amount"}, fields
    assert all(isinstance(message, str) and message and not message[0].isdigit()
               for message in fields[field])
    assert count(Application) == 0 and count(CostItem) == 0


def test_cost_items_must_be_a_list(api, org):
    fields = fields_of(api.post("/api/v1/applications", org.researcher, json=mission(
        org.researcher, org.partner, cost_items={"kind": "travel", "amount": "1"})))
    assert set(fields) == {"cost_items"}


def test_at_most_30_cost_items(api, org):
    item = {"kind": "subsistence", "amount": "10"}
    fields = fields_of(api.post("/api/v1/applications", org.researcher, json=mission(
        org.researcher, org.partner, cost_items=[item] * 31)))
    assert set(fields) == {"cost_items"}
    assert count(Application) == 0
    body = create(api, org.researcher, mission(org.researcher, org.partner,
                                               cost_items=[item] * 30))
    assert len(body["cost_items"]) == 30 and body["requested_amount"] == "300.00"


def test_a_list_field_of_another_schema_is_named_by_path_too(api, org):
    response = api.post("/api/v1/programmes", org.admin, json={
        "name": "Short stays", "direction": "outgoing", "opens_on": "2031-01-01",
        "closes_on": "2031-12-31", "budget": "1000.00",
        "eligible_categories": ["researcher", "wizard"]})
    assert set(fields_of(response)) == {"eligible_categories.1"}


# Edits -------------------------------------------------------------------------------------
def _patch(api, user, body, **changes):
    current = api.get(f"/api/v1/applications/{body['id']}", user).get_json()
    return api.patch(f"/api/v1/applications/{body['id']}", user,
                     json={"version": current["version"], **changes})


def test_patch_switches_a_programme_call_to_a_unit_mission_and_back(api, org, programme):
    body = create(api, org.researcher, mission(org.researcher, org.partner,
                                               programme_id=programme.id))
    response = _patch(api, org.researcher, body, funding="unit")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["funding"] == "unit"
    assert response.get_json()["programme_id"] is None
    assert stored(body["id"]).programme_id is None

    # Back to a call: it needs a programme, sent or stored (there is none stored now).
    version = stored(body["id"]).version
    assert set(fields_of(_patch(api, org.researcher, body, funding="programme"))) == {
        "programme_id"}
    assert stored(body["id"]).funding == "unit" and stored(body["id"]).version == version
    response = _patch(api, org.researcher, body, funding="programme", programme_id=programme.id)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["funding"] == "programme"
    assert response.get_json()["programme_id"] == programme.id


def test_patch_refuses_a_programme_on_a_unit_mission(api, org, programme):
    body = create(api, org.researcher, mission(org.researcher, org.partner))
    for changes in ({"programme_id": programme.id},
                    {"funding": "unit", "programme_id": programme.id}):
        assert set(fields_of(_patch(api, org.researcher, body, **changes))) == {"programme_id"}
    assert stored(body["id"]).programme_id is None and stored(body["id"]).version == 1


def test_patch_replaces_the_cost_items_and_their_sum(api, org):
    body = create(api, org.researcher, mission(org.researcher, org.partner, cost_items=ITEMS))
    response = _patch(api, org.researcher, body,
                      cost_items=[{"kind": "insurance", "amount": "35.00"}])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["cost_items"] == [
        {"kind": "insurance", "description": "", "amount": "35.00"}]
    assert response.get_json()["requested_amount"] == "35.00"
    # A title alone keeps the items.
    response = _patch(api, org.researcher, body, title="Workshop, Berlin")
    assert len(response.get_json()["cost_items"]) == 1
    # No items: the amount is the caller's again.
    response = _patch(api, org.researcher, body, cost_items=[], requested_amount="300")
    assert response.get_json()["cost_items"] == []
    assert response.get_json()["requested_amount"] == "300.00"
    assert count(CostItem) == 0


def test_patch_names_a_bad_item_by_path_and_changes_nothing(api, org):
    body = create(api, org.researcher, mission(org.researcher, org.partner, cost_items=ITEMS))
    items = [*ITEMS, {"kind": "travel", "amount": "1.001"}]
    assert "cost_items.3.amount" in fields_of(_patch(api, org.researcher, body,
                                                     cost_items=items))
    assert len(stored(body["id"]).cost_items) == 3
    assert stored(body["id"]).requested_amount == Decimal("1700.00")


# The unit mission's decision ---------------------------------------------------------------
@pytest.fixture
def submitted_mission(api, org):
    """A unit mission of the researcher, submitted through the API."""
    body = create(api, org.researcher, mission(org.researcher, org.partner, cost_items=ITEMS))
    response = api.post(f"/api/v1/applications/{body['id']}/transitions", org.researcher,
                        json={"action": "submit", "version": body["version"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _act(api, user, application, action, **values):
    return api.post(f"/api/v1/applications/{application['id']}/transitions", user,
                    json={"action": action, "version": application["version"], **values})


def test_the_director_approves_a_unit_mission_from_submitted(api, org, submitted_mission):
    assert submitted_mission["status"] == "submitted"
    response = _act(api, org.director, submitted_mission, "approve")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "approved" and body["version"] == submitted_mission["version"] + 1
    # The director grants what was asked, unless they say otherwise.
    assert body["awarded_amount"] == body["requested_amount"] == "1700.00"
    assert stored(body["id"]).awarded_amount == Decimal("1700.00")


def test_the_director_may_award_less(api, org, submitted_mission):
    response = _act(api, org.director, submitted_mission, "approve", awarded_amount="1000.00")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["awarded_amount"] == "1000.00"


def test_an_admin_may_not_approve_a_unit_mission(api, org, submitted_mission):
    # Not the office's to decide: 403, not "wait until endorsed" (409).
    response = _act(api, org.admin, submitted_mission, "approve")
    assert_error(response, 403, "forbidden")
    application = stored(submitted_mission["id"])
    assert application.status == "submitted" and application.awarded_amount is None
    assert application.version == submitted_mission["version"]
    assert not access.can(org.admin, "approve", application)


def test_a_unit_mission_is_never_in_the_admins_queues(api, org, submitted_mission):
    ids = {"decision": access.admin_decision_queue(org.admin),
           "endorsement": access.admin_endorsement_queue(org.admin)}
    for query in ids.values():
        assert submitted_mission["id"] not in set(db.session.scalars(
            query.with_only_columns(Application.id)))
    # The director's queue has it, and approving takes it out of every queue.
    assert submitted_mission["id"] in set(db.session.scalars(
        access.director_queue(org.director).with_only_columns(Application.id)))
    assert _act(api, org.director, submitted_mission, "approve").status_code == 200
    assert not db.session.scalars(
        access.admin_decision_queue(org.admin).with_only_columns(Application.id)).all()


@pytest.mark.parametrize("role, action", [
    ("director", "endorse"),  # no endorsement: the director decides
    ("other_director", "approve"),  # not their laboratory
    ("researcher", "approve"),  # their own
])
def test_others_may_not_decide_a_unit_mission(api, org, submitted_mission, role, action):
    assert_error(_act(api, getattr(org, role), submitted_mission, action), 403
                 if role != "other_director" else 404)
    assert stored(submitted_mission["id"]).status == "submitted"


def test_a_programme_call_is_not_approved_by_the_director(api, org, programme):
    body = create(api, org.researcher, mission(org.researcher, org.partner,
                                               programme_id=programme.id))
    body = _act(api, org.researcher, body, "submit").get_json()
    assert_error(_act(api, org.director, body, "approve"), 403, "forbidden")
    endorsed = _act(api, org.director, body, "endorse")
    assert endorsed.status_code == 200, endorsed.get_data(as_text=True)
    approved = _act(api, org.admin, endorsed.get_json(), "approve", awarded_amount="900.00")
    assert approved.status_code == 200, approved.get_data(as_text=True)
    assert approved.get_json()["awarded_amount"] == "900.00"


# Loading and description -------------------------------------------------------------------
def test_listing_with_cost_items_costs_the_same_statements_for_2_or_20(api, org):
    def measure():
        statements = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        api.get("/api/v1/applications", org.researcher)  # the token, created once
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            response = api.get("/api/v1/applications?per_page=100", org.researcher)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        assert response.status_code == 200
        return len(statements), response.get_json()["items"]

    for _ in range(2):
        create(api, org.researcher, mission(org.researcher, org.partner, cost_items=ITEMS))
    few, items = measure()
    assert [len(item["cost_items"]) for item in items] == [3, 3]
    for _ in range(18):
        create(api, org.researcher, mission(org.researcher, org.partner, cost_items=ITEMS))
    many, items = measure()
    assert len(items) == 20 and all(len(item["cost_items"]) == 3 for item in items)
    assert many == few


def test_the_description_says_the_funding_rules():
    schemas = openapi_document()["components"]["schemas"]
    create_body = schemas["ApplicationCreate"]
    assert "programme_id" not in create_body["required"]
    assert "funding" not in create_body["required"]
    assert {"if": {"properties": {"funding": {"const": "programme"}}, "required": ["funding"]},
            "then": {"required": ["programme_id"],
                     "properties": {"programme_id": {"type": "integer"}}}} in create_body["allOf"]
    assert {"if": {"properties": {"funding": {"const": "unit"}}, "required": ["funding"]},
            "then": {"properties": {"programme_id": {"type": "null"}}}} in create_body["allOf"]
    assert create_body["properties"]["cost_items"]["maxItems"] == 30
    item = schemas["CostItemInput"]
    assert set(item["required"]) == {"kind", "amount"}
    assert item["properties"]["kind"]["enum"] == [
        "travel", "accommodation", "subsistence", "registration", "visa", "insurance", "other"]
    assert item["additionalProperties"] is False
    written = schemas["Application"]
    assert {"funding", "budget_line", "cost_items"} <= set(written["required"])
    assert written["properties"]["programme_id"]["type"] == ["integer", "null"]
    assert set(schemas["CostItem"]["required"]) == {"kind", "description", "amount"}
