"""POST /api/v1/applications/{id}/documents and GET .../documents/{doc_id}.

Real files in the test upload folder: every refusal must leave no file and no row behind.
"""

import hashlib
import io
import os

import pytest

from tests.api.conftest import ROLE_NAMES, assert_error, count
from tests.conftest import csrf_token
from tracker.applications.models import Document, Event

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def files_on_disk(app):
    """A function listing the stored files (temporary ones included)."""

    def listing():
        folder = app.config["UPLOAD_FOLDER"]
        return set(os.listdir(folder)) if os.path.isdir(folder) else set()

    return listing


@pytest.fixture
def draft(make, org):
    return make.application(applicant=org.researcher, host=org.partner)


def upload(api, user, application, content=PDF, name="cv.pdf", kind="cv", **extra):
    data = {**extra}
    if kind is not None:
        data["kind"] = kind
    if content is not None:
        data["file"] = (io.BytesIO(content), name)
    return api.post(f"/api/v1/applications/{application.id}/documents", user, data=data,
                    content_type="multipart/form-data")


def assert_nothing_stored(files_on_disk, before):
    assert files_on_disk() == before
    assert count(Document) == 0


# Uploading ----------------------------------------------------------------------------------
# The application is a draft: its reviewing director does not see it yet (404).
UPLOAD_BY_ROLE = {"researcher": 201, "other_researcher": 404, "director": 404,
                  "other_director": 404, "admin": 403}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_upload_by_role(api, org, draft, files_on_disk, role):
    before = files_on_disk()
    response = upload(api, getattr(org, role), draft, name="Curriculum vitæ.pdf")
    expected = UPLOAD_BY_ROLE[role]
    if expected != 201:
        assert_error(response, expected)
        assert_nothing_stored(files_on_disk, before)
        return
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body == {
        "id": body["id"], "kind": "cv", "original_name": "Curriculum vitæ.pdf",
        "content_type": "application/pdf", "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(), "uploaded_by": org.researcher.id,
        "created_at": body["created_at"],
    }
    assert response.headers["Location"].endswith(
        f"/api/v1/applications/{draft.id}/documents/{body['id']}")
    assert len(files_on_disk() - before) == 1
    assert count(Document) == 1 and count(Event) == 1  # the "upload" event


def test_anonymous_cannot_upload(api, draft, files_on_disk):
    before = files_on_disk()
    assert_error(upload(api, None, draft), 401, "not_authenticated")
    assert_nothing_stored(files_on_disk, before)


def test_too_large_is_413_and_leaves_nothing(app, api, org, draft, files_on_disk, monkeypatch):
    before = files_on_disk()
    monkeypatch.setitem(app.config, "MAX_DOCUMENT_SIZE", 1024)
    response = upload(api, org.researcher, draft, content=PDF + b"0" * 2000)
    assert_error(response, 413, "too_large")
    assert_nothing_stored(files_on_disk, before)


def test_request_beyond_the_request_limit_is_413(app, api, org, draft, files_on_disk,
                                                 monkeypatch):
    before = files_on_disk()
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = upload(api, org.researcher, draft, content=PDF + b"0" * 8192)
    assert_error(response, 413, "too_large")
    assert_nothing_stored(files_on_disk, before)


@pytest.mark.parametrize("content", [
    b"<html><script>alert(1)</script></html>",  # a web page named .pdf
    b"MZ\x90\x00 not a pdf at all",
    b"PK\x03\x04 a zip that is not an office document",
])
def test_wrong_content_with_a_pdf_name_is_415(api, org, draft, files_on_disk, content):
    before = files_on_disk()
    error = assert_error(upload(api, org.researcher, draft, content=content, name="cv.pdf"),
                         415, "unsupported_media_type")
    assert "PDF" in error["message"]
    assert_nothing_stored(files_on_disk, before)


@pytest.mark.parametrize("changes, field", [
    ({"kind": None}, "kind"),
    ({"kind": "passport"}, "kind"),
    ({"content": None}, "file"),
    ({"content": b""}, "file"),
    ({"colour": "blue"}, "colour"),
])
def test_invalid_uploads_are_422(api, org, draft, files_on_disk, changes, field):
    before = files_on_disk()
    error = assert_error(upload(api, org.researcher, draft, **changes), 422, "invalid")
    assert field in error["fields"]
    assert_nothing_stored(files_on_disk, before)


def test_a_second_file_field_is_refused(api, org, draft, files_on_disk):
    before = files_on_disk()
    response = api.post(f"/api/v1/applications/{draft.id}/documents", org.researcher, data={
        "kind": "cv", "file": (io.BytesIO(PDF), "a.pdf"), "other": (io.BytesIO(PDF), "b.pdf"),
    }, content_type="multipart/form-data")
    assert "other" in assert_error(response, 422)["fields"]
    assert_nothing_stored(files_on_disk, before)


def test_upload_must_be_multipart(api, org, draft):
    path = f"/api/v1/applications/{draft.id}/documents"
    assert_error(api.post(path, org.researcher, json={"kind": "cv", "file": "JVBERi0="}), 415)


def test_wrong_state_is_409(api, make, org, files_on_disk):
    before = files_on_disk()
    submitted = make.application(applicant=org.researcher, host=org.partner, status="submitted")
    assert_error(upload(api, org.researcher, submitted), 409, "invalid_transition")
    # Once approved, only the report may be attached.
    approved = make.application(applicant=org.researcher, host=org.partner, status="approved")
    assert_error(upload(api, org.researcher, approved, kind="cv"), 409)
    assert_nothing_stored(files_on_disk, before)
    report = upload(api, org.researcher, approved, kind="report", content=PNG, name="r.png")
    assert report.status_code == 201 and report.get_json()["content_type"] == "image/png"


def test_error_order_403_before_409_before_422(api, make, org, draft):
    submitted = make.application(applicant=org.researcher, host=org.partner, status="submitted")
    # The director may never attach: 403, whatever else is wrong.
    assert_error(upload(api, org.director, submitted, kind="passport", content=None), 403)
    # The applicant, in a state where nothing may be attached: 409 before the bad values.
    assert_error(upload(api, org.researcher, submitted, kind="passport", content=None), 409)
    assert_error(upload(api, org.researcher, draft, kind="passport", content=None), 422)


def test_session_upload_needs_the_csrf_token(client, login, org, draft, files_on_disk):
    before = files_on_disk()
    login(org.researcher)
    path = f"/api/v1/applications/{draft.id}/documents"
    response = client.post(path, data={"kind": "cv", "file": (io.BytesIO(PDF), "cv.pdf")})
    assert_error(response, 400)
    assert_nothing_stored(files_on_disk, before)
    token = csrf_token(client, "/auth/password")
    response = client.post(path, data={"kind": "cv", "file": (io.BytesIO(PDF), "cv.pdf")},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201


# Downloading --------------------------------------------------------------------------------
DOWNLOAD_BY_ROLE = {"researcher": 200, "other_researcher": 404, "director": 404,
                    "other_director": 404, "admin": 200}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_download_by_role(api, make, org, draft, role):
    document = make.document(draft, name="Lettre d'invitation.pdf", content=PDF)
    response = api.get(f"/api/v1/applications/{draft.id}/documents/{document.id}",
                       getattr(org, role))
    if DOWNLOAD_BY_ROLE[role] == 404:
        assert_error(response, 404, "not_found")
        return
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]


def test_anonymous_cannot_download(api, make, draft):
    document = make.document(draft)
    assert_error(api.get(f"/api/v1/applications/{draft.id}/documents/{document.id}"), 401)


def test_download_only_through_its_own_application(api, make, org, draft):
    document = make.document(draft)
    mine_too = make.application(applicant=org.researcher, host=org.partner)
    for path in (f"/api/v1/applications/{mine_too.id}/documents/{document.id}",
                 f"/api/v1/applications/{draft.id}/documents/999999",
                 f"/api/v1/applications/{draft.id}/documents/{2**31}",
                 f"/api/v1/applications/999999/documents/{document.id}"):
        assert_error(api.get(path, org.researcher), 404)


def test_upload_then_download_round_trip(api, org, draft):
    created = upload(api, org.researcher, draft, content=PNG, name="../../etc/photo.png",
                     kind="other")
    assert created.status_code == 201
    assert created.get_json()["original_name"] == "photo.png"
    response = api.get(created.headers["Location"], org.admin)
    assert response.status_code == 200 and response.data == PNG
    assert response.mimetype == "image/png"
    events = api.get(f"/api/v1/applications/{draft.id}/events", org.researcher).get_json()
    assert [event["action"] for event in events["items"]] == ["upload"]


def test_a_disk_that_refuses_writes_is_a_json_503(app, api, org, draft, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("where the upload folder should be")
    folder = app.config["UPLOAD_FOLDER"]
    app.config["UPLOAD_FOLDER"] = str(blocker / "uploads")
    try:
        response = upload(api, org.researcher, draft)
    finally:
        app.config["UPLOAD_FOLDER"] = folder
    assert_error(response, 503, "service_unavailable")
    events = api.get(f"/api/v1/applications/{draft.id}/events", org.researcher).get_json()
    assert events["items"] == []
