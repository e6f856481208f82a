"""CSV and XLSX exports of a filtered list, streamed so memory stays flat at any size.

On PostgreSQL the CSV is written by the database itself (``COPY (query) TO STDOUT``) and
forwarded chunk by chunk: a million rows in seconds, where fetching them into Python objects
takes several times longer. Elsewhere rows come from a server-side cursor (``yield_per``) as
plain tuples. Both paths run the same query, :func:`export_query`, which puts an
apostrophe in front of any text cell a spreadsheet would read as a formula (``=``, ``+``,
``-``, ``@``, tab, carriage return): a title such as ``=HYPERLINK("http://x", "y")`` stays
text (OWASP, CSV injection).

Three CSV shapes (docs/api.md has no CSV contract; these are the pages' own): by default
columns headed by labels and codes written as labels (statuses, directions, fundings,
purposes) in the reader's language, comma-separated; ``excel=fr`` the same for French Excel
(semicolons, decimal commas, a byte-order mark); ``columns=codes`` the former machine shape
(snake_case headers and codes). The labels are put in the query as CASE expressions, so
PostgreSQL's COPY still writes every row; host countries too, by their names in the reader's
language (only the countries some laboratory is in, so the CASE stays short), the codes
shape keeping their ISO codes.

Times are written in the organisation's time zone (``TIMEZONE``), as every page shows them,
and their column headers name it: ``submitted_at (Europe/Paris)``.
"""

import csv
import io
import itertools
import tempfile
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import Response
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from tracker.applications.models import (
    COST_KIND_LABELS, COST_KINDS, FUNDING_LABELS, PURPOSE_LABELS, Application, CostItem,
    duration_days_expression,
)
from tracker.applications.workflow import STATUS_LABELS
from tracker.auth.models import User
from tracker.core.countries import country_names
from tracker.core.dates import local_time
from tracker.directory.models import DIRECTION_LABELS, Laboratory, Programme
from tracker.extensions import db
from tracker.reports.filters import visible_filtered, where_clause

CHUNK_ROWS = 2000
# openpyxl writes about 3,500 rows a second here (54,000 rows took 15 s at 1M applications),
# and the whole workbook is built before its first byte is sent: far beyond this, a busy
# machine would run into gunicorn's 120 s timeout. Larger lists (and those above
# EXPORT_JOB_ROWS) are built by a background job (:func:`xlsx_job`), never cut short.
XLSX_MAX_ROWS = 50_000
# A background export tells its progress every this many rows.
PROGRESS_ROWS = 5_000
# Excel's rows per sheet, the header included: a longer export goes on to another sheet.
SHEET_ROWS = 1_048_576

EXPORT_COLUMNS = ("reference", "title", "status", "direction", "funding", "programme",
                  "budget_line", "applicant", "applicant_email", "home_laboratory",
                  "host_laboratory", "host_country", "purpose", "start_date", "end_date",
                  "duration_days", "requested_amount", "awarded_amount", "cost_items",
                  *(f"cost_{kind}" for kind in COST_KINDS), "submitted_at", "created_at")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
AMOUNT_COLUMNS = frozenset({"requested_amount", "awarded_amount",
                            *(f"cost_{kind}" for kind in COST_KINDS)})
COLUMN_LABELS = {
    "reference": _l("Reference"), "title": _l("Title"), "status": _l("Status"),
    "direction": _l("Direction"), "funding": _l("Funding"), "programme": _l("Programme"),
    "budget_line": _l("Budget line"), "applicant": _l("Applicant"),
    "applicant_email": _l("Applicant's email"), "home_laboratory": _l("Home laboratory"),
    "host_laboratory": _l("Host laboratory"), "host_country": _l("Host country"),
    "purpose": _l("Purpose"), "start_date": _l("Start date"), "end_date": _l("End date"),
    "duration_days": _l("Duration (days)"), "requested_amount": _l("Requested (EUR)"),
    "awarded_amount": _l("Awarded (EUR)"), "cost_items": _l("Cost items"),
    "submitted_at": _l("Submitted (%(zone)s)"), "created_at": _l("Created (%(zone)s)"),
}
TIMESTAMP_COLUMNS = ("submitted_at", "created_at")
LOCAL_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def column_headers(labelled=True, zone=None):
    """The header row: labels in the reader's language, or the columns' codes; the
    timestamps' name the zone they are written in."""
    zone = str(zone or get_timezone())
    if not labelled:
        return [f"{name} ({zone})" if name in TIMESTAMP_COLUMNS else name
                for name in EXPORT_COLUMNS]
    cost = {f"cost_{kind}": _("Cost: %(kind)s (EUR)", kind=label)
            for kind, label in COST_KIND_LABELS.items()}
    return [cost[name] if name in cost
            else str(COLUMN_LABELS[name]) % {"zone": zone} if name in TIMESTAMP_COLUMNS
            else str(COLUMN_LABELS[name]) for name in EXPORT_COLUMNS]


def _labelled(column, labels):
    """``column``'s code as its label in the reader's language (the code if unknown)."""
    return sa.case({code: str(label) for code, label in labels.items()}, value=column,
                   else_=column)


def neutralised(column):
    """``column`` with an apostrophe in front when a spreadsheet would read it as a formula.

    Done in SQL so that every export path (PostgreSQL's COPY, the Python writer, XLSX)
    gets the same protection from one place.
    """
    return sa.case(
        (sa.func.substr(column, 1, 1).in_(FORMULA_TRIGGERS), sa.literal("'") + column),
        else_=column,
    )


def _local_text(column, zone):
    """A timestamp as text in the organisation's time zone, formatted by PostgreSQL (for
    COPY), as :func:`_text` writes it."""
    return sa.func.to_char(sa.func.timezone(str(zone), column), "YYYY-MM-DD HH24:MI:SS")


def _cost_totals(dialect_name):
    """Each application's cost items, aggregated in SQL, and how to join them:
    ``(from_item, on_clause)``, with the columns ``item_count`` and ``cost_<kind>``.

    On PostgreSQL a LATERAL subquery sums one application's items at a time from the index
    ``(application_id, kind, amount)``: a million rows stream in the export's order with an
    index-only lookup each, and a narrow export reads only its own rows' items. SQLite has
    no LATERAL: there the items are grouped per application and outer-joined.
    """
    per_kind = [
        sa.func.sum(sa.case((CostItem.kind == kind, CostItem.amount))).label(f"cost_{kind}")
        for kind in COST_KINDS
    ]
    if dialect_name == "postgresql":
        # Without GROUP BY an aggregate always gives one row (count 0 for no items): an
        # inner join on true keeps every application.
        totals = (
            sa.select(sa.func.count().label("item_count"), *per_kind)
            .where(CostItem.application_id == Application.id)
            .lateral("cost_totals")
        )
        return totals, sa.true()
    totals = (
        sa.select(CostItem.application_id, sa.func.count().label("item_count"), *per_kind)
        .group_by(CostItem.application_id)
        .subquery("cost_totals")
    )
    return totals, totals.c.application_id == Application.id


def _country_names(column):
    """``column``'s ISO code as the country's name in the reader's language: a CASE over the
    countries that laboratories are in (a few dozen, not every country of the world)."""
    codes = db.session.scalars(sa.select(Laboratory.country).distinct())
    names = country_names(codes)
    if not names:
        return column
    return _labelled(column, names)


def _amount(column):
    """An amount with its two decimals written out: ``0.00`` when there is none."""
    return sa.cast(sa.func.coalesce(column, 0), sa.Numeric(14, 2))


def export_query(user, filters, text_timestamps=False, labelled=False, decimal_comma=False,
                 zone=None):
    """Plain rows (no ORM objects) for the exports, in the list's order.

    Text typed by people (titles, names, programme and laboratory names, budget lines) is
    neutralised in SQL. With ``text_timestamps`` (PostgreSQL's COPY), timestamps come
    formatted as text. Each row carries its number of cost items and their total per kind
    (0.00 for a kind it has none of), summed in the database, not one query per row.
    With ``labelled``, statuses, directions, fundings, purposes and host countries come as
    their labels (countries by their names);
    with ``decimal_comma`` (PostgreSQL's COPY for French Excel), amounts come as text with
    a decimal comma.
    """
    home = aliased(Laboratory)
    host = aliased(Laboratory)
    dialect_name = db.engine.dialect.name
    # Cast: SQLite's day count is a float (a difference of Julian days).
    days = sa.cast(duration_days_expression(dialect_name), sa.Integer)
    submitted, created = Application.submitted_at, Application.created_at
    if text_timestamps:
        zone = zone or get_timezone()
        submitted, created = _local_text(submitted, zone), _local_text(created, zone)
    totals, on_totals = _cost_totals(dialect_name)
    status, direction = Application.status, Application.direction
    funding, purpose = Application.funding, Application.purpose
    country = host.country
    if labelled:
        status, direction = _labelled(status, STATUS_LABELS), _labelled(direction, DIRECTION_LABELS)
        funding, purpose = _labelled(funding, FUNDING_LABELS), _labelled(purpose, PURPOSE_LABELS)
        country = _country_names(host.country)

    def amount(column):
        if not decimal_comma:
            return column
        return sa.func.replace(sa.cast(column, sa.Text), ".", ",")

    return (
        sa.select(
            Application.reference, neutralised(Application.title), status,
            direction, funding, neutralised(Programme.name),
            neutralised(Application.budget_line), neutralised(User.full_name),
            neutralised(User.email), neutralised(home.acronym), neutralised(host.acronym),
            country, purpose, Application.start_date, Application.end_date,
            days, amount(Application.requested_amount), amount(Application.awarded_amount),
            sa.func.coalesce(totals.c.item_count, 0),
            *(amount(_amount(totals.c[f"cost_{kind}"])) for kind in COST_KINDS),
            submitted, created,
        )
        .select_from(Application)
        # Outer: a mission on the unit's funds names no programme.
        .outerjoin(Programme, Programme.id == Application.programme_id)
        .join(User, User.id == Application.applicant_id)
        .join(home, home.id == Application.home_laboratory_id)
        .join(host, host.id == Application.host_laboratory_id)
        .join(totals, on_totals, isouter=dialect_name != "postgresql")
        .where(where_clause(visible_filtered(user, filters)))
        .order_by(*filters.ordering())
    )


def neutralise(value):
    """``value`` made safe for a spreadsheet cell; numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _text(value, zone, decimal_comma=False):
    """A cell as the CSV shows it, the same on every database (times in ``zone``)."""
    if value is None:
        return ""
    if decimal_comma and isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, datetime):
        return local_time(value, zone).strftime(LOCAL_TIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _attachment(response, extension):
    return _named_attachment(response, "applications", extension)


def _header(headers, delimiter=","):
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a BOM, so spreadsheets read the accents of names as UTF-8
    csv.writer(buffer, delimiter=delimiter).writerow(headers)
    return buffer.getvalue().encode()


def _copy_chunks(engine, query, delimiter=",", decimal_comma=False):
    """CSV bytes written by PostgreSQL's COPY for ``query``."""
    compiled = query.compile(dialect=engine.dialect,
                             compile_kwargs={"render_postcompile": True})
    # The delimiter is one of two constants, never the client's text.
    options = "FORMAT csv" + (", DELIMITER ';'" if delimiter == ";" else "")
    with engine.connect() as connection:
        with connection.connection.dbapi_connection.cursor() as cursor:
            # COPY binds parameters on the client side: psycopg quotes every value.
            with cursor.copy(f"COPY ({compiled}) TO STDOUT WITH ({options})",
                             compiled.params) as copy:
                for chunk in copy:
                    yield bytes(chunk)


def _python_chunks(engine, query, zone, delimiter=",", decimal_comma=False):
    """CSV bytes written from a server-side cursor, ``CHUNK_ROWS`` rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=CHUNK_ROWS).execute(query)
        for partition in result.partitions():
            writer.writerows([_text(value, zone, decimal_comma) for value in row]
                             for row in partition)
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()


CSV_SHAPES = ("labels", "excel_fr", "codes")


def _csv_body(user, filters, shape):
    """``(chunks, suffix)``: a generator of the CSV's bytes (header first) and the file
    name's suffix. The generator holds the engine and opens a connection of its own, so
    that it may run after the request's context (and its session) is gone; labels are
    translated now, into the query and the header."""
    engine = db.engine
    postgresql = engine.dialect.name == "postgresql"
    labelled = shape != "codes"
    excel_fr = shape == "excel_fr"
    delimiter = ";" if excel_fr else ","
    zone = get_timezone()  # read now: the body is written after the request's context
    query = export_query(user, filters, text_timestamps=postgresql, labelled=labelled,
                         decimal_comma=excel_fr and postgresql, zone=zone)
    header = _header(column_headers(labelled, zone), delimiter)

    def chunks():
        yield header
        if postgresql:
            yield from _copy_chunks(engine, query, delimiter=delimiter)
        else:
            yield from _python_chunks(engine, query, zone, delimiter=delimiter,
                                      decimal_comma=excel_fr)

    suffix = {"labels": "", "excel_fr": "-excel-fr", "codes": "-codes"}[shape]
    return chunks(), suffix


def csv_response(user, filters, shape="labels"):
    """A streamed CSV of the visible, filtered applications, in one of ``CSV_SHAPES``:
    ``labels`` (the default), ``excel_fr`` (semicolons and decimal commas) or ``codes``."""
    chunks, suffix = _csv_body(user, filters, shape)
    response = Response(chunks, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="applications-{date.today().isoformat()}{suffix}.csv"')
    response.headers["Cache-Control"] = "no-store"
    return response


def _cells(row, zone):
    """A row's cells for a write-only sheet. Every string is neutralised again here:
    openpyxl stores a string that begins with "=" as a formula, and this must never depend
    on the query. A spreadsheet's times carry no zone: they are written in ``zone``, which
    the header names."""
    return [
        neutralise(value) if isinstance(value, str)
        else local_time(value, zone).replace(tzinfo=None)
        if isinstance(value, datetime) else value
        for value in row
    ]


def _append_rows(sheet, rows, zone):
    """Rows into a write-only sheet (see :func:`_cells`)."""
    for row in rows:
        sheet.append(_cells(row, zone))


def _matching(user, filters):
    # The export's rows without its joins: the cost totals would be summed for nothing.
    return sa.select(Application.id).where(where_clause(visible_filtered(user, filters)))


def more_rows_than(user, filters, limit):
    """True when the filtered list has more than ``limit`` rows (without counting them
    all)."""
    return db.session.scalar(_matching(user, filters).offset(limit).limit(1)) is not None


def count_rows(user, filters):
    """How many rows an export of the filtered list holds."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        _matching(user, filters).subquery()))


def xlsx_response(user, filters):
    """An XLSX of the visible, filtered applications (at most ``XLSX_MAX_ROWS``: larger ones
    go to :func:`xlsx_job`, see :func:`more_rows_than`), built in openpyxl's write-only mode (rows go to a
    temporary file, not to memory) and sent in chunks."""
    from openpyxl import Workbook

    engine = db.engine
    query = export_query(user, filters, labelled=True).limit(XLSX_MAX_ROWS)
    title = _("Applications")
    zone = get_timezone()
    headers = column_headers(zone=zone)

    def chunks():
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title)
        sheet.append(headers)
        with engine.connect() as connection:
            _append_rows(sheet, connection.execution_options(yield_per=CHUNK_ROWS)
                         .execute(query), zone)
        with tempfile.TemporaryFile() as handle:
            workbook.save(handle)
            handle.seek(0)
            while chunk := handle.read(256 * 1024):
                yield chunk

    response = Response(
        chunks(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return _attachment(response, "xlsx")


# Exports of a register's rows (already read and labelled in Python, not a list's query) ----
def rows_csv_response(stem, headers, rows):
    """A CSV of ``rows`` (tuples) under ``headers``, with the list exports' care: a
    byte-order mark, formula triggers neutralised, days in ISO. Written within the request
    (its session and language): a register's period keeps it to thousands of rows."""
    zone = get_timezone()
    buffer = io.StringIO()
    csv.writer(buffer).writerows([_text(neutralise(value), zone) for value in row]
                                 for row in rows)
    response = Response(_header(headers) + buffer.getvalue().encode(), mimetype="text/csv")
    return _named_attachment(response, stem, "csv")


def rows_xlsx_response(stem, title, headers, rows):
    """An XLSX of ``rows`` under ``headers``, in a sheet named ``title`` (at most
    ``XLSX_MAX_ROWS`` rows: a register's period keeps it far below)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(headers)
    _append_rows(sheet, itertools.islice(rows, XLSX_MAX_ROWS), get_timezone())
    handle = io.BytesIO()
    workbook.save(handle)
    response = Response(
        handle.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return _named_attachment(response, stem, "xlsx")


def _named_attachment(response, stem, extension):
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{stem}-{date.today().isoformat()}.{extension}"')
    response.headers["Cache-Control"] = "no-store"
    return response


# Background exports (tracker.jobs): ``function(progress, owner, **kwargs)`` ---------------
def _job_filters(filters):
    """The list's filters a job was started with (plain values through the queue)."""
    from werkzeug.datastructures import MultiDict

    from tracker.reports.filters import ListFilters

    return ListFilters.from_args(MultiDict(filters))


def xlsx_job(progress, owner, filters):
    """Build the XLSX of ``owner``'s filtered list, whatever its size, as the synchronous
    export does (the same query, visibility and labels), in constant memory: rows stream
    from a server-side cursor into openpyxl's write-only sheets (which keep them in
    temporary files), a new sheet every ``SHEET_ROWS``; progress every ``PROGRESS_ROWS``.
    """
    from openpyxl import Workbook

    filters = _job_filters(filters)
    zone = get_timezone()
    total = count_rows(owner, filters)
    progress(0, total)
    title, headers = _("Applications"), column_headers(zone=zone)
    workbook = Workbook(write_only=True)
    sheet, done, told = None, 0, 0
    with db.engine.connect() as connection:
        result = connection.execution_options(yield_per=CHUNK_ROWS).execute(
            export_query(owner, filters, labelled=True))
        for partition in result.partitions():
            for row in partition:
                if done % (SHEET_ROWS - 1) == 0:
                    number = done // (SHEET_ROWS - 1) + 1
                    sheet = workbook.create_sheet(title if number == 1 else f"{title} {number}")
                    sheet.append(headers)
                sheet.append(_cells(row, zone))
                done += 1
            if done - told >= PROGRESS_ROWS:
                progress(done)
                told = done
    if sheet is None:
        workbook.create_sheet(title).append(headers)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        progress.keep_file(handle, f"applications-{date.today().isoformat()}.xlsx")
    progress(done, done)
    return _("%(rows)s rows exported.", rows=done)


def csv_job(progress, owner, filters, shape="labels"):
    """Write the CSV of ``owner``'s filtered list (any size, as the synchronous export
    writes it) to a temporary file, then keep it as the job's file; progress as lines are
    written (a title with a line break counts twice, the count is capped by the total)."""
    filters = _job_filters(filters)
    total = count_rows(owner, filters)
    progress(0, total)
    chunks, suffix = _csv_body(owner, filters, shape)
    lines, told = -1, 0  # the header's line is not a row
    with tempfile.TemporaryFile() as handle:
        for chunk in chunks:
            handle.write(chunk)
            lines += chunk.count(b"\n")
            if lines - told >= PROGRESS_ROWS:
                progress(min(lines, total))
                told = lines
        progress.keep_file(handle, f"applications-{date.today().isoformat()}{suffix}.csv")
    progress(total, total)
    return _("%(rows)s rows exported.", rows=total)
