"""The OpenAPI description: valid, generated from the schemas the views use, matching the
registered routes, with links from what is created to what uses it; the docs page shows it."""

import re

import pytest
from apispec.ext.marshmallow.common import resolve_schema_instance
from marshmallow import ValidationError, validate
from openapi_spec_validator import validate as validate_openapi

from tests.api.conftest import assert_error
from tracker.api import schemas
from tracker.api.openapi import OPERATIONS, api_routes, build_document, openapi_document

METHODS = {"get", "post", "patch", "put", "delete"}


def _registered(app):
    """{(path in OpenAPI form, method)} of every /api/ route of the app."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method.lower()))
    return routes


def _documented(document):
    return {(path, method) for path, operations in document["paths"].items()
            for method in operations if method in METHODS}


def test_every_route_documented_and_every_documented_route_exists(app):
    registered, documented = _registered(app), _documented(openapi_document())
    assert registered - documented == set(), "routes missing from the OpenAPI description"
    assert documented - registered == set(), "documented routes that do not exist"


def test_path_parameters_are_declared(app):
    for path, operations in openapi_document()["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for operation in operations.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, path


def test_every_reference_resolves():
    document = openapi_document()
    schemas = document["components"]["schemas"]
    text = repr(document)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in schemas
    operation_ids = [operation["operationId"] for operations in document["paths"].values()
                     for operation in operations.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_operation_ids_are_the_endpoint_names(app):
    """So a reader can go from the description straight to the view function."""
    for operations in openapi_document()["paths"].values():
        for operation in operations.values():
            assert f"api.{operation['operationId']}" in app.view_functions


def test_served_as_json_to_anyone(api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["openapi"].startswith("3.")
    assert body == openapi_document()


def test_documented_application_fields_match_the_json(api, make, org):
    application = make.application(applicant=org.researcher, host=org.partner)
    body = api.get(f"/api/v1/applications/{application.id}", org.researcher).get_json()
    schema = openapi_document()["components"]["schemas"]["Application"]
    assert set(schema["properties"]) == set(body) == set(schema["required"])


def test_docs_page_is_html_served_locally(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    for path in openapi_document()["paths"]:
        assert path in html
    assert "https://" not in html and "http://" not in html  # nothing fetched from elsewhere
    for source in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
        assert source.startswith("/"), source


def test_docs_page_is_not_an_api_error_target(api):
    assert_error(api.get("/api/v1/docs/nothing"), 404)


# Valid, and generated from the code ---------------------------------------------------------
def test_served_document_is_valid_openapi_3_1(api):
    document = api.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    validate_openapi(document)


def test_every_line_of_the_table_is_a_route_and_every_route_has_a_line(app):
    assert {name for _, _, name in api_routes(app)} == set(OPERATIONS)


def _component(document, operation_id, where="request"):
    """The component schema of an operation's JSON or multipart body, or success response."""
    for operations in document["paths"].values():
        for operation in operations.values():
            if operation["operationId"] != operation_id:
                continue
            if where == "request":
                content = operation["requestBody"]["content"]
            else:
                content = next(iter(operation["responses"].values()))["content"]
            reference = next(iter(content.values()))["schema"]["$ref"]
            return document["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    raise AssertionError(operation_id)


def test_a_field_added_to_a_schema_is_described_with_its_rules(app, monkeypatch):
    # The served description is built once, before (whichever test of the worker runs first).
    served = openapi_document()
    monkeypatch.setitem(schemas.ApplicationCreate._declared_fields, "cost_centre",
                        schemas.Text(required=True, validate=validate.Length(min=1, max=60)))
    described = _component(build_document(app), "create_application")
    assert "cost_centre" in described["required"]
    assert described["properties"]["cost_centre"] == {
        "type": "string", "minLength": 1, "maxLength": 60, "pattern": schemas.NOT_BLANK}
    assert openapi_document() is served
    assert "cost_centre" not in _component(served, "create_application")["properties"]


@pytest.mark.parametrize("operation_id", [name for name, operation in OPERATIONS.items()
                                          if operation.body is not None])
def test_described_required_fields_are_the_ones_loading_refuses_to_miss(operation_id):
    try:
        resolve_schema_instance(OPERATIONS[operation_id].body).load({})
        missing = set()
    except ValidationError as refused:
        missing = {name for name, messages in refused.messages.items()
                   if "Missing data for required field." in messages}
    described = _component(openapi_document(), operation_id)
    assert set(described.get("required", ())) == missing
    assert described["additionalProperties"] is False  # unknown fields are refused


def test_rules_of_custom_fields_and_validators_are_described():
    document = openapi_document()
    laboratory = _component(document, "create_laboratory")
    countries = laboratory["properties"]["country"]["enum"]
    assert {"FR", "DE", "JP"} <= set(countries) and all(code.isupper() for code in countries)
    # laboratory_problems: a unit is in France, a partner has no director.
    assert {"if": {"properties": {"kind": {"const": "unit"}}, "required": ["kind"]},
            "then": {"properties": {"country": {"const": "FR"}}}} in laboratory["allOf"]
    draft = _component(document, "create_application")
    amount = re.compile(draft["properties"]["requested_amount"]["pattern"])
    assert draft["properties"]["requested_amount"]["type"] == "string"
    assert amount.search("1500.50") and amount.search("12") and not amount.search("1.234")
    title = re.compile(draft["properties"]["title"]["pattern"])
    assert title.search(" A stay ") and not title.search("   ") and not title.search("a\x00")
    transition = _component(document, "create_transition")
    assert transition["then"] == {"properties": {"awarded_amount": {"type": "null"}}}


def test_output_schemas_are_what_the_api_writes(api, make, org):
    """Every field the JSON carries is described, and always present."""
    application = make.application(applicant=org.researcher, host=org.partner)
    make.document(application)
    document = openapi_document()
    responses = {
        "get_me": api.get("/api/v1/me", org.director).get_json(),
        "get_application": api.get(f"/api/v1/applications/{application.id}",
                                   org.researcher).get_json(),
        "list_laboratories": api.get("/api/v1/laboratories", org.admin).get_json(),
        "list_programmes": api.get("/api/v1/programmes", org.admin).get_json(),
        "list_applications": api.get("/api/v1/applications", org.admin).get_json(),
        "list_events": api.get(f"/api/v1/applications/{application.id}/events",
                               org.admin).get_json(),
        "get_stats": api.get("/api/v1/stats", org.admin).get_json(),
    }
    for operation_id, body in responses.items():
        described = _component(document, operation_id, "response")
        assert set(body) == set(described["properties"]) == set(described["required"])
    components = document["components"]["schemas"]
    for name, item in (("Laboratory", responses["list_laboratories"]["items"][0]),
                       ("Programme", responses["list_programmes"]["items"][0]),
                       ("Event", responses["list_events"]["items"][0])):
        described = components[name]
        assert set(item) == set(described["properties"]) == set(described["required"])
    assert responses["get_me"]["directed_laboratories"][0]["id"] == org.unit.id


# Links ---------------------------------------------------------------------------------------
def _operations(document):
    return {operation["operationId"]: (path, operation)
            for path, operations in document["paths"].items()
            for operation in operations.values()}


def _links_of(operation):
    return {name: link for response in operation["responses"].values()
            for name, link in response.get("links", {}).items()}


def test_links_lead_from_each_create_to_the_operations_on_what_it_created():
    operations = _operations(openapi_document())
    expected = {
        "create_application": {"get_application", "update_application", "create_transition",
                               "list_events", "upload_document"},
        "upload_document": {"download_document"},
        "create_laboratory": {"update_laboratory"},
    }
    for source, targets in expected.items():
        links = operations[source][1]["responses"]["201"]["links"]
        assert {link["operationId"] for link in links.values()} == targets


def test_every_link_fills_the_path_of_a_real_operation_from_real_fields():
    document = openapi_document()
    operations = _operations(document)
    followed = 0
    for source_path, source in operations.values():
        for link in _links_of(source).values():
            target_path, target = operations[link["operationId"]]
            assert set(link["parameters"]) == set(re.findall(r"{(\w+)}", target_path))
            returned = _component(document, source["operationId"], "response")["properties"]
            for expression in link["parameters"].values():
                if expression.startswith("$response.body#/"):
                    assert expression.removeprefix("$response.body#/") in returned
                else:
                    name = expression.removeprefix("$request.path.")
                    assert f"{{{name}}}" in source_path, expression
            for field, expression in link.get("requestBody", {}).items():
                assert field in _component(document, target["operationId"])["properties"]
                assert expression.removeprefix("$response.body#/") in returned
            followed += 1
    assert followed >= 7
