"""Uploading and downloading documents, on the real database and a real upload folder."""

import hashlib
import io
import os
import shutil
import zipfile

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user

from tests.conftest import csrf_token, sign_in
from tracker.applications.documents import (
    DOCX,
    JPEG,
    ODT,
    PDF,
    PNG,
    clean_filename,
)
from tracker.applications.models import Document, Event
from tracker.core.storage import storage

PDF_BYTES = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def empty_upload_folder(app):
    folder = app.config["UPLOAD_FOLDER"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    yield folder


def files_in(folder):
    return sorted(os.listdir(folder))


def document_rows(db):
    return db.session.scalars(sa.select(Document)).all()


def upload(client, application_id, content, name="cv.pdf", kind="cv", token_page="/auth/password"):
    """POST a multipart upload as the browser form does (CSRF on)."""
    data = {
        "file": (io.BytesIO(content), name),
        "kind": kind,
        "csrf_token": csrf_token(client, token_page),
    }
    return client.post(
        f"/applications/{application_id}/documents",
        data=data,
        content_type="multipart/form-data",
    )


def zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            compress = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=compress)
    return buffer.getvalue()


@pytest.fixture
def draft(make):
    return make.application(status="draft")


# Success ----------------------------------------------------------------------------------
def test_applicant_uploads_a_pdf_stored_under_a_random_name_with_its_sha256(
    client, db, draft, empty_upload_folder
):
    sign_in(client, draft.applicant)
    response = upload(client, draft.id, PDF_BYTES, name="My CV.pdf")
    assert response.status_code == 302

    document = db.session.scalars(sa.select(Document)).one()
    assert document.original_name == "My CV.pdf"
    assert document.kind == "cv"
    assert document.content_type == PDF
    assert document.size == len(PDF_BYTES)
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document.uploader_id == draft.applicant_id
    assert files_in(empty_upload_folder) == [document.stored_name]
    assert "cv" not in document.stored_name.lower() and len(document.stored_name) == 40
    with storage().open(document.stored_name) as handle:
        assert handle.read() == PDF_BYTES
    event = db.session.scalars(sa.select(Event).where(Event.application_id == draft.id)).one()
    assert event.action == "upload" and event.actor_id == draft.applicant_id


@pytest.mark.parametrize(
    "content, name, expected",
    [
        (PNG_BYTES, "photo.png", PNG),
        (JPEG_BYTES, "scan.jpeg", JPEG),
        (PDF_BYTES, "no-extension", PDF),
        (zip_bytes([("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w/>")]),
         "letter.docx", DOCX),
        (zip_bytes([("mimetype", ODT), ("content.xml", "<office/>")]), "letter.odt", ODT),
    ],
)
def test_accepted_types_are_recognised_by_content(client, db, draft, content, name, expected):
    sign_in(client, draft.applicant)
    assert upload(client, draft.id, content, name=name).status_code == 302
    assert db.session.scalars(sa.select(Document)).one().content_type == expected


# Refusals: nothing left behind -----------------------------------------------------------
def test_a_request_over_the_limit_is_refused_with_413_and_leaves_nothing(
    client, db, draft, empty_upload_folder
):
    sign_in(client, draft.applicant)
    response = upload(client, draft.id, b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), "big.pdf")
    assert response.status_code == 413
    assert files_in(empty_upload_folder) == []
    assert document_rows(db) == []


def test_a_file_over_the_document_limit_is_refused_with_413(
    app, client, db, draft, empty_upload_folder, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_DOCUMENT_SIZE", 1000)
    sign_in(client, draft.applicant)
    response = upload(client, draft.id, PDF_BYTES + b"0" * 2000, "big.pdf")
    assert response.status_code == 413
    assert "larger than" in response.get_data(as_text=True)
    assert files_in(empty_upload_folder) == []
    assert document_rows(db) == []


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b"MZ\x90\x00 an executable",
        b"PK\x03\x04 not really a zip",
        zip_bytes([("evil.sh", "rm -rf /")]),
        zip_bytes([("[Content_Types].xml", "<Types/>")]),
        zip_bytes([("mimetype", "text/plain"), ("content.xml", "<x/>")]),
        b"%PDF-1.4\nJust a text file that starts like a PDF.\n",
        b"%PDF-1.4\n<html><script>alert(1)</script></html>\n",
    ],
    ids=["html", "exe", "broken-zip", "other-zip", "docx-without-body", "wrong-mimetype",
         "pdf-header-only", "html-behind-a-pdf-header"],
)
def test_wrong_content_with_a_pdf_name_is_refused_with_415(
    client, db, draft, empty_upload_folder, content
):
    sign_in(client, draft.applicant)
    response = upload(client, draft.id, content, "cv.pdf")
    assert response.status_code == 415
    assert "This type of file is not accepted" in response.get_data(as_text=True)
    assert files_in(empty_upload_folder) == []
    assert document_rows(db) == []


def test_zip_with_too_many_members_is_refused(client, db, draft, empty_upload_folder):
    members = [("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w/>")]
    members += [(f"word/media/{n}.txt", "") for n in range(2001)]
    sign_in(client, draft.applicant)
    assert upload(client, draft.id, zip_bytes(members), "big.docx").status_code == 415
    assert files_in(empty_upload_folder) == []


def test_zip_expanding_beyond_the_limit_is_refused(client, db, draft, empty_upload_folder):
    members = [
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", "<w/>"),
        ("word/bomb.xml", b"\x00" * (101 * 1024 * 1024)),
    ]
    sign_in(client, draft.applicant)
    assert upload(client, draft.id, zip_bytes(members), "bomb.docx").status_code == 415
    assert files_in(empty_upload_folder) == []


@pytest.mark.parametrize(
    "data, status",
    [({"kind": "cv"}, 400), ({"kind": "passport"}, 400), ({}, 400)],
    ids=["no-file", "unknown-kind", "nothing"],
)
def test_incomplete_forms_answer_400(client, db, draft, data, status):
    sign_in(client, draft.applicant)
    payload = {**data, "csrf_token": csrf_token(client, "/auth/password")}
    response = client.post(f"/applications/{draft.id}/documents", data=payload,
                           content_type="multipart/form-data")
    assert response.status_code == status
    assert document_rows(db) == []


def test_empty_file_is_refused(client, db, draft, empty_upload_folder):
    sign_in(client, draft.applicant)
    assert upload(client, draft.id, b"", "empty.pdf").status_code == 400
    assert files_in(empty_upload_folder) == []


def test_path_traversal_name_is_stored_safely(client, db, draft, empty_upload_folder):
    sign_in(client, draft.applicant)
    response = upload(client, draft.id, PDF_BYTES, name="../../etc/passwd.pdf")
    assert response.status_code == 302
    document = db.session.scalars(sa.select(Document)).one()
    assert document.original_name == "passwd.pdf"
    assert files_in(empty_upload_folder) == [document.stored_name]


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("Résumé – 履歴書.pdf", "Résumé – 履歴書.pdf"),
        ("bad\x00na\x1bme\u202e.pdf", "badname.pdf"),
        ("tab\tand\nnewline.pdf", "tab and newline.pdf"),
        ("...", "document"),
        ("", "document"),
        (".hidden.pdf", "hidden.pdf"),
    ],
)
def test_clean_filename(raw, cleaned):
    assert clean_filename(raw) == cleaned


def test_long_names_are_shortened_keeping_the_extension():
    cleaned = clean_filename("é" * 300 + ".pdf")
    assert len(cleaned) == 120 and cleaned.endswith(".pdf")


# Who may upload --------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["submitted", "endorsed", "declined", "withdrawn"])
def test_applicant_may_not_upload_after_submitting(client, db, make, status, empty_upload_folder):
    application = make.application(status=status)
    sign_in(client, application.applicant)
    assert upload(client, application.id, PDF_BYTES).status_code == 403
    assert upload(client, application.id, PDF_BYTES, kind="report").status_code == 403
    assert files_in(empty_upload_folder) == [] and document_rows(db) == []


def test_applicant_may_upload_again_when_returned(client, db, make):
    application = make.application(status="returned")
    sign_in(client, application.applicant)
    assert upload(client, application.id, PDF_BYTES).status_code == 302


@pytest.mark.parametrize("status", ["approved", "completed"])
def test_report_only_after_approval(client, db, make, status, empty_upload_folder):
    application = make.application(status=status)
    sign_in(client, application.applicant)
    assert upload(client, application.id, PDF_BYTES, kind="cv").status_code == 403
    assert upload(client, application.id, PDF_BYTES, "report.pdf", kind="report").status_code == 302
    assert [d.kind for d in document_rows(db)] == ["report"]


def test_reviewers_may_see_but_not_upload_and_strangers_get_404(app, db, make, empty_upload_folder):
    unit = make.lab("unit")
    director = make.director_of(unit)
    admin = make.user(roles=("admin",))
    stranger = make.user(lab=unit)
    # Returned: the applicant may attach documents, and the director sees it (not a draft).
    application = make.application(applicant=make.user(lab=unit), status="returned")
    for user, expected in ((director, 403), (admin, 403), (stranger, 404)):
        client = app.test_client()
        sign_in(client, user)
        assert upload(client, application.id, PDF_BYTES).status_code == expected, user.email
        assert upload(client, application.id + 1000, PDF_BYTES).status_code == 404
    assert files_in(empty_upload_folder) == [] and document_rows(db) == []


def test_anonymous_upload_goes_to_login(client, draft):
    response = upload(client, draft.id, PDF_BYTES, token_page="/auth/login")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# Download ----------------------------------------------------------------------------------
@pytest.fixture
def with_document(make):
    unit = make.lab("unit")
    director = make.director_of(unit)
    applicant = make.user(lab=unit)
    application = make.application(applicant=applicant, status="submitted")
    document = make.document(application, uploader=applicant, name="Résumé 2026.pdf",
                             content=PDF_BYTES)
    return {
        "application": application,
        "document": document,
        "applicant": applicant,
        "director": director,
        "admin": make.user(roles=("admin",)),
        "stranger": make.user(lab=unit),
    }


@pytest.mark.parametrize("who", ["applicant", "director", "admin"])
def test_download_as_an_attachment_for_those_who_see_the_application(app, with_document, who):
    client = app.test_client()
    sign_in(client, with_document[who])
    application, document = with_document["application"], with_document["document"]
    response = client.get(f"/applications/{application.id}/documents/{document.id}")
    assert response.status_code == 200
    assert response.data == PDF_BYTES
    assert response.mimetype == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf" in disposition


def test_download_hidden_from_other_researchers(app, with_document):
    client = app.test_client()
    sign_in(client, with_document["stranger"])
    application, document = with_document["application"], with_document["document"]
    assert client.get(
        f"/applications/{application.id}/documents/{document.id}"
    ).status_code == 404


def test_download_through_another_application_is_404(app, make, with_document):
    applicant = with_document["applicant"]
    other = make.application(applicant=applicant, status="draft")
    client = app.test_client()
    sign_in(client, applicant)
    document = with_document["document"]
    assert client.get(f"/applications/{other.id}/documents/{document.id}").status_code == 404
    assert client.get(
        f"/applications/{with_document['application'].id}/documents/999999"
    ).status_code == 404


def test_anonymous_download_goes_to_login(client, with_document):
    application, document = with_document["application"], with_document["document"]
    response = client.get(f"/applications/{application.id}/documents/{document.id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# A failed commit leaves no file ----------------------------------------------------------
def test_a_commit_refused_by_the_database_leaves_no_file_and_no_row(
    client, db, draft, empty_upload_folder
):
    """A second row with the same stored name makes the database refuse the commit."""

    def collide(session):
        for document in [obj for obj in session.identity_map.values()
                         if isinstance(obj, Document)]:
            session.add(Document(
                application_id=document.application_id, kind="other", original_name="x",
                stored_name=document.stored_name, content_type=PDF, size=1, sha256="0" * 64,
                uploader_id=document.uploader_id,
            ))

    sign_in(client, draft.applicant)
    token = csrf_token(client, "/auth/password")
    sa.event.listen(sa.orm.Session, "before_commit", collide)
    try:
        response = client.post(
            f"/applications/{draft.id}/documents",
            data={"file": (io.BytesIO(PDF_BYTES), "cv.pdf"), "kind": "cv", "csrf_token": token},
            content_type="multipart/form-data",
        )
    finally:
        sa.event.remove(sa.orm.Session, "before_commit", collide)
    assert response.status_code == 500
    assert files_in(empty_upload_folder) == []
    db.session.expire_all()
    assert document_rows(db) == []


def test_a_rolled_back_session_removes_the_file(app, db, draft, empty_upload_folder):
    from werkzeug.datastructures import FileStorage

    from tracker.applications.documents import store_document

    store_document(draft, draft.applicant, "cv",
                   FileStorage(stream=io.BytesIO(PDF_BYTES), filename="cv.pdf"))
    assert len(files_in(empty_upload_folder)) == 1
    db.session.rollback()
    assert files_in(empty_upload_folder) == []
    assert document_rows(db) == []


# The partial on the application page -----------------------------------------------------
def render_partial(app, user, application):
    with app.test_request_context("/"):
        login_user(user)
        return render_template_string(
            '{% include "applications/_documents.html" %}', application=application
        )


def test_partial_lists_documents_and_offers_the_form_to_the_applicant(app, make, db):
    application = make.application(status="draft")
    document = make.document(application, name="Résumé.pdf")
    html = render_partial(app, application.applicant, application)
    assert "Résumé.pdf" in html
    assert f"/applications/{application.id}/documents/{document.id}" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrf_token"' in html
    assert '<label for="document-file"' in html and 'id="document-file"' in html
    assert '<label for="document-kind"' in html and 'value="invitation_letter"' in html


def test_partial_has_no_form_for_a_reviewer(app, make, db):
    unit = make.lab("unit")
    director = make.director_of(unit)
    application = make.application(applicant=make.user(lab=unit), status="submitted")
    make.document(application)
    html = render_partial(app, director, application)
    assert "cv.pdf" in html
    assert "multipart/form-data" not in html


def test_partial_offers_only_reports_after_approval(app, make, db):
    application = make.application(status="approved")
    html = render_partial(app, application.applicant, application)
    assert 'value="report"' in html and 'value="cv"' not in html
    assert "No document attached yet." in html


# What the download is called ----------------------------------------------------------------
@pytest.mark.parametrize("given, content, expected", [
    ("page.html", PDF_BYTES, "page.pdf"),  # a PDF is never downloaded as a page to open
    ("CV.PDF", PDF_BYTES, "CV.PDF"),
    ("photo.jpeg", JPEG_BYTES, "photo.jpeg"),
    ("photo.png", JPEG_BYTES, "photo.jpg"),
    ("scan", PNG_BYTES, "scan.png"),
])
def test_the_download_name_follows_the_detected_type(app, db, draft, given, content, expected):
    client = app.test_client()
    sign_in(client, draft.applicant)
    assert upload(client, draft.id, content, name=given).status_code == 302
    document = document_rows(db)[-1]
    assert document.original_name == given  # what the person called it stays on the page
    response = client.get(f"/applications/{draft.id}/documents/{document.id}")
    assert response.status_code == 200
    assert f"filename={expected}" in response.headers["Content-Disposition"]


# The disk refuses --------------------------------------------------------------------------
def test_a_disk_that_refuses_writes_answers_503_and_records_nothing(
    app, client, db, draft, tmp_path, caplog
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the upload folder should be")
    sign_in(client, draft.applicant)
    app.config["UPLOAD_FOLDER"] = str(blocker / "uploads")
    try:
        with caplog.at_level("ERROR"):
            response = upload(client, draft.id, PDF_BYTES)
    finally:
        app.config["UPLOAD_FOLDER"] = str(tmp_path / "unused")
    assert response.status_code == 503
    assert "cannot be stored right now" in response.get_data(as_text=True)
    assert document_rows(db) == []
    assert db.session.scalars(sa.select(Event).where(Event.action == "upload")).all() == []
    assert caplog.text.count("Documents cannot be stored") == 1
