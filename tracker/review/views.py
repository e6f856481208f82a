"""Review queues for laboratory directors and administrators."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")
