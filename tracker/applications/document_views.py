"""Uploading and downloading the documents of an application (``applications`` blueprint)."""


from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from tracker import access
from tracker.access import login_required
from tracker.applications.documents import (
    DOCUMENT_KIND_LABELS,
    DocumentRefused,
    document_of,
    send_document,
    store_document,
)
from tracker.applications.views import bp, load_visible
from tracker.core.errors import Refused, too_large_page
from tracker.extensions import db


def application_page_url(application):
    return url_for("applications.show", application_id=application.id)


def human_size(size):
    """``size`` bytes, for people."""
    if size < 1024:
        return _("%(size)s bytes", size=size)
    if size < 1024 * 1024:
        return _("%(size)s KB", size=format_decimal(round(size / 1024, 1)))
    return _("%(size)s MB", size=format_decimal(round(size / 1024 / 1024, 1)))


@bp.app_context_processor
def document_helpers():
    return {
        "document_kind_labels": DOCUMENT_KIND_LABELS,
        "document_upload_kinds": lambda application: access.kinds_user_may_upload(
            current_user, application
        ),
        "human_size": human_size,
    }


@bp.errorhandler(413)
def upload_too_large(error):
    """A request over ``MAX_CONTENT_LENGTH`` (refused by Werkzeug before the view reads it):
    the limit, and the way back to the application it was meant for."""
    application_id = (request.view_args or {}).get("application_id")
    if application_id is None:
        return too_large_page()
    return too_large_page(url_for("applications.show", application_id=application_id),
                          _("Back to the application"))


@bp.route("/<int:application_id>/documents", methods=["POST"])
@login_required
def upload_document(application_id):
    application = load_visible(application_id)
    kind = request.form.get("kind", "")
    try:
        access.check_upload(current_user, application, kind or None)
    except Refused:
        abort(403)
    try:
        document = store_document(application, current_user, kind, request.files.get("file"))
    except DocumentRefused as refusal:
        db.session.rollback()
        return render_template(
            "applications/document_refused.html",
            application=application,
            status=refusal.status,
            message=refusal.message,
            back_url=application_page_url(application),
        ), refusal.status
    try:
        db.session.commit()
    except Exception:
        # The session removes the stored file as the transaction ends; the handler logs.
        db.session.rollback()
        raise
    flash(_("%(name)s was attached.", name=document.original_name), "success")
    return redirect(application_page_url(application) + "#documents")


@bp.route("/<int:application_id>/documents/<int:document_id>")
@login_required
def download_document(application_id, document_id):
    application = load_visible(application_id)
    document = document_of(application, document_id)
    if document is None:
        abort(404)
    response = send_document(document)
    if response is None:
        abort(404)
    return response
