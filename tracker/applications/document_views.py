"""Uploading and downloading the documents of an application (``applications`` blueprint)."""


from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from tracker.applications.documents import (
    DOCUMENT_KIND_LABELS,
    DocumentRefused,
    document_of,
    kinds_user_may_upload,
    send_document,
    store_document,
)
from tracker.applications.models import Application
from tracker.applications.views import bp
from tracker.core.permissions import can_upload_document, login_required, visible_applications
from tracker.extensions import db


def _visible_application_or_404(application_id):
    """The application if the signed-in user may see it; 404 otherwise, as if it did not exist."""
    application = db.session.scalar(
        visible_applications(current_user).where(Application.id == application_id)
    )
    if application is None:
        abort(404)
    return application


def application_page_url(application):
    """The application's page when this build has one, else the list of applications."""
    for endpoint, args in (
        ("applications.show", {"application_id": application.id}),
        ("applications.list_mine", {}),
    ):
        if endpoint in current_app.view_functions:
            return url_for(endpoint, **args)
    return url_for("main.index")


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
        "document_upload_kinds": lambda application: kinds_user_may_upload(
            current_user, application
        ),
        "human_size": human_size,
    }


@bp.route("/<int:application_id>/documents", methods=["POST"])
@login_required
def upload_document(application_id):
    application = _visible_application_or_404(application_id)
    kind = request.form.get("kind", "")
    if not can_upload_document(current_user, application) or (
        kind and not can_upload_document(current_user, application, kind)
    ):
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
    application = _visible_application_or_404(application_id)
    document = document_of(application, document_id)
    if document is None:
        abort(404)
    response = send_document(document)
    if response is None:
        abort(404)
    return response
