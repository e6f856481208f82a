"""An import in a real browser: the administrator uploads a file with an error, reads the
error report, fixes the row and imports the file."""

import csv
import io

import pytest
import sqlalchemy as sa

from tests.browser.test_review_journey import sign_in
from tracker.directory.models import Laboratory
from tracker.extensions import db

pytestmark = pytest.mark.browser

WITH_AN_ERROR = ("name;acronym;kind;country;city\n"
                 "Laboratoire de physique;LPX;unit;FR;Lyon\n"
                 "Kyoto Lab;KU;partner;XX;Kyoto\n")


def _upload(page, path):
    page.get_by_label("What the file holds").select_option("laboratories")
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()


def test_upload_read_the_report_fix_and_import(page, make, tmp_path):
    admin = make.user(roles=("admin",), full_name="Alice Admin")
    sign_in(page, admin)
    page.wait_for_load_state("load")
    navigation = page.get_by_role("navigation", name="Main")
    navigation.get_by_role("button", name="Directory").click()
    navigation.get_by_role("link", name="Import from a file").click()

    path = tmp_path / "laboratories.csv"
    path.write_text(WITH_AN_ERROR, encoding="utf-8")
    _upload(page, path)
    assert page.locator("#count-created").inner_text() == "1"
    assert page.locator("#count-refused").inner_text() == "1"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the error report").click()
    report = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(report)))
    assert rows[1][:2] == ["3", "Country (country)"] and "Unknown country XX" in rows[1][2]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Laboratory)) == 0

    path.write_text(WITH_AN_ERROR.replace(";XX;", ";JP;"), encoding="utf-8")
    page.get_by_role("link", name="Check another file").click()
    _upload(page, path)
    assert page.locator("#count-created").inner_text() == "2"
    assert page.locator("#count-refused").inner_text() == "0"
    page.get_by_role("button", name="Import the valid rows").click()
    assert "The valid rows are written." in page.locator("main").inner_text()
    assert sorted(db.session.scalars(sa.select(Laboratory.acronym))) == ["KU", "LPX"]
