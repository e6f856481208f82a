"""Lists, dashboard, registers and exports for directors and administrators."""

from datetime import date, datetime, timedelta, timezone

from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, request, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from tracker.applications.workflow import STATUSES
from tracker import access
from tracker.access import REPORT_ROLES, login_required, role_required
from tracker.core.countries import country_choices
from tracker.core.paging import paginate
from tracker.directory.models import (
    DIRECTION_LABELS, DIRECTIONS, RISK_LEVEL_LABELS, Laboratory,
)
from tracker.extensions import db
from tracker.jobs.services import start_job
from tracker.reports import charts, exports, registers, worldmap
from tracker.reports.calendar import feed_for, ical_response, reset_feed
from tracker.reports.counting import approximate_count
from tracker.reports.dashboard import cached_dashboard, default_year, year_choices
from tracker.reports.filters import SORTS, ListFilters, filter_choices, visible_filtered
from tracker.reports.listing import page_of
from tracker.applications.models import (
    COST_KIND_LABELS, DURATION_LABELS, FUNDING_LABELS, Application,
)
from tracker.applications.workflow import STATUS_LABELS

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.context_processor
def labels():
    # Translated once per request: a lazy label is translated again at every use, and a
    # list page uses them hundreds of times.
    return {
        "status_labels": {key: str(label) for key, label in STATUS_LABELS.items()},
        "duration_labels": {key: str(label) for key, label in DURATION_LABELS.items()},
        "direction_labels": {key: str(label) for key, label in DIRECTION_LABELS.items()},
        "funding_labels": {key: str(label) for key, label in FUNDING_LABELS.items()},
        "cost_kind_labels": {key: str(label) for key, label in COST_KIND_LABELS.items()},
        "options": options,
    }


def options(choices, selected):
    """``<option>`` elements for ``choices`` ((value, label) pairs, or plain values), with
    ``selected`` marked. Built in Python: a list page offers hundreds of options, and one
    Jinja loop iteration per option was a fifth of the page's rendering time."""
    parts = []
    for choice in choices:
        value, label = choice if isinstance(choice, tuple) else (choice, choice)
        mark = " selected" if value == selected else ""
        parts.append(f'<option value="{escape(value)}"{mark}>{escape(label)}</option>')
    # Values and labels are escaped one by one above.
    return Markup("".join(parts))  # nosec B704


@bp.route("/applications")
@role_required(*REPORT_ROLES)
def list_applications():
    filters = ListFilters.from_args(request.args)
    page = page_of(current_user, filters)
    count = approximate_count(
        visible_filtered(current_user, filters),
        scope=(access.visibility_scope(current_user), filters.key()),
        table=Application.__table__,
    )
    return render_template(
        "reports/list_applications.html",
        filters=filters,
        page=page,
        waiting=access.waiting_on_many(page.items),
        count=count,
        choices=filter_choices(current_user),
        statuses=STATUSES,
        directions=DIRECTIONS,
        sorts=SORTS,
        years=year_choices(),
    )


@bp.route("/applications.csv")
@role_required(*REPORT_ROLES)
def export_csv():
    filters = ListFilters.from_args(request.args)
    # ?excel=fr: semicolons and decimal commas for French Excel; ?columns=codes: the
    # machine shape (snake_case headers and codes); otherwise labels.
    if request.args.get("excel") == "fr":
        shape = "excel_fr"
    elif request.args.get("columns") == "codes":
        shape = "codes"
    else:
        shape = "labels"
    # ?background=1: a file built by a job, to download from its page (millions of rows
    # over a slow connection); a list within EXPORT_JOB_ROWS streams at once anyway.
    if request.args.get("background") == "1" and exports.more_rows_than(
            current_user, filters, current_app.config["EXPORT_JOB_ROWS"]):
        return _export_job("export_csv", "tracker.reports.exports:csv_job", filters,
                           shape=shape)
    return exports.csv_response(current_user, filters, shape)


@bp.route("/applications.xlsx")
@role_required(*REPORT_ROLES)
def export_xlsx():
    """The XLSX of the list: at once within EXPORT_JOB_ROWS rows (and XLSX_MAX_ROWS, what a
    request may build), else built by a background job whose page gives the file."""
    filters = ListFilters.from_args(request.args)
    limit = min(current_app.config["EXPORT_JOB_ROWS"], exports.XLSX_MAX_ROWS)
    if exports.more_rows_than(current_user, filters, limit):
        return _export_job("export_xlsx", "tracker.reports.exports:xlsx_job", filters)
    return exports.xlsx_response(current_user, filters)


def _export_job(kind, target, filters, **kwargs):
    job = start_job(kind, target, current_user, filters=filters.url_args(), **kwargs)
    return redirect(url_for("jobs.show_job", job_id=job.id))


@bp.route("/")
@role_required(*REPORT_ROLES)
def dashboard():
    years = year_choices()
    year = request.args.get("year", "")
    if year:
        if not (year.isascii() and year.isdigit()) or int(year) not in years:
            abort(400)
        year = int(year)
        chosen = True
    else:
        # This year if it has stays, else the latest year that has some (said on the page).
        year = default_year(current_user)
        chosen = False
    figures, computed_at = cached_dashboard(current_user, year)
    return render_template(
        "reports/dashboard.html",
        figures=figures,
        year_chosen=chosen,
        current_year=date.today().year,
        computed_at=datetime.fromtimestamp(computed_at, timezone.utc),
        years=years,
        charts=charts.dashboard_charts(figures),
        world=worldmap.world_map(
            _("Approved and completed outgoing stays of %(year)d by host country",
              year=year),
            figures["stays_by_country"], _("Stays"), map_id="stays-map"),
    )


@bp.route("/presence")
@role_required(*REPORT_ROLES)
def presence():
    """Where people are over a period (today by default): abroad, visiting a unit in
    France, or both, with the counts per country beside the rows."""
    filters, errors, laboratories = _presence_filters()
    if errors:
        return _presence_page(filters, errors, laboratories), 400
    return _presence_page(filters, errors, laboratories)


def _presence_filters():
    laboratories = db.session.execute(
        access.report_laboratories(current_user).order_by(Laboratory.acronym, Laboratory.name)
    ).all()
    filters, errors = registers.PresenceFilters.from_args(
        request.args, {laboratory.id for laboratory in laboratories})
    return filters, errors, laboratories


def _presence_page(filters, errors, laboratories):
    """The register's page; with ``errors``, the form and its messages without rows."""
    page = None if errors else paginate(registers.presence_rows(current_user, filters))
    return render_template(
        "reports/presence.html",
        filters=filters,
        errors=errors,
        page=page,
        by_country=[] if errors else registers.presence_by_country(current_user, filters),
        laboratories=[(lab.id, lab.acronym or lab.name) for lab in laboratories],
        directions=[(key, str(label))
                    for key, label in registers.PRESENCE_DIRECTION_LABELS.items()],
        risk_levels=[(key, str(label)) for key, label in RISK_LEVEL_LABELS.items()],
        countries=country_choices(),
        today=date.today(),
        may_contact=lambda application: access.can_see_contact_details(current_user, application),
    )


@bp.route("/presence.<any(csv, xlsx):extension>")
@role_required(*REPORT_ROLES)
def export_presence(extension):
    """The register's rows (every page) as CSV or XLSX, with the page's filters."""
    filters, errors, laboratories = _presence_filters()
    if errors:
        return _presence_page(filters, errors, laboratories), 400
    headers, rows = registers.presence_export(current_user, filters)
    if extension == "xlsx":
        return exports.rows_xlsx_response("presence", _("Where people are"), headers, rows)
    return exports.rows_csv_response("presence", headers, rows)


@bp.route("/abroad")
@role_required(*REPORT_ROLES)
def abroad():
    """The former "abroad now" address: the register of people abroad (a country kept)."""
    country = request.args.get("country", "")
    return redirect(url_for("reports.presence", direction="outgoing",
                            country=country or None), 301)


@bp.route("/laboratories/<int:laboratory_id>/stays")
@role_required(*REPORT_ROLES)
def laboratory_stays(laboratory_id):
    """A timeline of a laboratory's approved stays over six months (``?from=YYYY-MM``)."""
    laboratory = db.get_or_404(Laboratory, laboratory_id)
    if not access.can_view_laboratory(current_user, laboratory):
        abort(404)
    month = request.args.get("from", "")
    if month:
        try:
            first_day = datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            abort(400)
        if not 1900 < first_day.year < 3000:
            abort(400)
    else:
        first_day = date.today().replace(day=1)
    last_day = _add_months(first_day, TIMELINE_MONTHS) - timedelta(days=1)
    stays = registers.laboratory_stays(current_user, laboratory.id, first_day, last_day)
    return render_template(
        "reports/laboratory_stays.html",
        laboratory=laboratory,
        stays=stays,
        first_day=first_day,
        last_day=last_day,
        previous=_add_months(first_day, -TIMELINE_MONTHS).strftime("%Y-%m"),
        following=_add_months(first_day, TIMELINE_MONTHS).strftime("%Y-%m"),
        chart=charts.timeline(
            _("Stays of %(laboratory)s from %(first)s to %(last)s",
              laboratory=laboratory.acronym or laboratory.name,
              first=first_day.isoformat(), last=last_day.isoformat()),
            stays, first_day, last_day,
        ),
    )


TIMELINE_MONTHS = 6


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    """The person's secret calendar address; POST replaces it (the old one stops working)."""
    if request.method == "POST":
        reset_feed(current_user)
        db.session.commit()
        flash(_("A new calendar address was created; the previous one no longer works."),
              "success")
        return redirect(url_for("reports.calendar"))
    feed = feed_for(current_user)
    db.session.commit()
    return render_template(
        "reports/calendar.html",
        feed_url=url_for("reports.calendar_feed", token=feed.token, _external=True),
    )


@bp.route("/calendar/<token>.ics")
def calendar_feed(token):
    """The iCalendar feed behind a secret address: no session needed, 404 for a wrong one."""
    return ical_response(token)
