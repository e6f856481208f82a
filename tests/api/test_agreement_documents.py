"""/api/v1/agreements/{id}/documents: everyone signed in lists and downloads, administrators
upload (multipart) and delete; every refusal in the documented order, with nothing left
behind in the store or the database."""

import hashlib
import io
import os
import shutil

import pytest

from tests.api.conftest import assert_error, count
from tests.conftest import csrf_token
from tracker.agreements.models import AgreementDocument
from tracker.agreements.services import DOCUMENT_PREFIX

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def agreement(make, org):
    return make.agreement([org.unit, org.partner], reference="FW-API")


@pytest.fixture
def stored_files(app):
    folder = os.path.join(app.config["UPLOAD_FOLDER"], DOCUMENT_PREFIX)
    shutil.rmtree(folder, ignore_errors=True)
    return lambda: sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def upload(api, user, agreement_id, content=PDF, name="annex.png", **extra):
    data = {**extra}
    if content is not None:
        data["file"] = (io.BytesIO(content), name)
    return api.post(f"/api/v1/agreements/{agreement_id}/documents", user, data=data,
                    content_type="multipart/form-data")


def path(agreement_id, document_id=None):
    base = f"/api/v1/agreements/{agreement_id}/documents"
    return base if document_id is None else f"{base}/{document_id}"


def test_an_admin_uploads_lists_downloads_and_deletes(api, org, agreement, stored_files):
    response = upload(api, org.admin, agreement.id, PNG, name="Annexe signée.png")
    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert document["original_name"] == "Annexe signée.png"
    assert (document["agreement_id"], document["content_type"], document["size"]) == (
        agreement.id, "image/png", len(PNG))
    assert document["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert document["uploaded_by"] == org.admin.id and document["uploaded_at"]
    assert response.headers["Location"].endswith(path(agreement.id, document["id"]))
    assert len(stored_files()) == 1

    listed = api.get(path(agreement.id), org.researcher)
    assert listed.status_code == 200
    assert [item["id"] for item in listed.get_json()["items"]] == [document["id"]]

    download = api.get(path(agreement.id, document["id"]), org.researcher)
    assert download.status_code == 200 and download.data == PNG
    assert download.mimetype == "image/png"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "Annexe%20sign%C3%A9e.png" in disposition

    assert api.delete(path(agreement.id, document["id"]), org.admin).status_code == 204
    assert count(AgreementDocument) == 0 and stored_files() == []
    assert api.get(path(agreement.id), org.admin).get_json() == {"items": []}


@pytest.mark.parametrize("role", ["researcher", "director"])
def test_only_admins_upload_or_delete(api, make, org, agreement, stored_files, role):
    user = getattr(org, role)
    assert_error(upload(api, user, agreement.id), 403)
    document = make.agreement_document(agreement, org.admin)
    assert_error(api.delete(path(agreement.id, document.id), user), 403)
    assert count(AgreementDocument) == 1 and len(stored_files()) == 1


def test_anonymous_callers_get_401(api, make, org, agreement):
    document = make.agreement_document(agreement, org.admin)
    assert_error(api.get(path(agreement.id)), 401)
    assert_error(api.get(path(agreement.id, document.id)), 401)
    assert_error(upload(api, None, agreement.id), 401)
    assert_error(api.delete(path(agreement.id, document.id)), 401)


@pytest.mark.parametrize(("content", "name", "status"), [
    (b"<html><script>alert(1)</script></html>", "annex.pdf", 415),
    (b"", "empty.pdf", 422),
])
def test_a_refused_file_leaves_nothing(api, org, agreement, stored_files, content, name,
                                       status):
    error = assert_error(upload(api, org.admin, agreement.id, content, name), status)
    if status == 422:
        assert "empty" in error["fields"]["file"][0]
    assert count(AgreementDocument) == 0 and stored_files() == []


def test_a_file_over_the_limit_answers_413(app, api, org, agreement, stored_files,
                                            monkeypatch):
    monkeypatch.setitem(app.config, "MAX_DOCUMENT_SIZE", 1000)
    assert_error(upload(api, org.admin, agreement.id, PDF + b"0" * 2000), 413)
    assert count(AgreementDocument) == 0 and stored_files() == []


def test_a_missing_file_an_unknown_field_or_no_multipart_is_refused(api, org, agreement):
    error = assert_error(upload(api, org.admin, agreement.id, content=None), 422)
    assert "file" in error["fields"]
    error = assert_error(upload(api, org.admin, agreement.id, kind="cv"), 422)
    assert error["fields"] == {"kind": ["Unknown field."]}
    assert_error(api.post(path(agreement.id), org.admin, json={"file": "x"}), 415)
    assert count(AgreementDocument) == 0


def test_unknown_ids_and_another_agreement_s_document_answer_404(api, make, org, agreement):
    other = make.agreement([org.unit, org.partner], reference="OTHER-1")
    theirs = make.agreement_document(other, org.admin)
    for url in (path(agreement.id, theirs.id), path(agreement.id, 999999),
                path(999999, theirs.id), path(999999)):
        assert_error(api.get(url, org.admin), 404)
    assert_error(api.delete(path(agreement.id, theirs.id), org.admin), 404)
    # Not visible comes before not allowed.
    assert_error(api.delete(path(999999, theirs.id), org.researcher), 404)
    assert_error(upload(api, org.researcher, 999999), 404)
    assert count(AgreementDocument) == 1


def test_a_session_upload_needs_its_csrf_token(client, api, org, agreement):
    from tests.conftest import sign_in

    sign_in(client, org.admin)
    data = {"file": (io.BytesIO(PDF), "annex.pdf")}
    assert_error(client.post(path(agreement.id), data=data, content_type="multipart/form-data"),
                 400)
    token = csrf_token(client, "/auth/password")
    response = client.post(path(agreement.id), data={"file": (io.BytesIO(PDF), "annex.pdf")},
                           content_type="multipart/form-data", headers={"X-CSRFToken": token})
    assert response.status_code == 201
