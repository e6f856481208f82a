"""An upload over the limits answers a page that states the limit, in the reader's way of
writing numbers, and leads back to the application; the API keeps its JSON 413."""

import io

import pytest

from tests.applications.test_documents import PDF_BYTES, upload
from tests.conftest import sign_in

MB = 2**20


@pytest.fixture
def limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_DOCUMENT_SIZE", int(1.5 * MB))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", int(1.6 * MB))


@pytest.mark.parametrize("language,limit", [("en", "1.5 MB"), ("fr", "1,5 Mo")])
def test_a_request_over_the_limit_states_it_and_leads_back(client, make, limits, language,
                                                          limit):
    draft = make.application(status="draft")
    sign_in(client, draft.applicant)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = upload(client, draft.id, PDF_BYTES + b"0" * (2 * MB))
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert limit in html
    assert f'href="/applications/{draft.id}"' in html


def test_a_file_over_the_document_limit_states_it_too(client, make, limits):
    draft = make.application(status="draft")
    sign_in(client, draft.applicant)
    response = upload(client, draft.id, PDF_BYTES + b"0" * int(1.55 * MB))
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "1.5 MB" in html and f'href="/applications/{draft.id}"' in html


def test_elsewhere_the_page_leads_back_where_the_person_came_from(client, make, limits):
    user = make.user()
    sign_in(client, user)
    response = client.post("/auth/login", data={"x": "0" * (2 * MB)},
                           headers={"Referer": "http://localhost/applications/"})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "1.5 MB" in html and 'href="/applications/"' in html


def test_the_api_keeps_its_json_413(client, make, limits):
    draft = make.application(status="draft")
    sign_in(client, draft.applicant)
    response = client.post(f"/api/v1/applications/{draft.id}/documents",
                           data={"file": (io.BytesIO(b"0" * (2 * MB)), "big.pdf"), "kind": "cv"},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
