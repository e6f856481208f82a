"""The OpenAPI description, as JSON for machines and as an HTML page for people.

The page is rendered on the server from the same data, so it needs no script and nothing
from outside the app.
"""

import re

from flask import render_template
from markupsafe import Markup, escape

from tracker.api.base import bp
from tracker.api.openapi import openapi_document


@bp.route("/openapi.json")
def openapi():
    return openapi_document()


_BACKTICKED = re.compile(r"`([^`]+)`")


def inline_code(text):
    """``text`` as HTML: every character escaped, then each `span` in backticks as
    ``<code>``. Only the escaped text goes into the markup, so nothing in a description
    can inject HTML."""
    escaped = str(escape(text or ""))
    # The groups are already escaped: wrapping them in <code> adds no markup of theirs.
    return Markup(_BACKTICKED.sub(r"<code>\1</code>", escaped))  # nosec B704


def _resolve(document, schema):
    """``schema`` with a top-level ``$ref`` followed, and the name it had."""
    ref = schema.get("$ref")
    if not ref:
        return None, schema
    name = ref.rsplit("/", 1)[-1]
    return name, document["components"]["schemas"][name]


def _type_of(schema):
    """A short human description of a JSON schema: ``integer``, ``array of Event``..."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type_of(option) for option in schema["anyOf"])
    # OpenAPI 3.1 writes a nullable type as a list: ["integer", "null"].
    kinds = schema.get("type", "any")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    nullable = "null" in kinds
    kind = " or ".join(other for other in kinds if other != "null") or "null"
    enum = [value for value in schema.get("enum", ()) if value is not None]
    if kind == "array":
        described = f"array of {_type_of(schema.get('items', {}))}"
    elif len(enum) > 12:  # country codes: name the standard, not every value
        described = f"{kind} ({schema.get('description', 'a code')})"
    elif enum:
        described = f"{kind}: " + ", ".join(str(value) for value in enum)
    elif "format" in schema:
        described = f"{kind} ({schema['format']})"
    else:
        described = kind
    return f"{described} or null" if nullable and kind != "null" else described


def _operations(document):
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json") or content.get("multipart/form-data")
            body_name, body_schema = _resolve(document, body["schema"]) if body else (None, None)
            operations.append({
                "anchor": operation["operationId"],
                "method": method.upper(),
                "path": path,
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "public": operation.get("security") == [],
                "parameters": [
                    {**parameter, "type": _type_of(parameter["schema"])}
                    for parameter in operation.get("parameters", [])
                ],
                "body_name": body_name,
                "body_fields": [
                    {"name": name, "type": _type_of(field),
                     "required": name in body_schema.get("required", []),
                     "description": field.get("description", "")}
                    for name, field in (body_schema or {}).get("properties", {}).items()
                ],
                "responses": [
                    {"status": status, "description": response["description"],
                     "type": _type_of(response["content"]["application/json"]["schema"])
                     if "application/json" in response.get("content", {}) else ""}
                    for status, response in operation["responses"].items()
                ],
            })
    return operations


@bp.route("/docs")
def docs():
    document = openapi_document()
    schemas = [
        {"name": name, "fields": [
            {"name": field_name, "type": _type_of(field),
             "required": field_name in schema.get("required", []),
             "description": field.get("description", "")}
            for field_name, field in schema.get("properties", {}).items()
        ]}
        for name, schema in document["components"]["schemas"].items()
    ]
    return render_template(
        "api/docs.html", info=document["info"], operations=_operations(document), schemas=schemas,
        inline_code=inline_code,
    )
