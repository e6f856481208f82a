"""The home page, the language switch and the health check."""

from datetime import date

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import access
from tracker.agreements.services import expiring_agreements
from tracker.auth.services import choose_locale
from tracker.core import health
from tracker.core.errors import DATABASE_RETRY_SECONDS
from tracker.core.urls import safe_next
from tracker.extensions import db
from tracker.review import queues

bp = Blueprint("main", __name__)
# The office's home page lists this many of the agreements that expire soon.
EXPIRING_SHOWN = 10


@bp.route("/")
def index():
    """Signed in: what waits for the person, oldest first, and their next stays; for the
    office, the agreements expiring within six months. A visitor gets the landing page."""
    if not access.signed_in(current_user):
        return render_template("main/index.html")
    user = current_user._get_current_object()
    return render_template(
        "main/index.html",
        blocks=queues.waiting_work(user),
        stays=queues.upcoming_stays(user),
        directions=access.directions_to_apply(user),
        today=date.today(),
        expiring=(expiring_agreements(limit=EXPIRING_SHOWN)
                  if access.can_manage_agreements(user) else []),
    )


@bp.route("/language", methods=["POST"])
def set_language():
    """The header's language switch (CSRF-checked like every form): remembered on the
    signed-in person, in the session for a visitor, then back to the page it was sent from."""
    locale = request.form.get("locale")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    choose_locale(current_user, locale)
    db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))
@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: send them to the app's icon
    (pages name it in ``<link rel="icon">``), not a 404 in every log."""
    return redirect(url_for("static", filename="img/favicon.svg"), code=301)


@bp.route("/healthz")
def healthz():
    """For load balancers: 200 while the app can serve (even with a Redis down, "degraded"),
    503 with ``Retry-After`` when the database cannot be reached."""
    body, healthy = health.report(current_app.config)
    response = jsonify(body)
    if not healthy:
        response.status_code = 503
        response.headers["Retry-After"] = str(DATABASE_RETRY_SECONDS)
    # A probe must see the state of now, never a copy kept by a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response
