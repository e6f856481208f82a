"""Exports built by a worker: the list's XLSX of any size and the CSV asked for in the
background, with the list's visibility, progress, and a download once done."""

import csv
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.conftest import sign_in
from tracker.extensions import db
from tracker.jobs.models import Job


def _job_of(response):
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    match = re.search(r"/jobs/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def _fresh(job_id):
    db.session.expire_all()
    return db.session.get(Job, job_id)


@pytest.fixture
def small_threshold(app, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_JOB_ROWS", 1)


def test_a_large_xlsx_is_queued_then_built_by_a_worker(client, login, org, apps, queue,
                                                        small_threshold):
    login(org["admin"])
    job_id = _job_of(client.get("/reports/applications.xlsx?sort=reference"))
    assert queue.waiting() == 1
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Waiting for a worker" in page
    assert 'role="progressbar"' in page and "/static/js/job_progress.js" in page
    status = client.get(f"/jobs/{job_id}/status").get_json()
    assert status["status"] == "queued" and status["download_url"] is None
    # Not done yet: nothing to download.
    assert client.get(f"/jobs/{job_id}/download").status_code == 409

    references = sorted(a.reference for a in apps.values())
    assert queue.work()  # the worker ends its session: the fixtures' rows are read again
    job = _fresh(job_id)
    assert job.status == "done" and job.done == job.total == 5
    status = client.get(f"/jobs/{job_id}/status").get_json()
    assert status["finished"] and status["percent"] == 100
    assert status["download_url"] == f"/jobs/{job_id}/download"
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert 'aria-valuenow="100"' in page and "5 rows exported." in page
    assert f'href="/jobs/{job_id}/download"' in page

    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(download.data), read_only=True).active
    rows = list(sheet.values)
    assert rows[0][0] == "Reference" and len(rows) == 6
    assert sorted(row[0] for row in rows[1:]) == references


def test_the_worker_keeps_to_what_the_owner_sees(client, login, org, apps, queue,
                                                 small_threshold):
    login(org["director_a"])
    job_id = _job_of(client.get("/reports/applications.xlsx"))
    queue.work()
    rows = list(load_workbook(io.BytesIO(client.get(f"/jobs/{job_id}/download").data),
                              read_only=True).active.values)
    titles = {row[1] for row in rows[1:]}
    assert "Secret of unit B" not in titles
    assert {"Quantum optics in Boston", "Visiting unit A"} <= titles


def test_the_export_is_written_in_the_owners_language(client, login, org, apps, queue,
                                                      small_threshold):
    org["admin"].locale = "fr"
    db.session.commit()
    login(org["admin"])
    job_id = _job_of(client.get("/reports/applications.xlsx"))
    queue.work()
    header = next(load_workbook(io.BytesIO(client.get(f"/jobs/{job_id}/download").data),
                                read_only=True).active.values)
    assert header[0] == "Référence"


def test_progress_is_told_as_the_rows_go(client, login, org, apps, queue, small_threshold,
                                         monkeypatch):
    from tracker.jobs import services
    from tracker.reports import exports

    told = []
    write = services._write
    monkeypatch.setattr(services, "_write",
                        lambda job_id, values, wait=True: (told.append(dict(values)),
                                                           write(job_id, values, wait)))
    monkeypatch.setattr(exports, "PROGRESS_ROWS", 2)
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    login(org["admin"])
    _job_of(client.get("/reports/applications.xlsx"))
    queue.work()
    counts = [values["done"] for values in told if "done" in values]
    assert counts[0] == 0 and {2, 4} <= set(counts) and counts[-1] == 5
    assert told[0]["total"] == 5


def test_a_long_xlsx_goes_on_to_another_sheet(client, login, org, apps, queue,
                                             small_threshold, monkeypatch):
    from tracker.reports import exports

    monkeypatch.setattr(exports, "SHEET_ROWS", 3)  # a header and two rows a sheet
    login(org["admin"])
    job_id = _job_of(client.get("/reports/applications.xlsx"))
    queue.work()
    book = load_workbook(io.BytesIO(client.get(f"/jobs/{job_id}/download").data),
                         read_only=True)
    assert book.sheetnames == ["Applications", "Applications 2", "Applications 3"]
    assert sum(len(list(sheet.values)) - 1 for sheet in book.worksheets) == 5


def test_csv_in_the_background(client, login, org, apps, queue, small_threshold):
    login(org["admin"])
    job_id = _job_of(client.get("/reports/applications.csv?background=1&status=approved"))
    approved = sorted([apps["ada_de"].reference, apps["bob_us"].reference])
    queue.work()
    job = _fresh(job_id)
    assert job.status == "done" and job.result_name.endswith(".csv")
    text = client.get(f"/jobs/{job_id}/download").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "Reference"
    assert sorted(row[0] for row in rows[1:]) == approved


def test_a_csv_within_the_threshold_streams_at_once(client, login, org, apps, queue):
    login(org["admin"])
    response = client.get("/reports/applications.csv?background=1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert queue.waiting() == 0


def test_a_small_xlsx_is_built_at_once(client, login, org, apps, queue):
    login(org["admin"])
    response = client.get("/reports/applications.xlsx")
    assert response.status_code == 200
    assert queue.waiting() == 0


def test_only_the_owner_sees_a_job(app, client, login, org, apps, queue, small_threshold):
    login(org["admin"])
    job_id = _job_of(client.get("/reports/applications.xlsx"))
    other = app.test_client()
    sign_in(other, org["director_a"])
    queue.work()
    for path in (f"/jobs/{job_id}", f"/jobs/{job_id}/status", f"/jobs/{job_id}/download"):
        assert other.get(path).status_code == 404, path
    anonymous = app.test_client().get(f"/jobs/{job_id}")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    assert client.get("/jobs/999999").status_code == 404


def test_a_failed_job_shows_its_error_and_no_download(client, login, org, apps, queue,
                                                      small_threshold, monkeypatch):
    from tracker.reports import exports

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "count_rows", broken)
    login(org["admin"])
    job_id = _job_of(client.get("/reports/applications.xlsx"))
    queue.work()
    job = _fresh(job_id)
    assert job.status == "failed" and job.finished_at is not None
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert 'id="job-error"' in page and "recorded in the server's log" in page
    assert "disk full" not in page  # the cause goes to the log, not to the page
    refused = client.get(f"/jobs/{job_id}/download")
    assert refused.status_code == 409
    assert "This job failed" in refused.get_data(as_text=True)
    assert client.get(f"/jobs/{job_id}/status").get_json()["status"] == "failed"


def test_an_unreachable_redis_fails_the_job_not_the_request(client, login, org, apps, app,
                                                            small_threshold, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/15")
    login(org["admin"])
    job_id = _job_of(client.get("/reports/applications.xlsx"))
    assert _fresh(job_id).status == "failed"
    assert client.get(f"/jobs/{job_id}").status_code == 200


def test_without_redis_the_job_runs_within_the_request(client, login, org, apps,
                                                       small_threshold):
    login(org["admin"])
    job_id = _job_of(client.get("/reports/applications.xlsx"))
    job = _fresh(job_id)
    assert job.status == "done" and job.result_key
    assert client.get(f"/jobs/{job_id}/download").status_code == 200


def test_a_removed_file_answers_404(client, login, org, apps, small_threshold):
    from tracker.core.storage import storage

    login(org["admin"])
    job_id = _job_of(client.get("/reports/applications.xlsx"))
    storage().delete(_fresh(job_id).result_key)
    assert client.get(f"/jobs/{job_id}/download").status_code == 404


def test_retention_removes_old_job_files(app, client, login, org, apps, small_threshold):
    import os
    from datetime import date

    login(org["admin"])
    job_id = _job_of(client.get("/reports/applications.xlsx"))
    key = _fresh(job_id).result_key
    path = os.path.join(app.config["UPLOAD_FOLDER"], *key.split("/"))
    old = os.path.getmtime(path) - (app.config["JOB_FILES_DAYS"] + 1) * 86400
    os.utime(path, (old, old))
    result = app.test_cli_runner().invoke(args=["apply-retention", "--today",
                                                date.today().isoformat()])
    assert "1 job file(s) erased" in result.output
    assert not os.path.exists(path)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1


def test_the_page_speaks_the_readers_language(client, login, org, apps, small_threshold):
    org["admin"].locale = "fr"
    db.session.commit()
    login(org["admin"])
    job_id = _job_of(client.get("/reports/applications.xlsx"))
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Export XLSX des candidatures" in page and "Terminée" in page
    assert "5 lignes sur 5" in page and "Télécharger applications-" in page
