"""Documents of an application: upload (multipart) and download.

The same service and permission as the web pages: :func:`store_document` checks the file
(size, type by content) and :func:`tracker.access.check_upload` says who may attach what,
when. Refusals follow the order of docs/api.md: 401, 404, 403 (not the applicant), 409
(nothing of this kind may be attached now), then 413, 415 and 422 for the upload itself,
and 503 when the disk refuses it.
"""

from flask import current_app, request, url_for
from marshmallow import ValidationError

from tracker.api.applications import visible_application_or_404
from tracker.api.base import MAX_ID, ApiError, bp, require_user
from tracker.api.schemas import DocumentUpload, document_json
from tracker.applications.documents import (
    DocumentRefused,
    document_of,
    send_document,
    store_document,
)
from tracker import access
from tracker.extensions import db

FILE_FIELD = "file"


def upload_fields():
    """``(form values, file, problems)`` of a multipart request; every field at most once."""
    csrf_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    values, problems = {}, {}
    for name, given in request.form.lists():
        if name == csrf_field:
            continue  # checked by the blueprint for session requests
        if len(given) > 1:
            problems[name] = ["Give it once."]
        values[name] = given[0]
    upload = None
    for name, files in request.files.lists():
        if name != FILE_FIELD:
            problems[name] = ["Unknown field."]
        elif len(files) > 1:
            problems[name] = ["Send one file per request."]
        else:
            upload = files[0]
    if upload is None or not upload.filename:
        problems.setdefault(FILE_FIELD, ["Choose a file to upload."])
    return values, upload, problems


def require_multipart():
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "Send the file as multipart/form-data, in the field 'file'.")


def refused_upload(refusal):
    """The :class:`ApiError` answering a :class:`DocumentRefused`, the transaction rolled
    back (which removes anything stored)."""
    db.session.rollback()
    if refusal.status in (413, 415, 503):
        return ApiError(refusal.status, str(refusal.message))
    # What is left (an empty file) is an invalid value of the field.
    return ApiError(422, "Some values are invalid.", fields={FILE_FIELD: [str(refusal.message)]})


@bp.route("/applications/<int:application_id>/documents", methods=["POST"])
def upload_document(application_id):
    """Attach a file (field ``file``) of a ``kind`` to the caller's own application."""
    user = require_user()
    application = visible_application_or_404(user, application_id)
    access.check_upload(user, application)
    require_multipart()
    values, upload, problems = upload_fields()
    kind = None
    try:
        kind = DocumentUpload().load(values)["kind"]
    except ValidationError as invalid:
        problems = {**invalid.normalized_messages(), **problems}
    if kind is not None:
        access.check_upload(user, application, kind)
    if problems:
        raise ApiError(422, "Some values are invalid.", fields=problems)

    try:
        document = store_document(application, user, kind, upload)
    except DocumentRefused as refusal:
        raise refused_upload(refusal)
    # If the commit fails, the session removes the stored file as the transaction ends.
    db.session.commit()
    location = url_for("api.download_document", application_id=application.id,
                       document_id=document.id)
    return document_json(document), 201, {"Location": location}


@bp.route("/applications/<int:application_id>/documents/<int:document_id>")
def download_document(application_id, document_id):
    """The file, as an attachment of the type found at upload, never sniffed by browsers."""
    user = require_user()
    application = visible_application_or_404(user, application_id)
    document = document_of(application, document_id) if 1 <= document_id <= MAX_ID else None
    if document is None:
        raise ApiError(404, "This application has no document with this id.")
    response = send_document(document)
    if response is None:
        raise ApiError(404, "This application has no document with this id.")
    return response
