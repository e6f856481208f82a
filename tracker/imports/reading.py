"""Reading an import file: CSV (UTF-8, comma or semicolon) or XLSX, one row at a time.

Rows are streamed (``csv`` over a text wrapper, openpyxl in read-only mode), so memory
stays flat whatever the file's size. A file that cannot be read as the data dictionary
says raises :class:`BadFile`, a refusal with a sentence for the person: not a spreadsheet,
empty, not UTF-8, a required column missing, a formula cell, over the size limit.
"""

import contextlib
import csv
import io
import os
import zipfile
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from tracker.core.errors import InvalidValues
from tracker.imports.columns import COLUMNS, header_names, label_of, normalised

EXTENSIONS = ("csv", "xlsx")
# What the exports put in front of a text a spreadsheet would read as a formula.
NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")
SNIFF_BYTES = 64 * 1024
NOT_A_SPREADSHEET = _l("This is not a spreadsheet: give a CSV or an XLSX file.")
EMPTY = _l("The file is empty.")


class BadFile(InvalidValues):
    """The file as a whole cannot be imported (422, on the ``file`` field)."""

    def __init__(self, message):
        super().__init__(message, {"file": [message]})


def extension_of(filename):
    """``csv`` or ``xlsx`` from a file name (lower case), else what it has."""
    return os.path.splitext(filename or "")[1].lower().lstrip(".")


def check_size(stream, limit):
    """Refuse a file larger than ``limit`` bytes (None: no limit); the stream is rewound."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise BadFile(EMPTY)
    if limit is not None and size > limit:
        raise BadFile(_l("The file is larger than the %(limit)s MB an import accepts: split it,"
                         " or import it with the command line.",
                         limit=f"{limit / 1_000_000:g}"))


def read_rows(stream, extension, kind):
    """``(line number, {column code: text})`` of each data row of ``stream`` (binary).

    The header is checked first: every required column must be there. Empty rows are
    skipped. Cells are text: days as ``YYYY-MM-DD``, numbers as written.
    """
    if extension == "csv":
        raw_rows = _csv_rows(stream)
    elif extension == "xlsx":
        raw_rows = _xlsx_rows(stream)
    else:
        raise BadFile(NOT_A_SPREADSHEET)
    header = next(raw_rows, None)
    if header is None:
        raise BadFile(EMPTY)
    codes = _mapped_header(header, kind)
    for line, cells in raw_rows:
        values = {code: _cell_text(cells[index], line, code, kind)
                  for index, code in codes.items() if index < len(cells)}
        if any(values.values()):
            yield line, values


def count_rows(stream, extension):
    """How many rows follow the header of ``stream``, empty ones included, for a progress
    bar; None when the file does not tell (or cannot be read: :func:`read_rows` says why).
    Reads the file once (a CSV) or its sheet's size only (an XLSX); the stream is rewound.
    """
    stream.seek(0)
    try:
        if extension == "csv":
            return max(sum(1 for _ in _csv_rows(stream)) - 1, 0)
        if extension == "xlsx":
            return _xlsx_size(stream)
        return None
    except BadFile:
        return None
    finally:
        stream.seek(0)


def _xlsx_size(stream):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    try:
        rows = workbook.worksheets[0].max_row
    finally:
        workbook.close()
    return max(rows - 1, 0) if rows else None


def _mapped_header(header, kind):
    """``{cell index: column code}`` of a header row; refuses a missing required column."""
    names = header_names(kind)
    codes = {}
    for index, cell in enumerate(header[1]):
        code = names.get(normalised(cell))
        if code is not None and code not in codes.values():
            codes[index] = code
    missing = [column for column in COLUMNS[kind]
               if column.required and column.code not in codes.values()]
    if missing:
        raise BadFile(_l("Required columns are missing: %(columns)s. The first row names the "
                         "columns (see the template).",
                         columns=", ".join(f"{label_of(kind, column.code)} ({column.code})"
                                           for column in missing)))
    return codes


def _csv_rows(stream):
    """``(line, cells)`` of a CSV file; the delimiter is the header's (``;`` or ``,``)."""
    start = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if b"\x00" in start:
        raise BadFile(NOT_A_SPREADSHEET)
    first_line = start.split(b"\n", 1)[0]
    delimiter = ";" if first_line.count(b";") > first_line.count(b",") else ","
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    try:
        for number, cells in enumerate(csv.reader(text, delimiter=delimiter), start=1):
            yield number, cells
    except UnicodeDecodeError:
        raise BadFile(_l("The file is not in UTF-8: save it as “CSV UTF-8” and import it "
                         "again.")) from None
    except csv.Error:
        raise BadFile(NOT_A_SPREADSHEET) from None
    finally:
        # The caller owns the stream: leave it open (unless it is gone already).
        with contextlib.suppress(ValueError):
            text.detach()


def _xlsx_rows(stream):
    """``(line, cells)`` of the first sheet of an XLSX workbook, formulas kept as such (so
    that a formula cell is refused rather than read as its last computed value)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise BadFile(NOT_A_SPREADSHEET) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(), start=1):
            yield number, [_xlsx_value(cell, number) for cell in row]
    finally:
        workbook.close()


def _xlsx_value(cell, line):
    if getattr(cell, "data_type", None) == "f":
        raise _formula(line, getattr(cell, "column_letter", ""))
    return cell.value


def _formula(line, column):
    return BadFile(_l("Row %(row)d, column %(column)s holds a formula: paste its values only "
                      "(Paste special, Values) and import again.", row=line, column=column))


def _cell_text(value, line, code, kind):
    """A cell as text: days ISO, numbers as written, the exports' apostrophe taken off."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    text = str(value).strip()
    if text.startswith("="):
        raise _formula(line, label_of(kind, code))
    if text.startswith(NEUTRALISED):
        return text[1:]
    return text
