"""Lists, dashboard, registers and exports for directors and administrators."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
