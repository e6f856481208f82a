"""The import page: upload, read the dry run and its error report, confirm; and the
tracker's own exports imported back into a tracker without applications."""

import csv
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.conftest import csrf_token
from tracker.applications.models import Application, CostItem, Event
from tracker.core.storage import storage as file_store
from tracker.directory.models import Laboratory
from tracker.extensions import db
from tracker.imports import storage

LABS = "name;acronym;kind;country\nLaboratoire X;LX;unit;FR\nBad;BD;unit;DE\n"


def _upload(client, text, kind="laboratories", name="labs.csv"):
    return client.post("/admin/import", data={
        "csrf_token": csrf_token(client, "/admin/import"), "kind": kind,
        "file": (io.BytesIO(text if isinstance(text, bytes) else text.encode()), name),
    }, content_type="multipart/form-data")


def _admin(make, login):
    admin = make.user(roles=("admin",))
    login(admin)
    return admin


def test_upload_preview_report_then_confirm(client, make, login):
    admin = _admin(make, login)
    response = _upload(client, LABS)
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    page = preview.get_data(as_text=True)
    assert 'id="count-created">1<' in page and 'id="count-refused">1<' in page
    assert "Nothing is written" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Laboratory)) == 0
    report = client.get(response.headers["Location"] + "/report.csv")
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["row", "column", "reason"]
    assert rows[1][:2] == ["3", "Country (country)"] and "France" in rows[1][2]
    confirmed = client.post(response.headers["Location"] + "/confirm",
                            data={"csrf_token": csrf_token(client, "/admin/import")})
    assert confirmed.status_code == 302
    assert "The valid rows are written" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    [laboratory] = db.session.scalars(sa.select(Laboratory)).all()
    assert laboratory.acronym == "LX"
    # The uploaded file is gone: its rows live in the database now; the report stays.
    token = response.headers["Location"].rsplit("/", 1)[1]
    with client.application.test_request_context():
        assert not file_store().exists(storage.key_of(token, ".csv"))
        assert file_store().exists(storage.key_of(token, "-report.csv"))
    # A second confirmation writes nothing more.
    client.post(response.headers["Location"] + "/confirm",
                data={"csrf_token": csrf_token(client, "/admin/import")})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Laboratory)) == 1
    assert admin.id


def test_bad_files_answer_the_form_with_a_message(app, client, make, login):
    _admin(make, login)
    cases = [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png", "not a spreadsheet"),
        (b"", "empty.csv", "The file is empty"),
        (b"name;acronym\nX;Y\n", "labs.csv", "Required columns are missing"),
        ("name;acronym;kind;country\nÉcole;E;unit;FR\n".encode("latin-1"), "labs.csv",
         "UTF-8"),
        (b"name;acronym;kind;country\n=1+1;E;unit;FR\n", "labs.csv", "formula"),
        (b"name;acronym;kind;country\n", "labs.csv", "no rows"),
    ]
    for body, name, message in cases:
        response = _upload(client, body, name=name)
        assert response.status_code == 422, name
        assert message in response.get_data(as_text=True), name
    app.config["IMPORT_MAX_BYTES"] = 10
    try:
        response = _upload(client, LABS)
    finally:
        app.config["IMPORT_MAX_BYTES"] = 10 * 1000 * 1000
    assert response.status_code == 422 and "larger than" in response.get_data(as_text=True)


def test_templates_name_every_column(client, make, login):
    _admin(make, login)
    text = client.get("/admin/import/templates/people.csv").get_data(as_text=True)
    assert text.lstrip("\ufeff").splitlines()[0].startswith("email,full_name,nationality")
    workbook = load_workbook(io.BytesIO(client.get(
        "/admin/import/templates/applications.xlsx").data))
    assert workbook.worksheets[0]["A1"].value == "reference"


def _export(client):
    return client.get("/reports/applications.csv?columns=codes&sort=reference").data


def _comparable(body):
    rows = list(csv.reader(io.StringIO(body.decode().lstrip("\ufeff"))))
    # Everything but the time each row was created.
    return [row[:-1] for row in rows]


def _past_applications(make):
    """Stays of every kind of status, with cost items and a mission on the unit's funds."""
    unit = make.lab("unit", acronym="UNIT")
    partner = make.lab("partner", acronym="PART")
    researcher = make.user(email="r@example.org", lab=unit)
    programme = make.programme("outgoing", name="Call")
    past = date.today() - timedelta(days=400)
    for index, status in enumerate(("completed", "approved", "submitted", "draft",
                                    "rejected")):
        application = make.application(
            applicant=researcher, host=partner, programme=programme, status=status,
            start_date=past + timedelta(days=40 * index),
            end_date=past + timedelta(days=40 * index + 9),
            awarded_amount=Decimal("900.00") if status in ("completed", "approved") else None)
        db.session.add(CostItem(application_id=application.id, position=0, kind="travel",
                                description="", amount=Decimal("1500.00")))
    mission = make.application(applicant=researcher, host=partner, programme=programme,
                               status="approved", start_date=past,
                               end_date=past + timedelta(days=3),
                               awarded_amount=Decimal("1500.00"))
    mission.funding, mission.programme = "unit", None  # a mission on the unit's funds
    mission.submitted_at = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    db.session.commit()


def _without_applications():
    db.session.execute(sa.delete(Event))
    db.session.execute(sa.delete(CostItem))
    db.session.execute(sa.delete(Application))
    db.session.commit()


@pytest.mark.parametrize(("path", "name"), [
    ("/reports/applications.csv?columns=codes", "applications.csv"),
    ("/reports/applications.csv?excel=fr", "applications.csv"),
    ("/reports/applications.xlsx", "applications.xlsx"),
])
def test_an_export_imports_back_into_a_tracker_without_applications(client, make, login,
                                                                    path, name):
    _admin(make, login)
    _past_applications(make)
    exported = _export(client)
    body = client.get(path).data
    _without_applications()
    response = _upload(client, body, kind="applications", name=name)
    assert response.status_code == 302
    client.post(response.headers["Location"] + "/confirm",
                data={"csrf_token": csrf_token(client, "/admin/import")})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 6
    assert _comparable(_export(client)) == _comparable(exported)


def test_confirming_an_upload_that_is_gone_says_so(client, make, login):
    _admin(make, login)
    response = _upload(client, LABS)
    token = response.headers["Location"].rsplit("/", 1)[1]
    with client.application.test_request_context():
        # The daily retention removed the upload before anyone confirmed it.
        file_store().delete(storage.key_of(token, ".csv"))
    confirmed = client.post(response.headers["Location"] + "/confirm",
                            data={"csrf_token": csrf_token(client, "/admin/import")})
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"].endswith("/admin/import")
    page = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert "The uploaded file is no longer kept" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Laboratory)) == 0
