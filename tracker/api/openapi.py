"""The OpenAPI 3.1 description of ``/api/v1``, generated from the code it describes.

- Paths and methods are the app's routes of the ``api`` blueprint; each operation is named
  after its endpoint (``api.create_transition`` is ``create_transition``).
- Bodies, query parameters and responses are the marshmallow schemas of
  :mod:`tracker.api.schemas`, the ones the views load and dump with, turned into JSON Schema
  by apispec's marshmallow plugin.
- What is left is the table below: a line of prose and the error statuses per operation,
  and the links that lead from a response to the operations that take what it returns
  (from a created application to its edit, transitions, events and documents...).

``tests/api/test_openapi.py`` checks that every route has a line here and every line a
route, and that the document is valid OpenAPI.
"""

import re
from dataclasses import dataclass, field

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_instance
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from flask import current_app

from tracker.api.schemas import (
    MAX_ID,
    AgreementInput,
    AgreementDocumentListSchema,
    AgreementDocumentSchema,
    AgreementDocumentUploadForm,
    AgreementPageSchema,
    AgreementQuery,
    AgreementSchema,
    Amount,
    ApplicationCreate,
    ApplicationPageSchema,
    ApplicationPatch,
    ApplicationQuery,
    ApplicationSchema,
    CountryInput,
    CountryListSchema,
    CountryQuery,
    CountrySchema,
    DelegationInput,
    DelegationListSchema,
    DelegationSchema,
    DocumentSchema,
    DocumentUploadForm,
    ErrorSchema,
    EventListSchema,
    InvitationInput,
    LaboratoryInput,
    LaboratoryPageSchema,
    LaboratoryQuery,
    LaboratorySchema,
    AmendmentListSchema,
    AmendmentRequest,
    AmendmentSchema,
    AmendmentTransitionRequest,
    OpinionListSchema,
    OpinionRequest,
    OpinionSchema,
    ProgrammeInput,
    ProgrammePageSchema,
    ProgrammeQuery,
    ProgrammeSchema,
    PersonalDataSchema,
    RequirementSchema,
    StatsQuery,
    StatsSchema,
    TokenRequest,
    TokenSchema,
    TransitionRequest,
    UserSchema,
)
from tracker.applications.documents import ACCEPTED_TYPES

JSON = "application/json"
FORM = "multipart/form-data"

DESCRIPTION = (
    "JSON in, JSON out. Authenticate with the browser session (writes then need the "
    "X-CSRFToken header) or with `Authorization: Bearer <token>` from "
    "`POST /api/v1/auth/tokens`. Errors are always "
    '`{"error": {"status", "code", "message", "fields"?}}`; when several things are wrong '
    "the first of 401, 404, 403, 409, 422 answers. Unknown fields, in bodies and query "
    "strings alike, are refused with 422."
)
TAGS = ("tokens", "people", "directory", "applications", "reports", "documentation")

ERRORS = {
    400: "Malformed request (bad JSON, or a session write without CSRF token).",
    401: "Not authenticated: no session, or an unknown, expired or revoked token.",
    403: "Authenticated, but not allowed to do this.",
    404: "Unknown, or not visible to the caller.",
    409: "Wrong state or stale version.",
    413: "The request or the file is too large.",
    415: "The body is not JSON.",
    422: "Invalid values; `fields` names each offending field.",
    429: "Too many failed attempts; see Retry-After.",
    503: "Unavailable for a moment (the database, or the document store for an upload); "
         "see Retry-After.",
}
# Any operation may meet an unreachable database.
ALWAYS = (503,)
# Any operation that needs a caller may answer 401; a write with a JSON body may also be
# malformed (400), not JSON (415) or invalid (422).
SIGNED_IN = (401,)
JSON_WRITE = (400, 401, 415, 422)

PATH_PARAMETERS = {
    "application_id": "Application id.",
    "amendment_id": "Amendment id (of this application).",
    "document_id": "Document id.",
    "lab_id": "Laboratory id.",
    "code": "ISO 3166 alpha-2 country code.",
    "delegation_id": "Delegation id.",
    "agreement_id": "Agreement id.",
}


def _follow(*operation_ids, body=None, **parameters):
    """Links from a response to each of ``operation_ids``, filling in their ``parameters``
    and, when given, fields of their request ``body``."""
    link = {"parameters": parameters, **({"requestBody": body} if body else {})}
    return {operation_id: {"operationId": operation_id, **link} for operation_id in operation_ids}


# Links: the application a write is about, and the version it must carry (the one last
# read). Every operation that returns an application gives both; a client following the
# link (a stateful fuzzer among them) copies the named fields of the response.
CREATED_APPLICATION = {"application_id": "$response.body#/id"}
SAME_APPLICATION = {"application_id": "$request.path.application_id"}
CURRENT_VERSION = {"version": "$response.body#/version"}
WRITES = ("update_application", "create_transition")


@dataclass(frozen=True)
class Operation:
    """What the routes cannot say about one endpoint."""

    summary: str
    tag: str
    returns: object = None  # output schema of the success response (JSON)
    status: int = 200  # of the success response
    content: dict | None = None  # instead of ``returns``: the success response's media types
    body: object = None  # input schema of the request body
    body_type: str = JSON
    query: object = None  # input schema of the query string
    errors: tuple = SIGNED_IN
    error_notes: dict = field(default_factory=dict)  # an error's meaning here, if particular
    description: str = ""
    public: bool = False  # no authentication needed
    location: bool = False  # the success response says where the new resource is
    links: dict = field(default_factory=dict)  # operations that take what it returns


FILE = {media_type: {"schema": {"type": "string", "format": "binary"}}
        for media_type in ACCEPTED_TYPES}

OPERATIONS = {
    "create_token": Operation(
        "Create a personal token from an email and password", "tokens",
        description="The token is shown once; only its digest is stored. Failed attempts "
                    "are limited per account and per client address.",
        public=True, body=TokenRequest, status=201, returns=TokenSchema,
        errors=(400, 401, 415, 422, 429)),
    "revoke_current_token": Operation(
        "Revoke the token this request carries", "tokens", status=204, errors=(401, 404)),
    "get_me": Operation(
        "The caller, with roles and the laboratories they direct", "people",
        returns=UserSchema),
    "export_me": Operation(
        "Everything the tracker holds about the caller (GDPR copy)", "people",
        returns=PersonalDataSchema,
        description="The caller's own data only; the web page \"My data\" gives the same "
                    "with the documents' files, as a ZIP. Each export is recorded in the "
                    "audit."),
    "list_delegations": Operation(
        "The caller's delegations: those given (their stand-ins) and those received",
        "people", returns=DelegationListSchema),
    "create_delegation": Operation(
        "Name a stand-in for a period (directors and administrators)", "people",
        description="During the period the stand-in sees the caller's review queues and takes "
                    "their review actions (endorse, return, decline, approve, reject) and "
                    "opinions, never on their own application; each Event names both. 422 "
                    "names the field: the stand-in is the caller, unknown or inactive; the "
                    "period starts in the past, ends before it starts, lasts over 366 days, "
                    "or overlaps another of the caller's delegations (`starts_on`). One "
                    "starting today is announced to both at once, a later one on its first "
                    "day.",
        body=DelegationInput, status=201, returns=DelegationSchema,
        errors=(*JSON_WRITE, 403)),
    "delete_delegation": Operation(
        "Cancel a delegation (the delegator)", "people",
        description="One not started yet is deleted; one in progress ends today and the "
                    "stand-in's rights end at once. 403 for the stand-in, 409 "
                    "`delegation_ended` once it has ended or was cancelled.",
        status=204, errors=(401, 403, 404, 409)),
    "list_laboratories": Operation(
        "Laboratories, by name", "directory",
        query=LaboratoryQuery, returns=LaboratoryPageSchema, errors=(401, 422)),
    "create_laboratory": Operation(
        "Add a laboratory (administrators)", "directory",
        body=LaboratoryInput, status=201, returns=LaboratorySchema,
        errors=(*JSON_WRITE, 403),
        links=_follow("update_laboratory", lab_id="$response.body#/id")),
    "update_laboratory": Operation(
        "Change a laboratory (administrators); send only the fields to change", "directory",
        body=LaboratoryInput(partial=True), returns=LaboratorySchema,
        errors=(*JSON_WRITE, 403, 404)),
    "list_programmes": Operation(
        "Every programme, latest opening first", "directory",
        query=ProgrammeQuery, returns=ProgrammePageSchema, errors=(401, 422)),
    "create_programme": Operation(
        "Open a programme (administrators)", "directory",
        body=ProgrammeInput, status=201, returns=ProgrammeSchema, errors=(*JSON_WRITE, 403)),
    "list_countries": Operation(
        "Every country with its risk level (one nobody set is green), by name", "directory",
        description="The levels are the organisation's own assessment (in the demo, "
                    "examples), not an official map.",
        query=CountryQuery, returns=CountryListSchema, errors=(401, 422)),
    "get_country": Operation(
        "One country's risk level", "directory", returns=CountrySchema, errors=(401, 404)),
    "set_country": Operation(
        "Set a country's risk level and note (administrators, security officers)",
        "directory", body=CountryInput, returns=CountrySchema,
        errors=(*JSON_WRITE, 403, 404)),
    "list_agreements": Operation(
        "Agreements with partner institutions, latest to start first", "directory",
        description="Every signed-in person reads the register. `status` is as read today: "
                    "an agreement in force whose last day is past reads `expired`.",
        query=AgreementQuery, returns=AgreementPageSchema, errors=(401, 422)),
    "get_agreement": Operation(
        "One agreement, with the stays approved under it this year", "directory",
        returns=AgreementSchema, errors=(401, 404)),
    "create_agreement": Operation(
        "Record an agreement (administrators)", "directory",
        description="422 names the field: an end before the start, an unknown laboratory, "
                    "no unit or no partner among the laboratories, a joint unit's agreement "
                    "without its joint unit, a negative quota, a limit without a quota, a "
                    "reference already taken, `expired` as a status (it is read from the "
                    "dates).",
        body=AgreementInput, status=201, returns=AgreementSchema,
        errors=(*JSON_WRITE, 403),
        links=_follow("get_agreement", "update_agreement",
                      agreement_id="$response.body#/id")),
    "update_agreement": Operation(
        "Change an agreement (administrators); send only the fields to change", "directory",
        description="`laboratory_ids` replaces the laboratories covered.",
        body=AgreementInput(partial=True), returns=AgreementSchema,
        errors=(*JSON_WRITE, 403, 404)),
    "delete_agreement": Operation(
        "Delete an agreement (administrators)", "directory",
        description="The stays it covered keep their values and name no agreement.",
        status=204, errors=(401, 403, 404)),
    # The agreements' documents carry no links: the stateful fuzzing follows links, and its
    # steps are better spent on the applications' life than on these four plain operations.
    "list_agreement_documents": Operation(
        "Documents attached to an agreement, oldest first", "directory",
        returns=AgreementDocumentListSchema, errors=(401, 404)),
    "upload_agreement_document": Operation(
        "Attach a document to an agreement (administrators)", "directory",
        description="The file (field `file`) is checked as an application's document is: "
                    "at most the document size limit (413), of an accepted type judged by "
                    "its content (415), not empty (422).",
        body=AgreementDocumentUploadForm, body_type=FORM, status=201,
        returns=AgreementDocumentSchema, location=True,
        errors=(400, 401, 403, 404, 413, 415, 422),
        error_notes={415: "Not multipart/form-data, or not an accepted type of file."}),
    "download_agreement_document": Operation(
        "The file of an agreement's document, as an attachment", "directory",
        content=FILE, errors=(401, 404)),
    "delete_agreement_document": Operation(
        "Delete an agreement's document (administrators)", "directory",
        status=204, errors=(401, 403, 404)),
    "create_invitation": Operation(
        "Invite an incoming visitor (the director of the host unit, or an administrator)",
        "applications",
        description="Creates the visitor's account if the address has none, their draft "
                    "(which must satisfy the rules of an application: 422 names what is "
                    "wrong) and a one-time link valid seven days, sent by mail.",
        body=InvitationInput, status=201, returns=ApplicationSchema,
        errors=(*JSON_WRITE, 403)),
    "list_applications": Operation(
        "Applications visible to the caller, newest first", "applications",
        description="Page by `page` (offset) or by `cursor` (a `next_cursor`, keyset: as fast "
                    "at any depth); not both.",
        query=ApplicationQuery, returns=ApplicationPageSchema, errors=(401, 422)),
    "create_application": Operation(
        "Create a draft for the caller", "applications",
        description="The draft must satisfy SPEC's rules (422 names what is wrong; a cost "
                    "item by its path, as `cost_items.1.amount`). Naming neither `funding` "
                    "nor `programme_id` makes a mission on the unit's funds. Submit it with a "
                    "`submit` transition.",
        body=ApplicationCreate, status=201, returns=ApplicationSchema, location=True,
        errors=JSON_WRITE,
        links={**_follow("get_application", "list_events", "upload_document",
                         **CREATED_APPLICATION),
               **_follow(*WRITES, body=CURRENT_VERSION, **CREATED_APPLICATION)}),
    "get_application": Operation(
        "One application", "applications", returns=ApplicationSchema, errors=(401, 404),
        links=_follow(*WRITES, body=CURRENT_VERSION, **SAME_APPLICATION)),
    "update_application": Operation(
        "Edit (the applicant, in draft or returned); send the fields to change and the "
        "version", "applications",
        body=ApplicationPatch, returns=ApplicationSchema, errors=(*JSON_WRITE, 403, 404, 409),
        links=_follow(*WRITES, body=CURRENT_VERSION, **SAME_APPLICATION)),
    "create_transition": Operation(
        "Take a workflow action (submit, endorse, return, decline, approve, reject, "
        "withdraw, cancel, complete)", "applications",
        description="Who may take which action from which status is SPEC's workflow table: "
                    "403 when the caller may never take it on this application, 409 when not "
                    "in its current status or when the version is stale, 422 for a missing "
                    "comment, an amount or a budget overrun. A mission on the unit's funds is "
                    "approved by the reviewing director from `submitted` (the awarded amount "
                    "defaults to the requested one); the office does not decide it (403).",
        body=TransitionRequest, returns=ApplicationSchema,
        errors=(*JSON_WRITE, 403, 404, 409),
        links=_follow(*WRITES, body=CURRENT_VERSION, **SAME_APPLICATION)),
    "list_events": Operation(
        "History of an application, oldest first", "applications",
        returns=EventListSchema, errors=(401, 404)),
    "upload_document": Operation(
        "Attach a document (the applicant: any kind while editable, a report once approved)",
        "applications",
        body=DocumentUploadForm, body_type=FORM, status=201, returns=DocumentSchema,
        location=True, errors=(400, 401, 403, 404, 409, 413, 415, 422),
        error_notes={415: "Not multipart/form-data, or not an accepted type of file."},
        links=_follow("download_document", application_id="$request.path.application_id",
                      document_id="$response.body#/id")),
    "download_document": Operation(
        "The file of a document, as an attachment", "applications",
        content=FILE, errors=(401, 404)),
    "list_requirements": Operation(
        "What the application needs before its next steps", "applications",
        description="One item per applicable requirement rule: what it requires (a document "
                    "of a kind, or an opinion of a kind that is not unfavourable), why it "
                    "applies, which step it blocks (`submit` or `approve`) and whether it is "
                    "met. An unmet one refuses its step with 409 `requirements_unmet`.",
        returns=RequirementSchema(many=True), errors=(401, 404)),
    "list_opinions": Operation(
        "Opinions given on an application, oldest first", "applications",
        returns=OpinionListSchema, errors=(401, 404)),
    "create_opinion": Operation(
        "Give a security opinion (a security officer) or a host opinion (the director of "
        "the host joint unit)", "applications",
        description="403 when the caller does not give this opinion (or it is their own "
                    "application), 409 when the application is not submitted or endorsed or "
                    "its requirements do not ask for this opinion, 422 for the values (a "
                    "comment is required unless favourable). A later opinion of the same "
                    "kind supersedes the earlier.",
        body=OpinionRequest, status=201, returns=OpinionSchema,
        errors=(*JSON_WRITE, 403, 404, 409)),
    "list_amendments": Operation(
        "Amendments of an application, oldest first", "applications",
        returns=AmendmentListSchema, errors=(401, 404)),
    "create_amendment": Operation(
        "Ask a change to an approved application (the applicant or an admin)", "applications",
        description="`changes` names only the fields that change, among the stay's dates, "
                    "host, cost items, requested amount and justification. 403 when the "
                    "caller is neither the applicant nor an admin, 409 when the application "
                    "is not approved, the version is stale or another change is open "
                    "(`amendment_open`), 422 for values an edit would refuse, a missing "
                    "reason, or an added amount beyond the programme's budget. A returned "
                    "change is asked again in place (same id). The application stays "
                    "approved; reviewers see the overlaps and requirements on the new values.",
        body=AmendmentRequest, status=201, returns=AmendmentSchema, location=True,
        errors=(*JSON_WRITE, 403, 404, 409)),
    "create_amendment_transition": Operation(
        "Endorse, approve, return, reject or withdraw a change", "applications",
        description="The same people as for the application: the reviewing director "
                    "endorses a programme call's change, an admin approves it; the director "
                    "approves a unit mission's change. Nobody reviews a change they asked or "
                    "one to their own application (403). 409 when not in its current status, "
                    "the version is stale, or a requirement on the new values is unmet "
                    "(`requirements_unmet`); 422 for a missing comment (return, reject), an "
                    "amount, the budget. An approval writes the new values into the "
                    "application and one `amend` event with each field's old and new value.",
        body=AmendmentTransitionRequest, returns=AmendmentSchema,
        errors=(*JSON_WRITE, 403, 404, 409)),
    "get_stats": Operation(
        "Counts and committed budget over the applications the caller sees", "reports",
        query=StatsQuery, returns=StatsSchema, errors=(401, 422)),
    "openapi": Operation(
        "This description", "documentation", public=True, errors=(),
        content={JSON: {"schema": {"type": "object"}}}),
    "docs": Operation(
        "This description as an HTML page", "documentation", public=True, errors=(),
        content={"text/html": {"schema": {"type": "string"}}}),
}


class _Converter(OpenAPIConverter):
    """The marshmallow plugin's converter, adding a schema's ``cross_field_rules``."""

    def schema2jsonschema(self, schema):
        described = super().schema2jsonschema(schema)
        described.update(getattr(resolve_schema_instance(schema), "cross_field_rules", {}))
        return described


class _Plugin(MarshmallowPlugin):
    Converter = _Converter


def _component_name(schema):
    """``LaboratorySchema`` is described as ``Laboratory``, a partial input as a patch."""
    instance = resolve_schema_instance(schema)
    name = type(instance).__name__.removesuffix("Schema")
    if instance.partial is True:
        name = name.removesuffix("Input") + "Patch"
    return name


# A variable of a Werkzeug rule: ``<name>``, ``<converter:name>`` or ``<converter(args):name>``.
VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _path_of(rule):
    """The rule's path in OpenAPI's spelling, and its path parameters."""
    parameters = []
    for match in VARIABLE.finditer(rule.rule):
        name = match["name"]
        schema = ({"type": "integer", "minimum": 1, "maximum": MAX_ID}
                  if match["converter"] == "int" else {"type": "string"})
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema,
                           "description": PATH_PARAMETERS.get(name, "")})
    return VARIABLE.sub(lambda match: f"{{{match['name']}}}", rule.rule), parameters


def _error(status, operation):
    description = operation.error_notes.get(status, ERRORS[status])
    return {"description": description, "content": {JSON: {"schema": ErrorSchema}}}


SUCCESS = {200: "OK", 201: "Created", 204: "Done; no content."}


def _success(operation):
    response = {"description": SUCCESS[operation.status]}
    if operation.returns is not None:
        response["content"] = {JSON: {"schema": operation.returns}}
    elif operation.content:
        response["content"] = operation.content
    if operation.location:
        response["headers"] = {"Location": {"description": "Where to read what was created.",
                                            "schema": {"type": "string"}}}
    if operation.links:
        response["links"] = operation.links
    return response


def _operation(name, operation, path_parameters):
    """The Operation Object of endpoint ``name``, schemas still as marshmallow classes."""
    described = {
        "operationId": name,
        "summary": operation.summary,
        "tags": [operation.tag],
        "responses": {operation.status: _success(operation),
                      **{status: _error(status, operation)
                         for status in sorted(set(operation.errors) | set(ALWAYS))}},
    }
    if operation.description:
        described["description"] = operation.description
    if operation.public:
        described["security"] = []
    parameters = list(path_parameters)
    if operation.query is not None:
        # The marshmallow plugin spreads the query schema into one parameter per field.
        parameters.append({"in": "query", "schema": operation.query})
    if parameters:
        described["parameters"] = parameters
    if operation.body is not None:
        described["requestBody"] = {"required": True,
                                    "content": {operation.body_type: {"schema": operation.body}}}
    return described


def api_routes(app):
    """``(rule, method, operation id)`` of every route of the API blueprint."""
    for rule in app.url_map.iter_rules():
        blueprint, _, name = rule.endpoint.partition(".")
        if blueprint == "api":
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method.lower(), name


def build_document(app):
    """The OpenAPI document of ``app``'s API, as a dict ready for JSON.

    A route without a line in :data:`OPERATIONS` is left out (and the tests say so), rather
    than breaking the whole description.
    """
    marshmallow = _Plugin(schema_name_resolver=_component_name)
    spec = APISpec(
        title="Mobility tracker API", version="1.0.0", openapi_version="3.1.0",
        plugins=[marshmallow],
        info={"description": DESCRIPTION},
        servers=[{"url": "/"}],
        security=[{"bearerAuth": []}, {"sessionCookie": []}],
        tags=[{"name": tag} for tag in TAGS],
    )
    # Amounts are decimals written as strings, never JSON numbers (which would round them).
    marshmallow.map_to_openapi_type(Amount, "string", None)
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme(
        "sessionCookie", {"type": "apiKey", "in": "cookie", "name": "session"})
    order = list(OPERATIONS)
    routes = sorted((route for route in api_routes(app) if route[2] in OPERATIONS),
                    key=lambda route: order.index(route[2]))
    for rule, method, name in routes:
        path, path_parameters = _path_of(rule)
        spec.path(path=path, operations={
            method: _operation(name, OPERATIONS[name], path_parameters)})
    return spec.to_dict()


def openapi_document():
    """The description of the current app's API, built once per app."""
    document = current_app.extensions.get("openapi_document")
    if document is None:
        document = current_app.extensions["openapi_document"] = build_document(current_app)
    return document
