"""The declared bodies of the application writes, loaded without HTTP."""

from datetime import date
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from tracker.api.schemas import ApplicationCreate, ApplicationPatch, TransitionRequest


def _errors(schema, body):
    with pytest.raises(ValidationError) as caught:
        schema.load(body)
    return caught.value.messages


DRAFT = {
    "direction": "outgoing", "programme_id": 3, "home_laboratory_id": 1,
    "host_laboratory_id": 2, "title": " Stay ", "purpose": "fieldwork",
    "start_date": "2031-01-01", "end_date": "2031-01-31", "requested_amount": "1500.50",
    "justification": "Samples.",
}


def test_create_loads_typed_values():
    values = ApplicationCreate().load(DRAFT)
    assert values["title"] == "Stay" and values["start_date"] == date(2031, 1, 1)
    assert values["requested_amount"] == Decimal("1500.50")


@pytest.mark.parametrize("schema, body", [
    (ApplicationCreate(), DRAFT),
    (ApplicationPatch(), {"version": 2}),
    (TransitionRequest(), {"action": "submit", "version": 1}),
])
def test_mass_assignment_fields_are_refused(schema, body):
    forbidden = {"status": "approved", "applicant_id": 7, "reference": "MOB-2031-000001",
                 "created_at": "2031-01-01T00:00:00Z"}
    if not isinstance(schema, TransitionRequest):
        forbidden["awarded_amount"] = "5000.00"
    if isinstance(schema, ApplicationCreate):
        forbidden["version"] = 5
    assert set(_errors(schema, {**body, **forbidden})) == set(forbidden)


def test_a_draft_needs_every_field_but_the_funding_and_justification_an_edit_none():
    # No funding nor programme: a mission on the unit's funds. The amount is required
    # without cost items (their sum otherwise).
    required = set(DRAFT) - {"justification", "programme_id"}
    assert set(_errors(ApplicationCreate(), {})) == required
    assert set(_errors(ApplicationCreate(), {"cost_items": [
        {"kind": "travel", "amount": "10"}]})) == required - {"requested_amount"}
    assert set(_errors(ApplicationCreate(), {**DRAFT, "title": "   "})) == {"title"}
    assert ApplicationPatch().load({"version": 2}) == {"version": 2}


def test_patch_and_transition_need_the_version():
    assert "version" in _errors(ApplicationPatch(), {"title": "x"})
    assert "version" in _errors(TransitionRequest(), {"action": "submit"})
    assert "version" in _errors(ApplicationPatch(), {"version": "2"})  # a number, not text


@pytest.mark.parametrize("body, field", [
    ({"direction": "sideways"}, "direction"),
    ({"direction": "outgoing", "programme_id": 2**40}, "programme_id"),
    ({"direction": "outgoing", "programme_id": True}, "programme_id"),
    ({"direction": "outgoing", "purpose": "holiday"}, "purpose"),
    ({"direction": "outgoing", "start_date": "01/02/2031"}, "start_date"),
    ({"direction": "outgoing", "requested_amount": "lots"}, "requested_amount"),
    ({"direction": "outgoing", "justification": "a\x00b"}, "justification"),
])
def test_create_types(body, field):
    assert field in _errors(ApplicationCreate(), body)


def test_transition_body():
    values = TransitionRequest().load({"action": "approve", "version": 3,
                                       "awarded_amount": "1200.00", "comment": "Fine."})
    assert values == {"action": "approve", "version": 3, "awarded_amount": Decimal("1200.00"),
                      "comment": "Fine."}
    assert "action" in _errors(TransitionRequest(), {"action": "promote", "version": 1})
