"""Documents of an agreement on its page: everyone signed in lists and downloads them,
administrators upload (refusals next to the field) and delete them after confirming; the
files follow their rows and the audit records each change."""

import io
import os
import re
import shutil

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token, sign_in
from tracker.agreements import services
from tracker.agreements.models import AgreementDocument
from tracker.audit.models import AuditEntry
from tracker.core.errors import NotAllowed
from tracker.core.storage import storage
from tracker.extensions import db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def agreement(make, people):
    return make.agreement([people["unit"], people["partner"]], reference="FW-DOCS")


@pytest.fixture
def stored_files(app):
    """The files in the store's agreements folder (temporary ones included), emptied first:
    the folder is the test session's."""
    folder = os.path.join(app.config["UPLOAD_FOLDER"], services.DOCUMENT_PREFIX)
    shutil.rmtree(folder, ignore_errors=True)

    def listing():
        return sorted(os.listdir(folder)) if os.path.isdir(folder) else []

    return listing


def page_of(client, agreement):
    return client.get(f"/agreements/{agreement.id}").get_data(as_text=True)


def upload(client, agreement, content=PDF, name="Signed agreement.pdf"):
    data = {"csrf_token": csrf_token(client, f"/agreements/{agreement.id}")}
    if content is not None:
        data["file"] = (io.BytesIO(content), name)
    return client.post(f"/agreements/{agreement.id}/documents", data=data,
                       content_type="multipart/form-data")


def file_error(html):
    match = re.search(r'id="file-error"[^>]*>\s*(.*?)\s*</div>', html, re.S)
    assert match, "no error next to the file field"
    return match.group(1)


def documents():
    return db.session.scalars(sa.select(AgreementDocument)).all()


def test_an_admin_uploads_downloads_and_deletes_a_document(login, people, agreement,
                                                         stored_files):
    client = login(people["admin"])
    assert "No document attached to this agreement yet." in page_of(client, agreement)

    response = upload(client, agreement)
    assert response.status_code == 302
    assert response.location.endswith(f"/agreements/{agreement.id}#documents")
    document = documents()[0]
    assert (document.original_name, document.size, document.uploaded_by_id) == (
        "Signed agreement.pdf", len(PDF), people["admin"].id)
    assert document.content_type == "application/pdf"
    assert stored_files() == [document.stored_key.split("/")[1]]

    page = page_of(client, agreement)
    assert "Signed agreement.pdf" in page and "Ada Admin" in page
    assert f"{len(PDF)} bytes" in page
    download = client.get(f"/agreements/{agreement.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="Signed agreement.pdf"')

    delete_url = f"/agreements/{agreement.id}/documents/{document.id}/delete"
    confirm = client.get(delete_url)
    assert confirm.status_code == 200 and "Delete the document" in confirm.get_data(as_text=True)
    assert len(documents()) == 1  # looking at the confirmation deletes nothing
    response = client.post(delete_url, data={"csrf_token": csrf_token(client, delete_url)})
    assert response.status_code == 302
    assert documents() == [] and stored_files() == []
    assert "No document attached to this agreement yet." in page_of(client, agreement)


def test_the_size_reads_in_the_reader_s_language(app, login, make, people, agreement):
    content = b"%PDF-1.7\n" + b"0" * 1600 + b"\n%%EOF\n"  # 1,616 bytes: 1.6 KB
    make.agreement_document(agreement, people["admin"], content=content)
    client = login(people["admin"])
    assert "1.6 KB" in page_of(client, agreement)
    french = app.test_client()
    sign_in(french, make.user(email="lecteur@example.org", locale="fr"))
    assert "1,6 Ko" in page_of(french, agreement)


def test_everyone_signed_in_downloads_but_only_admins_upload_or_delete(login, make, people,
                                                                       agreement, stored_files):
    document = make.agreement_document(agreement, people["admin"])
    client = login(people["researcher"])
    page = page_of(client, agreement)
    assert "signed.pdf" in page
    assert 'id="upload"' not in page and "/delete" not in page
    assert client.get(f"/agreements/{agreement.id}/documents/{document.id}").status_code == 200

    assert upload(client, agreement).status_code == 403
    delete_url = f"/agreements/{agreement.id}/documents/{document.id}/delete"
    assert client.get(delete_url).status_code == 403
    token = csrf_token(client, f"/agreements/{agreement.id}")
    assert client.post(delete_url, data={"csrf_token": token}).status_code == 403
    assert len(documents()) == 1 and len(stored_files()) == 1


def test_anonymous_people_are_sent_to_sign_in(client, make, people, agreement):
    document = make.agreement_document(agreement, people["admin"])
    response = client.get(f"/agreements/{agreement.id}/documents/{document.id}")
    assert response.status_code == 302 and "/auth/login" in response.location


@pytest.mark.parametrize(("content", "name", "status", "message"), [
    (b"<html><script>alert(1)</script></html>", "agreement.pdf", 415,
     "This type of file is not accepted"),
    (b"", "empty.pdf", 400, "The file is empty."),
    (None, None, 400, "Choose a file to upload."),
])
def test_a_refused_upload_says_why_next_to_the_field(login, people, agreement, stored_files,
                                                     content, name, status, message):
    client = login(people["admin"])
    response = upload(client, agreement, content, name)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in file_error(html)
    assert 'aria-invalid="true"' in html
    assert documents() == [] and stored_files() == []


def test_a_file_over_the_limit_is_refused_next_to_the_field(app, login, people, agreement,
                                                            stored_files, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_DOCUMENT_SIZE", 1000)
    client = login(people["admin"])
    response = upload(client, agreement, PDF + b"0" * 2000)
    assert response.status_code == 413
    assert "larger than" in file_error(response.get_data(as_text=True))
    assert documents() == [] and stored_files() == []


def test_a_request_over_the_server_limit_is_refused_next_to_the_field(app, login, people,
                                                                      agreement, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    client = login(people["admin"])
    response = upload(client, agreement, PDF + b"0" * 4000)
    assert response.status_code == 413
    assert "too large" in file_error(response.get_data(as_text=True))
    assert documents() == []


def test_unknown_ids_and_another_agreement_s_document_answer_404(login, make, people,
                                                                 agreement):
    other = make.agreement([people["unit"], people["partner"]], reference="OTHER-1")
    theirs = make.agreement_document(other, people["admin"])
    client = login(people["admin"])
    for path in (f"/agreements/{agreement.id}/documents/{theirs.id}",
                 f"/agreements/{agreement.id}/documents/{theirs.id}/delete",
                 f"/agreements/{agreement.id}/documents/999999",
                 f"/agreements/{agreement.id}/documents/99999999999999999999",
                 f"/agreements/999999/documents/{theirs.id}"):
        assert client.get(path).status_code == 404, path
    assert client.post("/agreements/999999/documents",
                       data={"csrf_token": csrf_token(client, "/agreements/")}).status_code == 404


def test_a_file_gone_from_the_store_answers_404(login, make, people, agreement):
    document = make.agreement_document(agreement, people["admin"])
    storage().delete(document.stored_key)
    client = login(people["researcher"])
    assert client.get(f"/agreements/{agreement.id}/documents/{document.id}").status_code == 404


# Services ------------------------------------------------------------------------------------
def test_uploads_and_deletions_are_audited(make, people, agreement):
    document = make.agreement_document(agreement, people["admin"], name="annex.pdf")
    services.delete_document(document, people["admin"])
    db.session.commit()
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.subject_type == "agreement")
        .order_by(AuditEntry.id)).all()
    assert [(entry.action, entry.before, entry.after) for entry in entries] == [
        ("update", {"document_names": []}, {"document_names": ["annex.pdf"]}),
        ("update", {"document_names": ["annex.pdf"]}, {"document_names": []}),
    ]
    assert {entry.actor_id for entry in entries} == {people["admin"].id}


def test_only_an_administrator_attaches_or_deletes(make, people, agreement, stored_files):
    from werkzeug.datastructures import FileStorage

    with pytest.raises(NotAllowed):
        services.attach_document(agreement, people["director"],
                                 FileStorage(stream=io.BytesIO(PDF), filename="x.pdf"))
    document = make.agreement_document(agreement, people["admin"])
    with pytest.raises(NotAllowed):
        services.delete_document(document, people["researcher"])
    assert len(stored_files()) == 1


def test_deleting_the_agreement_removes_its_documents_and_their_files(make, people, agreement,
                                                                      stored_files):
    make.agreement_document(agreement, people["admin"])
    services.delete_agreement(agreement, people["admin"])
    db.session.commit()
    assert documents() == [] and stored_files() == []


def test_a_rolled_back_deletion_keeps_the_file(make, people, agreement, stored_files):
    document = make.agreement_document(agreement, people["admin"])
    services.delete_document(document, people["admin"])
    db.session.rollback()
    assert len(documents()) == 1 and len(stored_files()) == 1
