"""The OpenAPI 3 description of ``/api/v1``, written as data beside the code it describes.

``tests/api/test_openapi.py`` walks it against the registered routes: every route is
described and every described path exists. Keep the two in step when adding an endpoint.
"""

from tracker.applications.documents import ACCEPTED_TYPES
from tracker.applications.models import DOCUMENT_KINDS, PURPOSES
from tracker.applications.workflow import ACTIONS, STATUSES
from tracker.auth.models import CATEGORIES, ROLES
from tracker.core.countries import country_choices
from tracker.directory.models import DIRECTIONS, LAB_KINDS, MAX_STAY_DAYS

from tracker.api.schemas import MAX_PER_PAGE


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema):
    return {"anyOf": [schema, {"type": "null"}]}


def _query(name, schema, description):
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _error(status, description):
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


def _json(schema, description="OK"):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema):
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _id_path(name, description):
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}


AMOUNT = {"type": "string", "pattern": r"^\d+\.\d{2}$", "example": "1500.00"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
# ISO 3166 alpha-2, upper case (lower case is accepted too).
COUNTRY = {"type": "string", "enum": sorted(code for code, _ in country_choices()),
           "description": "ISO 3166 alpha-2 code", "example": "DE"}
ID = {"type": "integer", "minimum": 1}
COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}

PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1},
           "Page number, from 1."),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 25},
           f"Items per page, at most {MAX_PER_PAGE}."),
]

ERRORS = {
    "400": _error(400, "Malformed request (bad JSON, or a session write without CSRF token)."),
    "401": _error(401, "Not authenticated: no session, or an unknown, expired or revoked token."),
    "403": _error(403, "Authenticated, but not allowed to do this."),
    "404": _error(404, "Unknown, or not visible to the caller."),
    "409": _error(409, "Wrong state or stale version."),
    "413": _error(413, "The request or the file is too large."),
    "415": _error(415, "The body is not JSON."),
    "422": _error(422, "Invalid values; `fields` names each offending field."),
    "429": _error(429, "Too many failed attempts; see Retry-After."),
}


def _errors(*statuses):
    return {str(status): ERRORS[str(status)] for status in statuses}


def _page_of(item):
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": _ref(item)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": False,
    }


def _object(properties, required=None, closed=True):
    schema = {"type": "object", "properties": properties,
              "required": list(properties) if required is None else required}
    if closed:
        schema["additionalProperties"] = False
    return schema


LABORATORY = _object({
    "id": ID,
    "name": {"type": "string"},
    "acronym": {"type": "string"},
    "kind": {"type": "string", "enum": list(LAB_KINDS)},
    "institution": {"type": "string"},
    "city": {"type": "string"},
    "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
    "director_id": _nullable(ID),
})

LABORATORY_INPUT_PROPERTIES = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
    "acronym": {"type": "string", "maxLength": 30},
    "kind": {"type": "string", "enum": list(LAB_KINDS),
             "description": "`unit` is in France (FR); `partner` and `joint_unit` are abroad."},
    "institution": {"type": "string", "maxLength": 200},
    "city": {"type": "string", "maxLength": 100},
    "country": COUNTRY,
    "director_id": {**_nullable(ID), "description": "A person holding the director role; "
                    "none for a partner."},
}

PROGRAMME = _object({
    "id": ID,
    "name": {"type": "string"},
    "direction": {"type": "string", "enum": list(DIRECTIONS)},
    "opens_on": DATE,
    "closes_on": DATE,
    "min_days": {"type": "integer", "minimum": 1},
    "max_days": {"type": "integer", "minimum": 1},
    "budget": AMOUNT,
    "eligible_categories": {"type": "array", "items": {"type": "string", "enum": list(CATEGORIES)}},
    "description": {"type": "string"},
    "active": {"type": "boolean"},
})

PROGRAMME_INPUT = _object({
    "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
    "direction": {"type": "string", "enum": list(DIRECTIONS)},
    "opens_on": DATE,
    "closes_on": {**DATE, "description": "On or after opens_on."},
    "min_days": {"type": "integer", "minimum": 1, "maximum": MAX_STAY_DAYS, "default": 1},
    "max_days": {"type": "integer", "minimum": 1, "maximum": MAX_STAY_DAYS,
                 "default": MAX_STAY_DAYS, "description": "At least min_days."},
    "budget": {"type": "string", "pattern": r"^\d{1,12}(\.\d{1,2})?$", "example": "250000.00"},
    "eligible_categories": {"type": "array", "minItems": 1,
                            "items": {"type": "string", "enum": list(CATEGORIES)}},
    "description": {"type": "string", "maxLength": 10000},
    "active": {"type": "boolean", "default": True},
}, required=["name", "direction", "opens_on", "closes_on", "budget"])

APPLICATION = _object({
    "id": ID,
    "reference": {"type": "string", "pattern": r"^MOB-\d{4}-\d{6}$"},
    "direction": {"type": "string", "enum": list(DIRECTIONS)},
    "status": {"type": "string", "enum": list(STATUSES)},
    "version": {"type": "integer", "minimum": 1},
    "programme_id": ID,
    "applicant_id": ID,
    "home_laboratory_id": ID,
    "host_laboratory_id": ID,
    "title": {"type": "string"},
    "purpose": {"type": "string", "enum": list(PURPOSES)},
    "start_date": DATE,
    "end_date": DATE,
    "duration_days": {"type": "integer", "minimum": 1},
    "duration_category": {"type": "string", "enum": ["short", "medium", "long"]},
    "requested_amount": AMOUNT,
    "awarded_amount": _nullable(AMOUNT),
    "justification": {"type": "string"},
    "created_at": DATETIME,
    "updated_at": DATETIME,
})

EVENT = _object({
    "id": ID,
    "action": {"type": "string"},
    "from_status": _nullable({"type": "string", "enum": list(STATUSES)}),
    "to_status": _nullable({"type": "string", "enum": list(STATUSES)}),
    "actor_id": _nullable(ID),
    "comment": {"type": "string"},
    "created_at": DATETIME,
})

ME = _object({
    "id": ID,
    "email": {"type": "string"},
    "full_name": {"type": "string"},
    "category": {"type": "string", "enum": list(CATEGORIES)},
    "nationality": {"type": "string"},
    "home_laboratory_id": _nullable(ID),
    "roles": {"type": "array", "items": {"type": "string", "enum": list(ROLES)}},
    "directed_laboratories": {"type": "array", "items": _ref("Laboratory")},
})

ERROR = _object({
    "error": _object({
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object",
                   "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    }, required=["status", "code", "message"]),
})

APPLICATION_PAGE = _object({
    "items": {"type": "array", "items": _ref("Application")},
    "page": _nullable({"type": "integer", "minimum": 1}),
    "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    "total": {"type": "integer", "minimum": 0,
              "description": "Rows matching the filters. Below 20,000 it is counted for each "
                             "request; larger figures may be up to two minutes old."},
    "next_cursor": _nullable({"type": "string"}),
})

STATS = _object({
    "year": _nullable({"type": "integer"}),
    "total": {"type": "integer", "minimum": 0},
    "by_status": COUNTS,
    "by_direction": COUNTS,
    "by_host_country": COUNTS,
    "by_laboratory": {"type": "array", "items": _object({
        "laboratory_id": ID, "name": {"type": "string"}, "acronym": {"type": "string"},
        "count": {"type": "integer", "minimum": 0},
    })},
    "budget_committed": {"type": "array", "items": _object({
        "programme_id": ID, "name": {"type": "string"}, "budget": AMOUNT, "committed": AMOUNT,
    })},
})

# What the applicant may write; everything else (status, applicant_id, awarded_amount,
# reference...) is refused with 422. The service checks the rules between fields.
APPLICATION_INPUT_PROPERTIES = {
    "programme_id": {**ID, "maximum": 2**31 - 1, "description": "An open programme of "
                     "this direction, for which the applicant's category is eligible."},
    "home_laboratory_id": {**ID, "maximum": 2**31 - 1,
                           "description": "Outgoing: the applicant's unit. Incoming: a "
                                          "partner or joint unit abroad."},
    "host_laboratory_id": {**ID, "maximum": 2**31 - 1,
                           "description": "Outgoing: a partner or joint unit abroad. "
                                          "Incoming: a unit."},
    "title": {"type": "string", "maxLength": 200},
    "purpose": {"type": "string", "enum": list(PURPOSES)},
    "start_date": DATE,
    "end_date": {**DATE, "description": "On or after start_date; at most five years, and "
                 "within the programme's minimum and maximum number of days."},
    "requested_amount": {"type": "string", "pattern": r"^\d{1,10}(\.\d{1,2})?$",
                         "example": "1500.00", "description": "EUR."},
    "justification": {"type": "string", "maxLength": 10000},
}

APPLICATION_CREATE = _object({
    "direction": {"type": "string", "enum": list(DIRECTIONS)},
    **APPLICATION_INPUT_PROPERTIES,
}, required=["direction"])

APPLICATION_PATCH = _object({
    "version": {"type": "integer", "minimum": 1,
                "description": "The version last read: a stale one answers 409."},
    **APPLICATION_INPUT_PROPERTIES,
}, required=["version"])

TRANSITION_REQUEST = _object({
    "action": {"type": "string", "enum": list(ACTIONS)},
    "comment": {"type": "string", "maxLength": 5000,
                "description": "Required to return, decline, reject and cancel."},
    "version": {"type": "integer", "minimum": 1,
                "description": "The version last read: a stale one answers 409."},
    "awarded_amount": {**_nullable({"type": "string", "pattern": r"^\d{1,10}(\.\d{1,2})?$"}),
                       "description": "EUR; only with `approve`, where it is required and "
                                      "must fit in the programme's remaining budget."},
}, required=["action", "version"])

DOCUMENT = _object({
    "id": ID,
    "kind": {"type": "string", "enum": list(DOCUMENT_KINDS)},
    "original_name": {"type": "string"},
    "content_type": {"type": "string", "enum": list(ACCEPTED_TYPES)},
    "size": {"type": "integer", "minimum": 1},
    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "uploaded_by": ID,
    "created_at": DATETIME,
})

DOCUMENT_UPLOAD = _object({
    "file": {"type": "string", "format": "binary",
             "description": "PDF, PNG, JPEG, DOCX or ODT, judged by its content."},
    "kind": {"type": "string", "enum": list(DOCUMENT_KINDS)},
}, required=["file", "kind"])

TOKEN_REQUEST = _object({
    "email": {"type": "string", "minLength": 1, "maxLength": 254},
    "password": {"type": "string", "minLength": 1, "maxLength": 1000},
    "name": {"type": "string", "maxLength": 100, "description": "A label for your own use."},
}, required=["email", "password"])

TOKEN = _object({"token": {"type": "string"}, "expires_at": DATETIME})

SIGNED_IN = _errors(401)
APPLICATION_ID = _id_path("application_id", "Application id.")
LOCATION = {"Location": {"description": "Where to read what was created.",
                         "schema": {"type": "string"}}}

PATHS = {
    "/api/v1/auth/tokens": {
        "post": {
            "operationId": "create_token",
            "summary": "Create a personal token from an email and password",
            "description": "The token is shown once; only its digest is stored. Failed "
                           "attempts are limited per account and per client address.",
            "security": [],
            "tags": ["tokens"],
            "requestBody": _body(_ref("TokenRequest")),
            "responses": {"201": _json(_ref("Token"), "Created"),
                          **_errors(400, 401, 415, 422, 429)},
        },
    },
    "/api/v1/auth/tokens/current": {
        "delete": {
            "operationId": "revoke_current_token",
            "summary": "Revoke the token this request carries",
            "tags": ["tokens"],
            "responses": {"204": {"description": "Revoked"}, **_errors(401, 404)},
        },
    },
    "/api/v1/me": {
        "get": {
            "operationId": "get_me",
            "summary": "The caller, with roles and the laboratories they direct",
            "tags": ["people"],
            "responses": {"200": _json(_ref("Me")), **SIGNED_IN},
        },
    },
    "/api/v1/laboratories": {
        "get": {
            "operationId": "list_laboratories",
            "summary": "Laboratories, by name",
            "tags": ["directory"],
            "parameters": [
                _query("kind", {"type": "string", "enum": list(LAB_KINDS)}, "Kind of laboratory."),
                _query("country", COUNTRY, "ISO 3166 alpha-2 country code."),
                _query("q", {"type": "string", "maxLength": 200},
                       "Searches name, acronym, city and institution."),
                *PAGING,
            ],
            "responses": {"200": _json(_page_of("Laboratory")), **_errors(401, 422)},
        },
        "post": {
            "operationId": "create_laboratory",
            "summary": "Add a laboratory (administrators)",
            "tags": ["directory"],
            "requestBody": _body(_ref("LaboratoryInput")),
            "responses": {"201": _json(_ref("Laboratory"), "Created"),
                          **_errors(400, 401, 403, 415, 422)},
        },
    },
    "/api/v1/laboratories/{lab_id}": {
        "patch": {
            "operationId": "update_laboratory",
            "summary": "Change a laboratory (administrators); send only the fields to change",
            "tags": ["directory"],
            "parameters": [_id_path("lab_id", "Laboratory id.")],
            "requestBody": _body(_ref("LaboratoryPatch")),
            "responses": {"200": _json(_ref("Laboratory")),
                          **_errors(400, 401, 403, 404, 415, 422)},
        },
    },
    "/api/v1/programmes": {
        "get": {
            "operationId": "list_programmes",
            "summary": "Every programme, latest opening first",
            "tags": ["directory"],
            "parameters": [
                _query("direction", {"type": "string", "enum": list(DIRECTIONS)}, "Direction."),
                _query("active", {"type": "boolean"}, "Only active (true) or inactive (false)."),
                *PAGING,
            ],
            "responses": {"200": _json(_page_of("Programme")), **_errors(401, 422)},
        },
        "post": {
            "operationId": "create_programme",
            "summary": "Open a programme (administrators)",
            "tags": ["directory"],
            "requestBody": _body(_ref("ProgrammeInput")),
            "responses": {"201": _json(_ref("Programme"), "Created"),
                          **_errors(400, 401, 403, 415, 422)},
        },
    },
    "/api/v1/applications": {
        "get": {
            "operationId": "list_applications",
            "summary": "Applications visible to the caller, newest first",
            "description": "Page by `page` (offset) or by `cursor` (a `next_cursor`, keyset: "
                           "as fast at any depth); not both.",
            "tags": ["applications"],
            "parameters": [
                _query("status", {"type": "string", "enum": list(STATUSES)}, "Status."),
                _query("direction", {"type": "string", "enum": list(DIRECTIONS)}, "Direction."),
                _query("programme", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                       "Programme id."),
                _query("laboratory", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                       "Home or host laboratory id."),
                _query("country", COUNTRY, "Country of the host laboratory."),
                _query("q", {"type": "string", "maxLength": 200},
                       "Searches reference, title and applicant name."),
                *PAGING,
                _query("cursor", {"type": "string", "minLength": 1, "maxLength": 200},
                       "The `next_cursor` of the previous page."),
            ],
            "responses": {"200": _json(_ref("ApplicationPage")), **_errors(401, 422)},
        },
        "post": {
            "operationId": "create_application",
            "summary": "Create a draft for the caller",
            "description": "Every field but `direction` may be left out of the schema, but "
                           "the draft must satisfy SPEC's rules (422 names what is missing "
                           "or wrong). Submit it with a `submit` transition.",
            "tags": ["applications"],
            "requestBody": _body(_ref("ApplicationCreate")),
            "responses": {"201": {**_json(_ref("Application"), "Created"), "headers": LOCATION},
                          **_errors(400, 401, 415, 422)},
        },
    },
    "/api/v1/applications/{application_id}": {
        "get": {
            "operationId": "get_application",
            "summary": "One application",
            "tags": ["applications"],
            "parameters": [APPLICATION_ID],
            "responses": {"200": _json(_ref("Application")), **_errors(401, 404)},
        },
        "patch": {
            "operationId": "update_application",
            "summary": "Edit (the applicant, in draft or returned); send the fields to change "
                       "and the version",
            "tags": ["applications"],
            "parameters": [APPLICATION_ID],
            "requestBody": _body(_ref("ApplicationPatch")),
            "responses": {"200": _json(_ref("Application")),
                          **_errors(400, 401, 403, 404, 409, 415, 422)},
        },
    },
    "/api/v1/applications/{application_id}/transitions": {
        "post": {
            "operationId": "create_transition",
            "summary": "Take a workflow action (submit, endorse, return, decline, approve, "
                       "reject, withdraw, cancel, complete)",
            "description": "Who may take which action from which status is SPEC's workflow "
                           "table: 403 when the caller may never take it on this "
                           "application, 409 when not in its current status or when the "
                           "version is stale, 422 for a missing comment, an amount or a "
                           "budget overrun.",
            "tags": ["applications"],
            "parameters": [APPLICATION_ID],
            "requestBody": _body(_ref("TransitionRequest")),
            "responses": {"200": _json(_ref("Application")),
                          **_errors(400, 401, 403, 404, 409, 415, 422)},
        },
    },
    "/api/v1/applications/{application_id}/documents": {
        "post": {
            "operationId": "upload_document",
            "summary": "Attach a document (the applicant: any kind while editable, a report "
                       "once approved)",
            "tags": ["applications"],
            "parameters": [APPLICATION_ID],
            "requestBody": {"required": True, "content": {
                "multipart/form-data": {"schema": _ref("DocumentUpload")}}},
            "responses": {
                "201": {**_json(_ref("Document"), "Created"), "headers": LOCATION},
                **_errors(400, 401, 403, 404, 409, 413),
                "415": _error(415, "Not multipart/form-data, or not an accepted type of file."),
                **_errors(422),
            },
        },
    },
    "/api/v1/applications/{application_id}/documents/{document_id}": {
        "get": {
            "operationId": "download_document",
            "summary": "The file of a document, as an attachment",
            "tags": ["applications"],
            "parameters": [APPLICATION_ID, _id_path("document_id", "Document id.")],
            "responses": {
                "200": {"description": "The file",
                        "content": {content_type: {"schema": {"type": "string",
                                                              "format": "binary"}}
                                    for content_type in ACCEPTED_TYPES}},
                **_errors(401, 404),
            },
        },
    },
    "/api/v1/applications/{application_id}/events": {
        "get": {
            "operationId": "list_events",
            "summary": "History of an application, oldest first",
            "tags": ["applications"],
            "parameters": [APPLICATION_ID],
            "responses": {
                "200": _json(_object({"items": {"type": "array", "items": _ref("Event")}})),
                **_errors(401, 404),
            },
        },
    },
    "/api/v1/stats": {
        "get": {
            "operationId": "get_stats",
            "summary": "Counts and committed budget over the applications the caller sees",
            "description": "Budget committed: awarded amounts of approved and completed "
                           "applications, per programme.",
            "tags": ["reports"],
            "parameters": [_query("year", {"type": "integer", "minimum": 1900, "maximum": 2200},
                                  "Stays starting in this year.")],
            "responses": {"200": _json(_ref("Stats")), **_errors(401, 422)},
        },
    },
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This description",
            "security": [],
            "tags": ["documentation"],
            "responses": {"200": _json({"type": "object"})},
        },
    },
    "/api/v1/docs": {
        "get": {
            "operationId": "docs",
            "summary": "This description as an HTML page",
            "security": [],
            "tags": ["documentation"],
            "responses": {"200": {"description": "HTML page",
                                  "content": {"text/html": {"schema": {"type": "string"}}}}},
        },
    },
}


def openapi_document():
    """The whole OpenAPI 3.1 document, as a dict ready for JSON."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mobility tracker API",
            "version": "1.0.0",
            "description": (
                "JSON in, JSON out. Authenticate with the browser session (writes then need "
                "the X-CSRFToken header) or with `Authorization: Bearer <token>` from "
                "`POST /api/v1/auth/tokens`. Errors are always "
                '`{"error": {"status", "code", "message", "fields"?}}`; when several things '
                "are wrong the first of 401, 404, 403, 409, 422 answers. Unknown fields, in "
                "bodies and query strings alike, are refused with 422."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "tags": [{"name": name} for name in
                 ("tokens", "people", "directory", "applications", "reports", "documentation")],
        "paths": PATHS,
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {
                "Error": ERROR,
                "Token": TOKEN,
                "TokenRequest": TOKEN_REQUEST,
                "Me": ME,
                "Laboratory": LABORATORY,
                "LaboratoryInput": _object(LABORATORY_INPUT_PROPERTIES,
                                           required=["name", "kind", "country"]),
                "LaboratoryPatch": _object(LABORATORY_INPUT_PROPERTIES, required=[]),
                "Programme": PROGRAMME,
                "ProgrammeInput": PROGRAMME_INPUT,
                "Application": APPLICATION,
                "ApplicationCreate": APPLICATION_CREATE,
                "ApplicationPatch": APPLICATION_PATCH,
                "TransitionRequest": TRANSITION_REQUEST,
                "Document": DOCUMENT,
                "DocumentUpload": DOCUMENT_UPLOAD,
                "ApplicationPage": APPLICATION_PAGE,
                "Event": EVENT,
                "Stats": STATS,
            },
        },
    }
