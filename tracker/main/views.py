"""The home page and the health check."""

from flask import Blueprint, current_app, jsonify, render_template

from tracker.core import health
from tracker.core.errors import DATABASE_RETRY_SECONDS

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return render_template("main/index.html")


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
