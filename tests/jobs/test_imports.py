"""The confirmation of a large import as a job, and of one whose upload is gone."""

import io
import re

import sqlalchemy as sa

from tests.conftest import csrf_token
from tracker.directory.models import Laboratory
from tracker.extensions import db
from tracker.jobs.models import Job

LABS = ("name;acronym;kind;country\nLaboratoire X;LX;unit;FR\nLaboratoire Y;LY;unit;FR\n"
        "Bad;BD;unit;DE\n")


def _upload(client):
    response = client.post("/admin/import", data={
        "csrf_token": csrf_token(client, "/admin/import"), "kind": "laboratories",
        "file": (io.BytesIO(LABS.encode()), "labs.csv"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    return response.headers["Location"]


def _confirm(client, page):
    return client.post(page + "/confirm",
                       data={"csrf_token": csrf_token(client, "/admin/import")})


def _laboratories():
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Laboratory))


def test_a_large_import_is_written_by_a_worker(app, client, make, login, queue, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 2)
    login(make.user(roles=("admin",)))
    page = _upload(client)
    started = _confirm(client, page)
    job_id = int(re.search(r"/jobs/(\d+)$", started.headers["Location"]).group(1))
    assert _laboratories() == 0
    # Confirming again while the job waits starts nothing more.
    assert _confirm(client, page).headers["Location"].endswith(page)
    assert queue.waiting() == 1
    assert "being written by a background job" in client.get(page).get_data(as_text=True)

    queue.work()
    assert _laboratories() == 2
    job = db.session.get(Job, job_id)
    assert job.status == "done" and job.done == job.total == 3
    assert job.message == "2 rows created, 0 updated, 0 unchanged, 1 refused."
    shown = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert f'href="{page}"' in shown
    assert "The valid rows are written" in client.get(page).get_data(as_text=True)


def test_a_small_import_is_written_within_the_request(app, client, make, login, queue):
    login(make.user(roles=("admin",)))
    page = _upload(client)
    assert _confirm(client, page).headers["Location"].endswith(page)
    assert _laboratories() == 2 and queue.waiting() == 0


def test_a_job_whose_upload_is_gone_fails_with_the_reason(app, client, make, login, queue,
                                                          monkeypatch):
    from tracker.core.storage import storage as file_store
    from tracker.imports import storage

    monkeypatch.setitem(app.config, "IMPORT_JOB_ROWS", 2)
    login(make.user(roles=("admin",)))
    page = _upload(client)
    token = page.rsplit("/", 1)[1]
    job_id = int(re.search(r"/jobs/(\d+)$", _confirm(client, page).headers["Location"]).group(1))
    file_store().delete(storage.key_of(token, ".csv"))
    queue.work()
    job = db.session.get(Job, job_id)
    assert job.status == "failed" and "no longer kept" in job.message
    assert "no longer kept" in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert _laboratories() == 0
    # The import may be confirmed again (and is told its file is gone).
    assert "being written" not in client.get(page).get_data(as_text=True)
