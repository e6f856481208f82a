"""Applications: create, edit, submit, follow, act on."""

from flask import Blueprint

bp = Blueprint("applications", __name__, url_prefix="/applications")
from tracker.applications import document_views  # noqa: E402,F401
