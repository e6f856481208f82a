"""Administration of the directory: users and roles, laboratories, programmes."""

from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/admin")
