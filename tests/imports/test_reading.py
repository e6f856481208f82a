"""Bad files are refused as a whole, with a sentence, before any row is checked."""

import io

import pytest
from openpyxl import Workbook

from tests.imports.conftest import csv_file
from tracker.imports.reading import BadFile, check_size, read_rows


def _rows(stream, extension="csv", kind="people"):
    return list(read_rows(stream, extension, kind))


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_semicolons_french_labels_and_a_byte_order_mark():
    text = "\ufeffAdresse électronique;Nom complet;Nationalité\nada@example.org;Ada;FR\n"
    assert _rows(csv_file(text)) == [
        (2, {"email": "ada@example.org", "full_name": "Ada", "nationality": "FR"})]


def test_commas_english_labels_codes_and_empty_rows_skipped():
    text = "Email address,full_name,NATIONALITY,Unknown\n,,,\nada@example.org,Ada,FR,x\n"
    assert _rows(csv_file(text)) == [
        (3, {"email": "ada@example.org", "full_name": "Ada", "nationality": "FR"})]


def test_the_exports_apostrophe_is_taken_off():
    text = "email,full_name,nationality\nada@example.org,'=Ada,FR\n"
    assert _rows(csv_file(text))[0][1]["full_name"] == "=Ada"


@pytest.mark.parametrize(("stream", "extension", "message"), [
    (io.BytesIO(b"%PDF-1.7 \x00\x01"), "csv", "not a spreadsheet"),
    (io.BytesIO(b"PK not really a zip"), "xlsx", "not a spreadsheet"),
    (io.BytesIO(b"email,full_name,nationality\n"), "pdf", "not a spreadsheet"),
    (io.BytesIO(b""), "csv", "empty"),
    (io.BytesIO("email,full_name,nationality\nzoé@example.org,Zoé,FR\n".encode("latin-1")),
     "csv", "UTF-8"),
    (io.BytesIO(b"email,full_name\nada@example.org,Ada\n"), "csv", "Nationality (nationality)"),
    (io.BytesIO(b"email,full_name,nationality\nada@example.org,=1+1,FR\n"), "csv", "formula"),
])
def test_bad_files_are_refused_with_a_sentence(stream, extension, message):
    with pytest.raises(BadFile) as refusal:
        _rows(stream, extension)
    assert message in str(refusal.value.message)
    assert refusal.value.status == 422 and "file" in refusal.value.fields


def test_an_xlsx_is_read_with_its_days_and_numbers():
    stream = _xlsx([["name", "direction", "opens_on", "closes_on", "budget"],
                    ["Call", "outgoing", __import__("datetime").date(2026, 1, 2),
                     "2026-12-31", 1500.5]])
    assert _rows(stream, "xlsx", "programmes") == [(2, {
        "name": "Call", "direction": "outgoing", "opens_on": "2026-01-02",
        "closes_on": "2026-12-31", "budget": "1500.5"})]


def test_an_xlsx_formula_cell_is_refused():
    stream = _xlsx([["email", "full_name", "nationality"], ["a@example.org", "=A1", "FR"]])
    with pytest.raises(BadFile) as refusal:
        _rows(stream, "xlsx")
    assert "Row 2, column B holds a formula" in str(refusal.value.message)


def test_a_file_over_the_limit_or_empty_is_refused():
    with pytest.raises(BadFile) as refusal:
        check_size(io.BytesIO(b"x" * 101), 100)
    assert "larger than" in str(refusal.value.message)
    with pytest.raises(BadFile):
        check_size(io.BytesIO(b""), 100)
    stream = io.BytesIO(b"x" * 100)
    check_size(stream, 100)
    assert stream.tell() == 0
