"""CSV and XLSX exports of a filtered list, streamed so memory stays flat at any size.

Rows come from a server-side cursor (``yield_per``) as plain tuples, never ORM objects.
Every text cell that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab,
carriage return first) is prefixed with an apostrophe: a title such as
``=HYPERLINK("http://evil", "click")`` stays text (OWASP, CSV injection).
"""

import csv
import io
import tempfile
from datetime import date, datetime
from decimal import Decimal

from flask import Response, stream_with_context
from flask_babel import gettext as _

from tracker.extensions import db
from tracker.reports.queries import EXPORT_COLUMNS

CHUNK_ROWS = 2000
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel's last row; an export larger than that would be cut by Excel anyway.
XLSX_MAX_ROWS = 1_048_575


def neutralise(value):
    """``value`` made safe for a spreadsheet cell; numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _cells(row):
    (reference, title, status, direction, programme, applicant, email, home, host, country,
     purpose, start, end, requested, awarded, submitted, created) = row
    return [reference, title, status, direction, programme, applicant, email, home, host,
            country, purpose, start, end, (end - start).days + 1, requested, awarded,
            submitted, created]


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, (date, Decimal)):
        return str(value)
    return neutralise(str(value))


def _stream_rows(query):
    result = db.session.execute(query.execution_options(yield_per=CHUNK_ROWS))
    try:
        for partition in result.partitions():
            yield partition
    finally:
        result.close()


def _filename(extension):
    return f"applications-{date.today().isoformat()}.{extension}"


def csv_response(query):
    """A streamed CSV of ``query``'s rows (UTF-8 with a BOM, so spreadsheets read accents)."""

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(EXPORT_COLUMNS)
        for partition in _stream_rows(query):
            for row in partition:
                writer.writerow([_text(value) for value in _cells(row)])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def xlsx_response(query):
    """An XLSX of ``query``'s rows, built in openpyxl's write-only mode (rows go to a
    temporary file, not memory) and sent in chunks."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    def generate():
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Applications"))
        sheet.append(list(EXPORT_COLUMNS))
        written = 0
        for partition in _stream_rows(query):
            for row in partition:
                if written >= XLSX_MAX_ROWS:
                    break
                cells = []
                for value in _cells(row):
                    if isinstance(value, str):
                        # Set as a string cell explicitly: openpyxl would store a string
                        # beginning with "=" as a formula.
                        cell = WriteOnlyCell(sheet, value=neutralise(value))
                        cell.data_type = "s"
                        cells.append(cell)
                    elif isinstance(value, datetime):
                        cells.append(value.replace(tzinfo=None))
                    else:
                        cells.append(value)
                sheet.append(cells)
                written += 1
        with tempfile.TemporaryFile() as handle:
            workbook.save(handle)
            handle.seek(0)
            while chunk := handle.read(256 * 1024):
                yield chunk

    response = Response(
        stream_with_context(generate()),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    response.headers["Cache-Control"] = "no-store"
    return response
