"""A user's notifications, in the app."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
