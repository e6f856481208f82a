"""A person's copy of their data: the ZIP of "My data" and GET /api/v1/me/export."""

import io
import json
import zipfile

import sqlalchemy as sa

from tests.conftest import sign_in
from tests.privacy.conftest import (
    COMMENT, DOCUMENT, DOCUMENT_NAME, NAME, OPINION, TITLE, TOKEN_NAME,
)
from tracker.audit.models import AuditEntry
from tracker.auth.tokens import issue_token
from tracker.core.storage import storage
from tracker.extensions import db


def _zip(client):
    response = client.get("/account/data.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_zip_holds_the_index_and_the_documents_files(app, traveller):
    client = app.test_client()
    sign_in(client, traveller.person)
    archive = _zip(client)
    index = json.loads(archive.read("index.json"))
    assert index["profile"]["full_name"] == NAME
    assert index["profile"]["roles"] == ["researcher", "director"]
    assert [row["title"] for row in index["applications"]] == [TITLE]
    assert COMMENT in [event["comment"] for event in index["events"]]
    assert [opinion["comment"] for opinion in index["opinions"]] == [OPINION]
    document = index["documents"][0]
    assert document["original_name"] == DOCUMENT_NAME
    assert archive.read(document["file"]) == DOCUMENT
    assert [token["name"] for token in index["api_tokens"]] == [TOKEN_NAME]
    assert index["delegations"][0]["stand_in"] == NAME


def test_the_copy_holds_no_secret_and_nobody_else_s_applications(app, traveller):
    client = app.test_client()
    sign_in(client, traveller.person)
    text = _zip(client).read("index.json").decode()
    assert traveller.person.password_hash not in text
    assert traveller.person.session_token not in text
    assert traveller.person.calendar_feed.token not in text
    assert "token_hash" not in text
    assert "Director's own stay" not in text


def test_a_file_missing_from_the_store_is_said_missing(app, traveller):
    storage().delete(traveller.application.documents[0].stored_name)
    client = app.test_client()
    sign_in(client, traveller.person)
    archive = _zip(client)
    assert json.loads(archive.read("index.json"))["documents"][0]["file"] is None
    assert archive.namelist() == ["index.json"]


def test_every_export_is_audited(app, traveller):
    client = app.test_client()
    sign_in(client, traveller.person)
    _zip(client)
    token, _ = issue_token(traveller.person, "script")
    db.session.commit()
    response = app.test_client().get("/api/v1/me/export", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert [(entry.actor_id, entry.subject_id) for entry in entries] == [
        (traveller.person.id, str(traveller.person.id))] * 2


def test_the_api_gives_the_same_data_as_json(app, traveller):
    client = app.test_client()
    sign_in(client, traveller.person)
    data = client.get("/api/v1/me/export").get_json()
    assert data["profile"]["email"] == traveller.person.email
    assert data["documents"][0]["file"].startswith("documents/")
    assert set(data) == {"profile", "applications", "events", "opinions", "amendments",
                         "documents", "notifications", "delegations", "audit", "api_tokens"}


def test_the_api_refuses_the_anonymous_in_its_error_format(client):
    response = client.get("/api/v1/me/export")
    assert response.status_code == 401
    assert response.get_json()["error"]["status"] == 401


def test_the_page_offers_the_download_and_the_menu_links_it(app, traveller):
    client = app.test_client()
    sign_in(client, traveller.director)
    page = client.get("/account/data")
    assert b'href="/account/data.zip"' in page.data
    assert b'href="/account/data"' in client.get("/").data
    # The director's copy is theirs: not the traveller's application.
    index = json.loads(_zip(client).read("index.json"))
    assert index["profile"]["full_name"] == "Dana Director"
    assert TITLE not in json.dumps(index["applications"])
