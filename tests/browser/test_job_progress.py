"""A background export in a real browser: the list's XLSX becomes a job, its page shows the
progress bar while no worker has taken it, follows the job by itself once a worker (on the
real Redis) has built the file, and offers the download."""

import io
import re

import pytest
from openpyxl import load_workbook

from tests.browser.test_review_journey import sign_in
from tests.jobs.conftest import queue  # noqa: F401  (a queue of this test's own on Redis)

pytestmark = pytest.mark.browser


def test_the_job_page_follows_the_worker_up_to_the_download(page, make, app, queue,
                                                            monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_JOB_ROWS", 1)
    admin = make.user(roles=("admin",), full_name="Alice Admin")
    references = sorted(make.application(status="submitted").reference for _ in range(3))
    sign_in(page, admin)
    page.goto("/reports/applications")
    page.get_by_role("link", name="Export XLSX").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))

    bar = page.get_by_role("progressbar")
    assert bar.is_visible()
    assert "Waiting for a worker" in page.locator("main").inner_text()
    assert page.get_by_role("link", name=re.compile("^Download")).count() == 0
    assert queue.waiting() == 1

    # The worker builds the file while the page is open; the page notices by itself.
    assert queue.work()
    download_link = page.get_by_role("link", name=re.compile("^Download applications-"))
    download_link.wait_for(timeout=15_000)
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "100"
    assert "3 rows exported." in page.locator("main").inner_text()

    with page.expect_download() as download:
        download_link.click()
    with open(download.value.path(), "rb") as handle:
        rows = list(load_workbook(io.BytesIO(handle.read()), read_only=True).active.values)
    assert sorted(row[0] for row in rows[1:]) == references
