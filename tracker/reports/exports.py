"""CSV and XLSX exports of a filtered list, streamed so memory stays flat at any size.

On PostgreSQL the CSV is written by the database itself (``COPY (query) TO STDOUT``) and
forwarded chunk by chunk: a million rows in seconds, where fetching them into Python objects
takes several times longer. Elsewhere rows come from a server-side cursor (``yield_per``) as
plain tuples. Both paths run the same query, :func:`export_query`, which puts an
apostrophe in front of any text cell a spreadsheet would read as a formula (``=``, ``+``,
``-``, ``@``, tab, carriage return): a title such as ``=HYPERLINK("http://x", "y")`` stays
text (OWASP, CSV injection).

Times are written in the organisation's time zone (``TIMEZONE``), as every page shows them,
and their column headers name it: ``submitted_at (Europe/Paris)``.
"""

import csv
import io
import tempfile
from datetime import date, datetime

import sqlalchemy as sa
from flask import Response
from flask_babel import get_timezone
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from tracker.applications.models import (
    COST_KINDS, Application, CostItem, duration_days_expression,
)
from tracker.auth.models import User
from tracker.core.dates import local_time
from tracker.directory.models import Laboratory, Programme
from tracker.extensions import db
from tracker.reports.filters import visible_filtered, where_clause

CHUNK_ROWS = 2000
# openpyxl writes about 3,500 rows a second here (54,000 rows took 15 s at 1M applications),
# and the whole workbook is built before its first byte is sent: far beyond this, a busy
# machine would run into gunicorn's 120 s timeout. Larger lists are refused with a message
# (never cut short); CSV has no such limit.
XLSX_MAX_ROWS = 50_000

EXPORT_COLUMNS = ("reference", "title", "status", "direction", "funding", "programme",
                  "budget_line", "applicant", "applicant_email", "home_laboratory",
                  "host_laboratory", "host_country", "purpose", "start_date", "end_date",
                  "duration_days", "requested_amount", "awarded_amount", "cost_items",
                  *(f"cost_{kind}" for kind in COST_KINDS), "submitted_at", "created_at")
TIMESTAMP_COLUMNS = ("submitted_at", "created_at")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LOCAL_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def export_header(zone=None):
    """The column names, the timestamps' naming the zone they are written in."""
    zone = str(zone or get_timezone())
    return [f"{name} ({zone})" if name in TIMESTAMP_COLUMNS else name for name in EXPORT_COLUMNS]


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


def _amount(column):
    """An amount with its two decimals written out: ``0.00`` when there is none."""
    return sa.cast(sa.func.coalesce(column, 0), sa.Numeric(14, 2))


def export_query(user, filters, text_timestamps=False, zone=None):
    """Plain rows (no ORM objects) for the exports, in the list's order.

    Text typed by people (titles, names, programme and laboratory names, budget lines) is
    neutralised in SQL. With ``text_timestamps`` (PostgreSQL's COPY), timestamps come
    formatted as text in ``zone``. Each row carries its number of cost items and their total per kind
    (0.00 for a kind it has none of), summed in the database, not one query per row.
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
    return (
        sa.select(
            Application.reference, neutralised(Application.title), Application.status,
            Application.direction, Application.funding, neutralised(Programme.name),
            neutralised(Application.budget_line), neutralised(User.full_name),
            neutralised(User.email), neutralised(home.acronym), neutralised(host.acronym),
            host.country, Application.purpose, Application.start_date, Application.end_date,
            days, Application.requested_amount, Application.awarded_amount,
            sa.func.coalesce(totals.c.item_count, 0),
            *(_amount(totals.c[f"cost_{kind}"]) for kind in COST_KINDS),
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


def _text(value, zone):
    """A cell as the CSV shows it, the same on every database (times in ``zone``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_time(value, zone).strftime(LOCAL_TIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _filename(extension):
    return f"applications-{date.today().isoformat()}.{extension}"


def _attachment(response, extension):
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(extension)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _header(zone):
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a BOM, so spreadsheets read the accents of names as UTF-8
    csv.writer(buffer).writerow(export_header(zone))
    return buffer.getvalue().encode()


def _copy_chunks(engine, query):
    """CSV bytes written by PostgreSQL's COPY for ``query``."""
    compiled = query.compile(dialect=engine.dialect,
                             compile_kwargs={"render_postcompile": True})
    with engine.connect() as connection:
        with connection.connection.dbapi_connection.cursor() as cursor:
            # COPY binds parameters on the client side: psycopg quotes every value.
            with cursor.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)",
                             compiled.params) as copy:
                for chunk in copy:
                    yield bytes(chunk)


def _python_chunks(engine, query, zone):
    """CSV bytes written from a server-side cursor, ``CHUNK_ROWS`` rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    with engine.connect() as connection:
        result = connection.execution_options(yield_per=CHUNK_ROWS).execute(query)
        for partition in result.partitions():
            writer.writerows([_text(value, zone) for value in row] for row in partition)
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()


def csv_response(user, filters):
    """A streamed CSV of the visible, filtered applications."""
    # The body is sent after the request's context (and its session) is gone, so the
    # generator holds the engine and opens a connection of its own.
    engine = db.engine
    postgresql = engine.dialect.name == "postgresql"
    zone = get_timezone()  # read now: the body is written after the request's context
    query = export_query(user, filters, text_timestamps=postgresql, zone=zone)

    def chunks():
        yield _header(zone)
        if postgresql:
            yield from _copy_chunks(engine, query)
        else:
            yield from _python_chunks(engine, query, zone)

    return _attachment(Response(chunks(), mimetype="text/csv"), "csv")


def _append_rows(sheet, rows, zone):
    """Rows into a write-only sheet. Every string is neutralised again here: openpyxl stores
    a string that begins with "=" as a formula, and this must never depend on the query.
    A spreadsheet's times carry no zone: they are written in ``zone``, which the header
    names."""
    for row in rows:
        sheet.append([
            neutralise(value) if isinstance(value, str)
            else local_time(value, zone).replace(tzinfo=None)
            if isinstance(value, datetime) else value
            for value in row
        ])


def xlsx_too_large(user, filters):
    """True when the filtered list has more rows than an XLSX export is built for."""
    # The export's rows without its joins: the cost totals would be summed for nothing.
    query = sa.select(Application.id).where(where_clause(visible_filtered(user, filters)))
    return db.session.scalar(query.offset(XLSX_MAX_ROWS).limit(1)) is not None


def xlsx_response(user, filters):
    """An XLSX of the visible, filtered applications (at most ``XLSX_MAX_ROWS``: check
    :func:`xlsx_too_large` first), built in openpyxl's write-only mode (rows go to a
    temporary file, not to memory) and sent in chunks."""
    from openpyxl import Workbook

    engine = db.engine
    query = export_query(user, filters).limit(XLSX_MAX_ROWS)
    title = _("Applications")
    zone = get_timezone()

    def chunks():
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title)
        sheet.append(export_header(zone))
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
