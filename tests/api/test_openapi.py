"""The OpenAPI description matches the registered routes, and the docs page shows it."""

import re

from tests.api.conftest import assert_error
from tracker.api.openapi import openapi_document

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
