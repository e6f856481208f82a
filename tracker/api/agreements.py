"""The agreements register: read by everyone signed in, written by administrators; the
same for the agreements' documents (list and download; upload and delete).

The same services as the register's pages (:mod:`tracker.agreements.services`); an upload
is read and refused as an application's document is (:mod:`tracker.api.documents`).
"""

from datetime import date

from flask import url_for

from tracker import access
from tracker.agreements import services
from tracker.agreements.models import Agreement
from tracker.api.base import ApiError, bp, get_or_404, json_body, load_query, page_of, require_user
from tracker.api.documents import refused_upload, require_multipart, upload_fields
from tracker.api.schemas import (
    AgreementInput, AgreementQuery, agreement_document_json, agreement_json,
)
from tracker.applications.documents import DocumentRefused
from tracker.extensions import db

NOT_FOUND = "There is no agreement with this id."
NO_DOCUMENT = "This agreement has no document with this id."


def _require_manager():
    """The caller, an administrator (403 otherwise), asked before the body is read."""
    user = require_user()
    if not access.can_manage_agreements(user):
        raise ApiError(403, "Only administrators manage the agreements.")
    return user


def _stored(values):
    """The body's values as the service takes them: no e-mail address is ``""``."""
    for name in ("our_contact_email", "partner_contact_email"):
        if name in values:
            values[name] = values[name] or ""
    return values


@bp.route("/agreements")
def list_agreements():
    require_user()
    params = load_query(AgreementQuery())
    today = date.today()
    query = services.agreements_query(
        status=params.get("status"), kind=params.get("kind"),
        laboratory=params.get("laboratory"), partner=params.get("partner"),
        unit=params.get("unit"), country=params.get("country"), today=today)
    return page_of(query, params, lambda agreement: agreement_json(agreement, today))


@bp.route("/agreements/<int:agreement_id>")
def get_agreement(agreement_id):
    require_user()
    agreement = get_or_404(Agreement, agreement_id, NOT_FOUND)
    today = date.today()
    return agreement_json(agreement, today, services.quota_use(agreement, today.year))


@bp.route("/agreements", methods=["POST"])
def create_agreement():
    admin = _require_manager()
    values = _stored(AgreementInput().load(json_body()))
    agreement = services.save_agreement(Agreement(), admin, values)
    db.session.commit()
    return agreement_json(agreement, date.today()), 201


@bp.route("/agreements/<int:agreement_id>", methods=["PATCH"])
def update_agreement(agreement_id):
    require_user()
    agreement = get_or_404(Agreement, agreement_id, NOT_FOUND)
    admin = _require_manager()
    changes = _stored(AgreementInput(partial=True).load(json_body()))
    services.save_agreement(agreement, admin, {**services.current_values(agreement), **changes})
    db.session.commit()
    return agreement_json(agreement, date.today())


@bp.route("/agreements/<int:agreement_id>", methods=["DELETE"])
def delete_agreement(agreement_id):
    require_user()
    agreement = get_or_404(Agreement, agreement_id, NOT_FOUND)
    services.delete_agreement(agreement, _require_manager())
    db.session.commit()
    return "", 204


# Documents ---------------------------------------------------------------------------------
def _document_or_404(agreement, document_id):
    document = services.document_of(agreement, document_id)
    if document is None:
        raise ApiError(404, NO_DOCUMENT)
    return document


@bp.route("/agreements/<int:agreement_id>/documents")
def list_agreement_documents(agreement_id):
    """The agreement's documents, oldest first."""
    require_user()
    agreement = get_or_404(Agreement, agreement_id, NOT_FOUND)
    return {"items": [agreement_document_json(document) for document in agreement.documents]}


@bp.route("/agreements/<int:agreement_id>/documents", methods=["POST"])
def upload_agreement_document(agreement_id):
    """Attach a file (field ``file``) to the agreement."""
    require_user()
    agreement = get_or_404(Agreement, agreement_id, NOT_FOUND)
    admin = _require_manager()
    require_multipart()
    values, upload, problems = upload_fields()
    problems.update({name: ["Unknown field."] for name in values})
    if problems:
        raise ApiError(422, "Some values are invalid.", fields=problems)
    try:
        document = services.attach_document(agreement, admin, upload)
    except DocumentRefused as refusal:
        raise refused_upload(refusal)
    # If the commit fails, the session removes the stored file as the transaction ends.
    db.session.commit()
    location = url_for("api.download_agreement_document", agreement_id=agreement.id,
                       document_id=document.id)
    return agreement_document_json(document), 201, {"Location": location}


@bp.route("/agreements/<int:agreement_id>/documents/<int:document_id>")
def download_agreement_document(agreement_id, document_id):
    """The file, as an attachment under the name it was given."""
    require_user()
    agreement = get_or_404(Agreement, agreement_id, NOT_FOUND)
    response = services.send_document(_document_or_404(agreement, document_id))
    if response is None:
        raise ApiError(404, NO_DOCUMENT)
    return response


@bp.route("/agreements/<int:agreement_id>/documents/<int:document_id>", methods=["DELETE"])
def delete_agreement_document(agreement_id, document_id):
    require_user()
    agreement = get_or_404(Agreement, agreement_id, NOT_FOUND)
    document = _document_or_404(agreement, document_id)
    services.delete_document(document, _require_manager())
    db.session.commit()
    return "", 204
