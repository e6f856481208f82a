"""The home page and the health check."""

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template

from tracker.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return render_template("main/index.html")


@bp.route("/healthz")
def healthz():
    """For load balancers: the app answers and the database is reachable."""
    db.session.execute(sa.text("SELECT 1"))
    return jsonify(status="ok")
