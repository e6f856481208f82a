"""Lists, dashboard, registers and exports for directors and administrators."""

from datetime import date

from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, request, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from tracker.applications.models import PURPOSE_LABELS
from tracker.applications.workflow import STATUSES
from tracker.core.permissions import is_reviewing_director, login_required, role_required
from tracker.directory.models import DIRECTION_LABELS, DIRECTIONS
from tracker.extensions import db
from tracker.reports import charts, exports, queries
from tracker.reports.calendar import feed_for, ical_response, reset_feed
from tracker.reports.labels import DURATION_LABELS, STATUS_LABELS

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.context_processor
def labels():
    return {"status_labels": STATUS_LABELS, "duration_labels": DURATION_LABELS}


def _show_url():
    """Applications link to their page once the applications area provides one."""
    return "applications.show" in current_app.view_functions


@bp.route("/applications")
@role_required("director", "admin")
def list_applications():
    filters = queries.ListFilters.from_args(request.args)
    page = queries.page_of(current_user, filters)
    count = queries.approximate_count(queries.visible_filtered(current_user, filters))
    return render_template(
        "reports/list_applications.html",
        filters=filters,
        page=page,
        count=count,
        choices=queries.filter_choices(current_user),
        statuses=STATUSES,
        directions=DIRECTIONS,
        direction_labels=DIRECTION_LABELS,
        sorts=queries.SORTS,
        years=queries.year_choices(),
        durations=queries.DURATION_CATEGORIES,
        show_url=_show_url(),
    )


@bp.route("/applications.csv")
@role_required("director", "admin")
def export_csv():
    filters = queries.ListFilters.from_args(request.args)
    return exports.csv_response(current_user, filters)


@bp.route("/applications.xlsx")
@role_required("director", "admin")
def export_xlsx():
    filters = queries.ListFilters.from_args(request.args)
    return exports.xlsx_response(current_user, filters)


@bp.route("/")
@role_required("director", "admin")
def dashboard():
    years = queries.year_choices()
    year = request.args.get("year", "")
    if year:
        if not year.isdigit() or int(year) not in years:
            abort(400)
        year = int(year)
    else:
        year = date.today().year
    figures = queries.dashboard(current_user, year)
    return render_template(
        "reports/dashboard.html",
        figures=figures,
        years=years,
        charts=charts.dashboard_charts(figures),
        direction_labels=DIRECTION_LABELS,
        show_url=_show_url(),
    )


@bp.route("/abroad")
@role_required("director", "admin")
def abroad():
    country = request.args.get("country", "").upper()
    if country and (len(country) != 2 or not country.isalpha()):
        abort(400)
    by_country, stays = queries.abroad(current_user, country=country or None)
    return render_template(
        "reports/abroad.html",
        by_country=by_country,
        stays=stays,
        country=country,
        today=date.today(),
        may_contact=lambda application: current_user.is_admin
        or is_reviewing_director(current_user, application),
        purpose_labels=PURPOSE_LABELS,
        show_url=_show_url(),
    )


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
